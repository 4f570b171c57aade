"""Replies drawn from kept answers are kept too.

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

from bot.services.read_model import FrozenDict, FrozenList
from handlers.blocks import Reply

MAX_REPLIES = 128

P = ParamSpec("P")
A = TypeVar("A")

_lock = threading.Lock()
_replies: OrderedDict[Hashable, tuple[Any, Reply]] = OrderedDict()


def drawn_once(render: Callable[Concatenate[A, P], Reply]) -> Callable[Concatenate[A, P], Reply]:
    """Keep `render(answer, ...)`'s reply while `answer` is a kept answer (see the module docstring)."""

    @functools.wraps(render)
    def draw(answer: A, *args: P.args, **kwargs: P.kwargs) -> Reply:
        if not _kept(answer):
            return render(answer, *args, **kwargs)
        key = (render, id(answer), args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:
            return render(answer, *args, **kwargs)
        with _lock:
            found = _replies.get(key)
            if found is not None and found[0] is answer:
                _replies.move_to_end(key)
                return _copy(found[1])
        reply = render(answer, *args, **kwargs)
        with _lock:
            _replies[key] = (answer, _copy(reply))
            while len(_replies) > MAX_REPLIES:
                _replies.popitem(last=False)
        return reply

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
