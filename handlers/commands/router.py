"""The subcommands of /qib: a Router built with the app, filled by each feature's register(); help is
built from what it holds. Nothing is added at import, so two apps never share a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

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


@dataclass
class Router:
    """The /qib subcommands of one app, by name."""

    routes: dict[str, Subcommand] = field(default_factory=dict)

    def add(self, name: str, usage: str, summary: str, run: Handler, order: int = 50) -> None:
        if name in self.routes:
            raise ValueError(f"/qib {name} is registered twice")
        self.routes[name] = Subcommand(name, usage, summary, run, order)

    def route(self, name: str) -> Subcommand:
        """Unknown subcommands get the help, not an error."""
        return self.routes.get(name) or self.routes["help"]

    def names(self) -> frozenset[str]:
        return frozenset(self.routes)

    def __contains__(self, name: object) -> bool:
        return name in self.routes


def register(router: Router) -> None:
    router.add("help", "/qib help", "this list", partial(help_reply, router), order=99)


def help_reply(router: Router, ask: Ask, args: str) -> Reply:
    shown = sorted(router.routes.values(), key=lambda s: (s.order, s.name))
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
