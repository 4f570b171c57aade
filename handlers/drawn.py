"""Replies (and parts of views) drawn from kept answers are kept too.

A kept answer (bot.services.read_model) is the very same frozen object on every request until the plan
changes, so the reply drawn from it can be drawn once: the renderer is keyed by the answer's identity
(and its other arguments), and an entry holds the answer itself, so its id cannot be reused while the
entry lives. A fresh answer (a session that wrote, an answer not kept) is drawn every time.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Concatenate, ParamSpec, TypeVar

from bot.services.digest import Digest
from bot.services.read_model import FrozenDict, FrozenList
from handlers.blocks import Reply

# Drawn replies kept: enough for every person of a large plan's /qib mine and Home tab (a few KB each).
MAX_REPLIES = 1024

P = ParamSpec("P")
A = TypeVar("A")
D = TypeVar("D")

_lock = threading.Lock()
_replies: OrderedDict[Hashable, tuple[Any, Any]] = OrderedDict()


def drawn_once(render: Callable[Concatenate[A, P], Reply]) -> Callable[Concatenate[A, P], Reply]:
    """Keep `render(answer, ...)`'s reply while `answer` is a kept answer (see the module docstring)."""
    return _once(render, _copy)


def blocks_once(
    render: Callable[Concatenate[A, P], list[dict[str, Any]]],
) -> Callable[Concatenate[A, P], list[dict[str, Any]]]:
    """drawn_once for a part of a view: the blocks drawn from a kept answer (the Home tab's plan and
    the person's own milestones), each caller given a list of its own."""
    return _once(render, list)


def paper_drawn_once(
    render: Callable[Concatenate[Digest, P], Reply],
) -> Callable[Concatenate[Digest, P], Reply]:
    """drawn_once for a reply drawn from the board paper. Each request's paper is a copy of the kept one
    given its own moment (bot.services.digest.build_digest), so it is known by the frozen contents every
    copy shares (its areas) and by the day of its moment, all a reply reads of the moment."""
    return _once(render, _copy, held=_paper_contents, moment=lambda paper: paper.local_today)


def _paper_contents(paper: Digest) -> object | None:
    return paper.areas if isinstance(paper.areas, FrozenList) else None


def _kept_answer(answer: object) -> object | None:
    return answer if _kept(answer) else None


def _once(
    render: Callable[Concatenate[A, P], D],
    copy: Callable[[D], D],
    *,
    held: Callable[[A], object | None] = _kept_answer,
    moment: Callable[[A], Hashable] = lambda _answer: None,
) -> Callable[Concatenate[A, P], D]:
    """`held(answer)`: the kept object the reply is drawn from (None: not kept, drawn every time); the
    entry holds it, so its id cannot be reused while the entry lives."""

    @functools.wraps(render)
    def draw(answer: A, *args: P.args, **kwargs: P.kwargs) -> D:
        kept = held(answer)
        if kept is None:
            return render(answer, *args, **kwargs)
        key = (render, id(kept), moment(answer), args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:
            return render(answer, *args, **kwargs)
        with _lock:
            found = _replies.get(key)
            if found is not None and found[0] is kept:
                _replies.move_to_end(key)
                return copy(found[1])
        drawn = render(answer, *args, **kwargs)
        with _lock:
            _replies[key] = (kept, copy(drawn))
            while len(_replies) > MAX_REPLIES:
                _replies.popitem(last=False)
        return drawn

    return draw


def _kept(answer: object) -> bool:
    """A kept answer is frozen: its lists are FrozenLists (read_model.freeze); a fresh one's are not."""
    if not dataclasses.is_dataclass(answer) or isinstance(answer, type):
        return False
    return any(
        isinstance(getattr(answer, f.name, None), FrozenList | FrozenDict) for f in dataclasses.fields(answer)
    )


def _copy(reply: Reply) -> Reply:
    """The lists a caller may extend are its own (with_measures, the Home tab add to a reply)."""
    return dataclasses.replace(
        reply, blocks=list(reply.blocks), thread_blocks=[list(b) for b in reply.thread_blocks]
    )


def forget() -> None:
    """Drop every kept reply (tests)."""
    with _lock:
        _replies.clear()
