"""What the running bot shares between requests: the session factory, the clock, the plan."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time
from time import monotonic

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.channels import ChannelIds
from bot.services import read_model
from bot.services.errors import NotFound
from bot.services.schedule import PostTimes
from bot.settings import Settings
from models import Plan
from models.db import Sessions, check_connection, make_engine, make_sessionmaker, upgrade
from models.vocab import Source


@dataclass
class _Known:
    """Shared by a Deps and the copies for_plan makes of it."""

    plan_ids: tuple[int, ...] = ()
    timezones: dict[int, str] = field(default_factory=dict)
    plan_id: int | None = None  # the one plan served (QIB_PLAN, or the only one), once looked up


class OutboxBell:
    """Rung after a commit that queued posts in the outbox (bot.services.outbox). What it wakes is set
    by the runtime: the worker thread of a long-running process, or, where nothing may outlive the
    request (process_before_response, the console), the worker run in the ringing thread.

    It also counts the requests being answered, so that the worker thread can wait for a lull: under a
    burst the acks get the CPU first, and the posts follow a moment later."""

    def __init__(self) -> None:
        self._answer: Callable[[], None] = lambda: None
        self._lock = threading.Lock()
        self._serving = 0
        self._last_done = 0.0

    def answer_with(self, answer: Callable[[], None]) -> None:
        self._answer = answer

    def ring(self) -> None:
        self._answer()

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Around one request's answer."""
        with self._lock:
            self._serving += 1
        try:
            yield
        finally:
            with self._lock:
                self._serving -= 1
                self._last_done = monotonic()

    def quiet(self, for_seconds: float) -> bool:
        """No request is being answered, and none was for `for_seconds`."""
        with self._lock:
            return self._serving == 0 and monotonic() - self._last_done >= for_seconds


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    engine: Engine
    sessions: Sessions
    clock: Callable[[], datetime] = utc_now
    plan_selector: str | None = None
    source: Source = Source.SLACK  # recorded on what is written: slack, or console
    channel_ids: ChannelIds = field(default_factory=ChannelIds, repr=False)  # board channel names -> ids
    outbox: OutboxBell = field(default_factory=OutboxBell, repr=False)  # shared by for_plan's copies
    _plan_id: int | None = field(default=None, repr=False)
    _for_plan: int | None = field(default=None, repr=False)  # set by for_plan
    _timezone: str | None = field(default=None, repr=False)
    # The last plan list and time zones read: a request must not fail on them while the database is
    # away (it then fails, or is kept, where its own work meets the outage, as with one plan).
    _known: _Known = field(default_factory=lambda: _Known(), repr=False)

    def plan_id(self) -> int:
        """The plan this bot serves, looked up once: the pinned one (QIB_PLAN, or a copy made by
        for_plan), else the only one. With several plans a request resolves its own (handlers.context)."""
        if self._plan_id is not None:
            return self._plan_id
        if self._known.plan_id is None:  # shared with the copies for_request makes
            with self.sessions() as db:
                self._known.plan_id = resolve_plan_id(db, self.plan_selector)
        return self._known.plan_id

    @property
    def pinned(self) -> bool:
        """Does this process (or this copy) serve one plan only, whatever the database holds?"""
        return self._for_plan is not None or bool(self.plan_selector)

    def plan_ids(self) -> list[int]:
        """Every plan this process serves: the pinned one, or all in the database (NotFound if none)."""
        if self.pinned:
            return [self.plan_id()]
        try:
            with self.sessions() as db:
                ids = read_model.plan_ids(db)  # with every plan's revision: no second statement to answer
        except DBAPIError:
            if not self._known.plan_ids:
                raise
            return list(self._known.plan_ids)
        if not ids:
            raise NotFound(NO_PLAN)
        self._known.plan_ids = tuple(ids)
        return ids

    def has_served(self, plan_id: int) -> bool:
        """Is this a plan this process has found in the database (the last plan list it read)? A form
        made for it needs no list to be read again: if the plan has gone since, its write finds nothing."""
        return plan_id in self._known.plan_ids

    def for_request(self) -> Deps:
        """A copy for one request (bot.app puts it in the request's context): its sessions share a memo of
        the plan revisions read, so a warm request costs one statement however many sessions it opens
        (models.db.Sessions.for_request)."""
        return replace(self, sessions=self.sessions.for_request())

    def for_plan(self, plan_id: int) -> Deps:
        """A copy serving `plan_id` only, sharing the sessions, clock and channel ids."""
        return replace(self, _plan_id=plan_id, _for_plan=plan_id, _timezone=None)

    def timezone(self) -> str:
        """The plan's time zone, which decides what "today" is."""
        if self._timezone is None:
            self._timezone = self.timezone_of(self.plan_id())
        return self._timezone

    def timezone_of(self, plan_id: int) -> str:
        """A plan's time zone, read once per process (as the one plan's always was)."""
        if plan_id not in self._known.timezones:
            with self.sessions() as db:
                tz = db.scalar(select(Plan.timezone).where(Plan.id == plan_id)) or "Europe/London"
            self._known.timezones[plan_id] = tz
        return self._known.timezones[plan_id]


NO_PLAN = "The database holds no plan yet: run `qib seed` or `qib import FILE`."


def resolve_plan_id(db: Session, selector: str | None) -> int:
    if selector:
        query = select(Plan.id).where(Plan.title == selector)
        if selector.isascii() and selector.isdigit() and len(selector) <= 18:
            query = select(Plan.id).where(Plan.id == int(selector))
        found = db.scalar(query)
        if found is None:
            raise NotFound(f'No plan "{selector}" in the database (see `qib plan --list`).')
        return found
    ids = list(db.scalars(select(Plan.id).order_by(Plan.id).limit(2)))
    if not ids:
        raise NotFound(NO_PLAN)
    if len(ids) > 1:
        count = db.scalar(select(func.count(Plan.id)))
        raise NotFound(f"The database holds {count} plans: set QIB_PLAN to the title or id of one.")
    return ids[0]


# The bot's requests (and /healthz) never wait on one statement longer than this.
WEB_STATEMENT_TIMEOUT_MS = 15_000


def open_database(
    settings: Settings, *, migrate: bool = True, statement_timeout_ms: int | None = None
) -> tuple[Engine, Sessions]:
    """Connect and bring the schema up to date, so no command runs against an old database.

    Raises DatabaseUnavailable (one line) when DATABASE_URL cannot be opened at all.
    """
    engine = make_engine(settings.database_url, statement_timeout_ms=statement_timeout_ms)
    check_connection(engine)
    if migrate:
        upgrade(engine)
    return engine, make_sessionmaker(engine)


def build_deps(
    settings: Settings, *, clock: Callable[[], datetime] = utc_now, statement_timeout_ms: int | None = None
) -> Deps:
    engine, sessions = open_database(settings, statement_timeout_ms=statement_timeout_ms)
    return Deps(engine=engine, sessions=sessions, clock=clock, plan_selector=settings.qib_plan)


def post_times(settings: Settings) -> PostTimes:
    """The deployment's digest settings, which win over the plan file's."""
    return PostTimes(
        digest_working_days=settings.digest_working_days,
        reminder_working_days=settings.reminder_working_days,
        digest_time=time.fromisoformat(settings.digest_time) if settings.digest_time else None,
    )
