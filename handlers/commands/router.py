"""The subcommands of /qib: each module adds its own with `@subcommand`; help is built from them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.context import Ask

Handler = Callable[[Ask, str], Reply]


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    run: Handler
    order: int


ROUTES: dict[str, Subcommand] = {}


def subcommand(name: str, usage: str, summary: str, order: int = 50) -> Callable[[Handler], Handler]:
    def add(fn: Handler) -> Handler:
        ROUTES[name] = Subcommand(name, usage, summary, fn, order)
        return fn

    return add


def route(name: str) -> Subcommand:
    """Unknown subcommands get the help, not an error."""
    return ROUTES.get(name) or ROUTES["help"]


@subcommand("help", "/qib help", "this list", order=99)
def help_reply(ask: Ask, args: str) -> Reply:
    shown = sorted(ROUTES.values(), key=lambda s: (s.order, s.name))
    lines = [f"`{s.usage}`  {s.summary}" for s in shown]
    text = "qib-bot keeps the Quality Improvement Plan up to date. Commands:\n" + "\n".join(
        f"{s.usage} - {s.summary}" for s in shown
    )
    blocks = [
        bk.header("qib-bot: the Quality Improvement Plan"),
        bk.section("\n".join(lines)),
        bk.context(
            "You can also ask in your own words, after `/qib`, in a message to me or by mentioning me: "
            "_what's at risk?_, _what is due in March?_, _who hasn't updated?_, _what do I own?_, "
            "_what changed since the last board?_"
        ),
    ]
    return Reply(text=text, blocks=blocks)
