"""Answers kept per process, valid for one plan revision: status, summary, digest preview, mine, App
Home and questions read the revision (one indexed single-row statement, once per request: the sessions
of a request share it, see current_revision) and, when nothing was written since, answer without
running the plan's queries again. What is kept: the plan's queries (bot.services.queries), the board
paper and its board rule, the person behind a Slack id, searches, the plan's words for questions,
measures, the inspection, and a milestone's owner and cover and its shown updates.

Why it is never stale: every committed write bumps the plan's revision in its own transaction
(models/revision.py), and a request reads the revision *before* the queries it may skip. An answer is
kept under the revision read before it was built, so it reflects at least that revision's data; a
write by any process (another replica on the same database included) moves the revision, and the
next request everywhere misses and rebuilds. A session that has written in its open transaction sees
changes nobody else can see yet: it neither uses nor fills the cache. A reading session remembers the
revision for the rest of its transaction, and the sessions of one request (bot.deps.Deps.for_request)
for the rest of the request, unless a write has been committed in this process since (see
current_revision). A bot that serves whatever plans the database holds reads the plan list on every
request: that one statement reads every plan's revision too (plan_ids).

What a kept answer depends on is its key: the function, the plan, and every keyword argument but the
session (today's date included). ``now`` is not in the key (a timestamp would defeat the cache): the
queries use it only to tell whether the next board meeting has already started, so an answer built
at ``now`` is kept for the instants from then until the start of the next meeting it names. (The
board paper takes no ``now``: bot.services.digest gives the kept paper its moment on the way out.)

Kept answers are shared between requests and threads, so they are frozen when kept: every list in
them becomes a FrozenList (a list that refuses to change; it still equals the same list; dicts become
FrozenDicts, sets frozensets), inside dataclasses and frozen pydantic models alike (a pydantic model
that is not frozen is refused), which
costs one walk per rebuild and nothing per hit (a copy per hit would cost a walk every time).

One rebuild per change: concurrent first requests for the same key wait on the key's lock, and all
but the first find the answer kept. The number of answers kept is bounded (least recently used go).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import threading
import types
import typing
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterator
from datetime import date, datetime, time
from enum import Enum
from typing import Any, NoReturn, ParamSpec, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from models.plan import Plan
from models.revision import READ_MODEL, REQUEST, SEEN, PlanRevision, install, writes_committed, wrote

install()  # the cache is only as good as the revision: make sure every write in this process bumps it

MAX_ANSWERS = 1024  # the per-person answers of a large plan (400 people) fit with the rest

Revision = tuple[str, int]  # (the plan row's token, its revision)

_REVISION = select(PlanRevision.token, PlanRevision.revision).where(
    PlanRevision.plan_id == bindparam("plan_id")
)


def current_revision(db: Session, plan_id: int) -> Revision | None:
    """The plan's revision now: one primary-key read. None when the plan has no revision row (a plan
    put in by hand-written SQL): its answers are then never kept.

    Read once per transaction of a reading session, or once per request when the session is one of a
    request's (models.db.Sessions.for_request: its sessions share a memo): a request's second and later
    kept answers cost no statement, whichever session asks. What is remembered holds while no write has
    been committed in this process since it was read (models.revision.writes_committed), so a request
    that writes and then reads sees its write; a write by another process is seen by the next request
    (or transaction), as if it had landed just after this one read the revision. The memory goes when
    the transaction ends, or with the request."""
    writes = writes_committed()  # before the read: a commit landing during it makes the next call read again
    memo = _memo(db)
    if memo is not None:
        kept = memo.get(plan_id)
        if kept is not None and kept[0] == writes:
            return kept[1]
    # Core, not the ORM: this is the one statement of every warm request.
    row = db.connection().execute(_REVISION, {"plan_id": plan_id}).one_or_none()
    found = None if row is None else (row[0], row[1])
    if memo is not None:
        memo[plan_id] = (writes, found)
    return found


_Memo = dict[int | None, tuple[int, Any]]


def _memo(db: Session) -> _Memo | None:
    """Where this session remembers the revisions it read: the request's memo, else its transaction's;
    None for a session that has written (it sees what nobody else can yet)."""
    if wrote(db):
        return None
    request: _Memo | None = db.info.get(REQUEST)
    if request is not None:
        return request
    return cast(_Memo, db.info.setdefault(SEEN, {}))


_PLANS = (
    select(Plan.id, PlanRevision.token, PlanRevision.revision)
    .outerjoin(PlanRevision, PlanRevision.plan_id == Plan.id)
    .order_by(Plan.id)
)


def plan_ids(db: Session) -> list[int]:
    """Every plan's id, in order, with one statement that reads each plan's revision too: remembered as
    current_revision remembers what it reads, so a request that finds its plan among all of them (a bot
    with no QIB_PLAN) then answers from kept answers without another statement. The list itself is
    remembered for the rest of the request (a new plan is a write)."""
    writes = writes_committed()
    memo = _memo(db) if uses_cache(db) else None
    if memo is not None:
        kept = memo.get(None)
        if kept is not None and kept[0] == writes:
            return list(kept[1])
    rows = db.connection().execute(_PLANS).all()
    ids = [row[0] for row in rows]
    if memo is not None:
        for plan_id, token, revision in rows:
            memo[plan_id] = (writes, None if token is None else (token, revision))
        memo[None] = (writes, tuple(ids))
    return ids


# ---------------------------------------------------------------------------------------------------
# Freezing what is kept
# ---------------------------------------------------------------------------------------------------


def _refuse(self: FrozenList, *_args: Any, **_kwargs: Any) -> NoReturn:
    raise TypeError("this list belongs to a kept answer and cannot change; copy it with list(...)")


class FrozenList(list[Any]):
    """A list that cannot change: the lists inside kept answers. Equal to (and shown as) a plain list."""

    __slots__ = ()
    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __reduce_ex__(self, _protocol: Any) -> Any:
        return (FrozenList, (list(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        raise TypeError("unhashable type: 'list'")


class FrozenDict(dict[Any, Any]):
    """A dict that cannot change (the figures' counts inside kept answers). Equal to a plain dict."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __reduce_ex__(self, _protocol: Any) -> Any:
        return (FrozenDict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        raise TypeError("unhashable type: 'dict'")


_PLAIN = (str, int, float, bool, date, datetime, time, Enum, type(None), frozenset, bytes)


_LEAVES = (str, int, float, bool, date, datetime, time, type(None), bytes)


def _is_leaf(hint: Any) -> bool:
    """Whether a field of this type can only hold immutable values (so freezing need not look in it)."""
    if hint in _LEAVES or (isinstance(hint, type) and issubclass(hint, Enum)):
        return True
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return True
    if origin in (typing.Union, types.UnionType, frozenset):
        return all(_is_leaf(arg) for arg in typing.get_args(hint))
    return False


@functools.cache
def _field_names(cls: Any) -> tuple[str, ...]:
    """The fields of a dataclass that may hold something to freeze: a row of scalars is not walked."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that does not resolve: look in every field
        return names
    return tuple(name for name in names if not _is_leaf(hints.get(name, Any)))


def freeze(value: Any) -> Any:
    """The same value, with every list in it (inside dataclasses and tuples too) a FrozenList."""
    cls: type = type(value)
    how = _HOW.get(cls)
    if how is None:
        how = _HOW[cls] = _how(cls)
    return how(value)


_HOW: dict[type, Callable[[Any], Any]] = {}


def _how(cls: type) -> Callable[[Any], Any]:
    """How to freeze a value of this type, worked out once per type: a row of scalars (a dataclass or a
    model whose fields hold only immutable values) is taken as it is, without looking inside."""
    if issubclass(cls, _PLAIN) or issubclass(cls, FrozenList | FrozenDict):
        return _same
    if cls is list:
        return _freeze_list
    if cls is tuple:
        return _freeze_tuple
    if dataclasses.is_dataclass(cls):
        return _freeze_dataclass if _field_names(cls) else _same
    if issubclass(cls, BaseModel):
        if not cls.model_config.get("frozen"):
            return _refuse_model
        return _freeze_model if _model_field_names(cls) else _same
    if cls is dict or cls is defaultdict:
        return _freeze_dict
    if cls is set:
        return frozenset
    if issubclass(cls, list | dict | set):
        return _refuse_mutable
    return _same


def _same(value: Any) -> Any:
    return value


def _freeze_list(value: list[Any]) -> FrozenList:
    return FrozenList([freeze(v) for v in value])


def _freeze_tuple(value: tuple[Any, ...]) -> tuple[Any, ...]:
    items = [freeze(v) for v in value]
    return value if all(a is b for a, b in zip(items, value, strict=True)) else tuple(items)


def _freeze_dict(value: dict[Any, Any]) -> FrozenDict:
    return FrozenDict({k: freeze(v) for k, v in value.items()})


def _freeze_dataclass(value: Any) -> Any:
    for name in _field_names(cast(Hashable, type(value))):
        old = getattr(value, name)
        new = freeze(old)
        if new is not old:
            object.__setattr__(value, name, new)  # frozen dataclasses: set once, before anyone sees it
    return value


def _refuse_mutable(value: Any) -> NoReturn:
    raise TypeError(f"a kept answer holds a mutable {type(value).__name__}: freeze it in the query")


def _refuse_model(value: Any) -> NoReturn:
    raise TypeError(f"a kept answer holds a mutable {type(value).__name__}: give it frozen=True")


@functools.cache
def _model_field_names(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a pydantic model that may hold something to freeze."""
    return tuple(name for name, f in cls.model_fields.items() if not _is_leaf(f.annotation))


def _freeze_model(value: BaseModel) -> BaseModel:
    """A frozen pydantic model (the digest's), its lists frozen in place: assignment is refused by the
    model's own config, and a change to a list inside by FrozenList."""
    fields = value.__dict__
    for name in _model_field_names(type(value)):
        old = fields.get(name)
        new = freeze(old)
        if new is not old:
            fields[name] = new  # set once, before anyone sees it
    return value


# ---------------------------------------------------------------------------------------------------
# The cache
# ---------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Answer:
    revision: Revision
    value: Any
    since: datetime | None  # with `now`: the answer holds for since <= now < until
    until: datetime | None


class _Slot:
    """One key: its lock (one rebuild at a time) and its kept answer."""

    __slots__ = ("answer", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answer: _Answer | None = None


class _Answers:
    def __init__(self, size: int) -> None:
        self.size = size
        self._slots: OrderedDict[Hashable, _Slot] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # answers built (misses), for tests and the benchmark
        self.hits = 0

    def slot(self, key: Hashable) -> _Slot:
        with self._lock:
            found = self._slots.get(key)
            if found is None:
                found = self._slots[key] = _Slot()
                while len(self._slots) > self.size:
                    self._slots.popitem(last=False)
            else:
                self._slots.move_to_end(key)
            return found

    def clear(self) -> None:
        with self._lock:
            self._slots.clear()
            self.builds = self.hits = 0

    def __len__(self) -> int:
        return len(self._slots)


answers = _Answers(MAX_ANSWERS)


def _fits(answer: _Answer | None, revision: Revision, now: datetime | None) -> bool:
    if answer is None or answer.revision != revision:
        return False
    if now is None or answer.since is None:
        return True
    return answer.since <= now and (answer.until is None or now < answer.until)


def _next_meeting_start(value: Any) -> tuple[bool, datetime | None]:
    """(found a calendar, when the next meeting it names starts): how long a `now` answer holds."""
    from bot.services.queries.results import BoardCalendar  # the queries import this module

    calendar = value if isinstance(value, BoardCalendar) else getattr(value, "calendar", None)
    if calendar is None and isinstance(value, tuple) and value and isinstance(value[0], BoardCalendar):
        calendar = value[0]
    if not isinstance(calendar, BoardCalendar):
        return False, None
    return True, None if calendar.next is None else calendar.next.starts_at


def _key_part(value: Any) -> Hashable:
    """A keyword argument as part of the key: lists and sets by content, anything else as it hashes."""
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_key_part(v) for v in value))
    if isinstance(value, set):
        return ("set", frozenset(value))
    hash(value)
    return value


P = ParamSpec("P")
R = TypeVar("R")


def uses_cache(db: Session) -> bool:
    return bool(db.info.get(READ_MODEL)) and not wrote(db)


def cached(fn: Callable[P, R]) -> Callable[P, R]:
    """Keep `fn(*, db, plan_id, today, ...)`'s answers per (arguments but db, plan revision)."""
    takes_now = "now" in inspect.signature(fn).parameters

    @functools.wraps(fn)
    def answer(*args: Any, **kwargs: Any) -> Any:
        db = kwargs.get("db")
        if args or not isinstance(db, Session) or not uses_cache(db):
            return fn(*args, **kwargs)
        for name, value in kwargs.items():
            if isinstance(value, Iterator):
                kwargs[name] = tuple(value)  # a generator is read once: keep what it gave for the query
        plan_id = kwargs["plan_id"]
        now = kwargs.get("now") if takes_now else None
        try:
            key = (
                fn,
                plan_id,
                now is None,
                tuple(sorted((k, _key_part(v)) for k, v in kwargs.items() if k not in ("db", "now"))),
            )
            hash(key)
        except TypeError:
            return fn(*args, **kwargs)
        revision = current_revision(db, plan_id)
        if revision is None:
            return fn(*args, **kwargs)
        slot = answers.slot(key)
        kept = slot.answer
        if _fits(kept, revision, now):
            answers.hits += 1
            return kept.value  # type: ignore[union-attr]
        with slot.lock:
            kept = slot.answer
            if _fits(kept, revision, now):
                answers.hits += 1
                return kept.value  # type: ignore[union-attr]
            value = freeze(fn(*args, **kwargs))
            answers.builds += 1
            since = until = None
            if now is not None:
                found, until = _next_meeting_start(value)
                if not found:
                    return value  # cannot tell how long it holds: not kept
                since = now
            if kept is None or kept.revision[0] != revision[0] or kept.revision[1] <= revision[1]:
                slot.answer = _Answer(revision, value, since, until)  # never replace a newer answer
            return value

    answer.uncached = fn  # type: ignore[attr-defined]
    return cast(Callable[P, R], answer)
