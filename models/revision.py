"""The plan revision: a counter every committed write bumps, in the same transaction, so that a cached
answer (bot.services.read_model) can tell with one indexed single-row read whether it is still current,
in this process or after a write made by another one.

How writes are seen, all through SQLAlchemy Session events installed once for every Session
(``install()``, run when ``models`` is imported, and again, harmlessly, by models.db.Sessions):

- ORM changes: ``after_flush`` records the plans of the new, changed and deleted objects. An object
  with a ``plan_id`` (or a Plan itself) names its plan; anything else (a progress update, a person's
  delegate, an association row) marks *every* plan. Bumping too often only costs a rebuild; bumping
  too rarely would serve a stale answer, so whenever the plan is not known cheaply, all plans move.
- Core writes through the session (``db.execute(update(...))``, insert, delete, or a text statement
  that starts with one of those): ``do_orm_execute`` marks every plan, or the one plan a write names
  in its ``PLAN_WRITTEN`` execution option (bot.services.audit).
- ``before_commit`` of the outermost transaction (never a savepoint, whose rollback could undo the
  bump while the writes outside it stay) flushes, creates the row of a plan inserted in this
  transaction, then runs one ``UPDATE plan_revision SET revision = revision + 1`` (for the plans named,
  or all); on PostgreSQL that UPDATE and the COMMIT go to the server as one message. The marks are forgotten when the outermost transaction ends, committed or not.
- Schema migrations bump every plan from models/migrations/env.py (``bump_all``).

Writes made on a bare Connection (not through a Session) are not seen: call ``bump_all`` there.
A plan without a row (inserted by hand-written SQL) is simply never cached.

``token`` is drawn afresh whenever a row is created: a plan deleted and made again (or a database
emptied and loaded again, as the tests do) restarts its counter, and the token keeps the new plan's
revision 1 from being mistaken for the old plan's.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    ForeignKey,
    String,
    event,
    exists,
    insert,
    inspect,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column
from sqlalchemy.sql.elements import TextClause

from models.base import Base
from models.plan import Plan

WRITES = "qib_plan_writes"  # session.info: the plan ids written in this transaction, or ALL
NEW_PLANS = "qib_new_plans"  # session.info: a plan was inserted in this transaction
READ_MODEL = "qib_read_model"  # session.info: reads may use kept answers (bot.services.read_model)
READER = "qib_reader"  # session.info: a reading session (models.db.Sessions), which must not write
SEEN = "qib_revisions_seen"  # session.info: the revisions this transaction has read (bot.services.read_model)
# session.info: the revisions (and the plan list) read by any session of one request, a dict shared by
# all of them (models.db.Sessions.for_request; bot.services.read_model)
REQUEST = "qib_request_revisions"
_COMMITTING = "qib_committing_writes"  # session.info: the commit under way carries writes
_BUMPING = "qib_bumping"  # session.info: the bump itself is running (not a write to record)
ALL = "all"
NOT_READ = "qib_not_read"  # Table.info: no query reads this table, so its writes bump no revision
# An execution option of a Core write through a session: the one plan it writes (only that plan moves)
PLAN_WRITTEN = "qib_plan_written"


def new_token() -> str:
    return uuid.uuid4().hex


class PlanRevision(Base):
    """One row per plan: its revision, bumped by every committed write (see the module docstring)."""

    __tablename__ = "plan_revision"
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, default=1)
    token: Mapped[str] = mapped_column(String(32), default=new_token)


def wrote(session: Session) -> bool:
    """Whether this session has written (or is about to write) in its current transaction: its reads then
    see changes no other session can see yet, so they must not fill or use a shared cache."""
    return bool(session.info.get(WRITES)) or bool(session.new or session.dirty or session.deleted)


def _mark(session: Session, plans: set[int] | str) -> None:
    if session.info.get(_BUMPING):
        return
    seen = session.info.get(WRITES)
    if seen == ALL:
        return
    if plans == ALL:
        session.info[WRITES] = ALL
        return
    assert isinstance(plans, set)
    session.info[WRITES] = (seen or set()) | plans


class ReadingSessionWrote(RuntimeError):
    """A write through a reading session: `sessions()` reads, `sessions.begin()` writes. On PostgreSQL a
    reading session runs in autocommit, where the write would land at once and alone."""


def _refuse_in_reader(session: Session) -> None:
    if session.info.get(READER):
        raise ReadingSessionWrote("a reading session cannot write: use sessions.begin()")


def _before_flush(session: Session, _flush_context: UOWTransaction, _instances: Any) -> None:
    if not session.info.get(READER):
        return  # a writing session: nothing to look at
    if session.new or session.deleted or any(session.is_modified(obj) for obj in session.dirty):
        _refuse_in_reader(session)


def _after_flush(session: Session, _flush_context: UOWTransaction) -> None:
    plans: set[int] = set()
    if any(isinstance(obj, Plan) for obj in session.new):
        session.info[NEW_PLANS] = True
    for obj in (*session.new, *session.dirty, *session.deleted):
        if _not_read(getattr(obj, "__table__", None)):
            continue
        if isinstance(obj, Plan):
            plans.add(obj.id)
            continue
        plan_id = getattr(obj, "plan_id", None)
        if not isinstance(plan_id, int):
            _mark(session, ALL)
            return
        plans.add(plan_id)
    _mark(session, plans)


_WRITE_WORDS = ("INSERT", "UPDATE", "DELETE", "MERGE")


def _not_read(table: Any) -> bool:
    return table is not None and bool(getattr(table, "info", {}).get(NOT_READ))


def _do_orm_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _refuse_in_reader(state.session)
        if _not_read(getattr(state.statement, "table", None)):
            return
        named = state.execution_options.get(PLAN_WRITTEN)
        if isinstance(named, int):
            _mark(state.session, {named})
            return
        _mark(state.session, ALL)
        if state.is_insert:
            state.session.info[NEW_PLANS] = True  # cheap to check at commit; a Core insert may be a plan
    elif isinstance(state.statement, TextClause) and str(state.statement).lstrip().upper().startswith(
        _WRITE_WORDS
    ):
        _refuse_in_reader(state.session)
        _mark(state.session, ALL)
        state.session.info[NEW_PLANS] = True


def _bump(session: Session) -> None:
    """Run at the outermost commit: the rows of new plans, then one UPDATE for the plans written (with
    the COMMIT itself where _commits_with_the_bump)."""
    written = session.info.get(WRITES)
    if not written:
        return
    session.info[_BUMPING] = True
    try:
        if session.info.get(NEW_PLANS):
            session.execute(_missing_rows())
        if _commits_with_the_bump(session):
            session.connection().exec_driver_sql(_bump_and_commit(written))
            return
        bump = update(PlanRevision).values(revision=PlanRevision.revision + 1)
        if written != ALL:
            bump = bump.where(PlanRevision.plan_id.in_(sorted(written)))
        session.execute(bump, execution_options={"synchronize_session": False})
    finally:
        session.info.pop(_BUMPING, None)


def _commits_with_the_bump(session: Session) -> bool:
    """Whether the bump and the COMMIT can go to PostgreSQL as one message. Every writer of a plan
    updates its one revision row, so each holds that row's lock from the bump until its COMMIT; sent
    apart, the lock is held across a round trip and the wait for this thread's turn at the GIL, and
    under a burst of saves the writers queue behind each other (200 at once: 81 of them waited on the
    row, up to 200 ms each). Sent together, the server commits at once. Only for a session bound to an
    engine: one bound to a connection (the dry run's) may be inside a transaction it must not commit.
    The driver then finds no transaction open, so the session's own COMMIT costs nothing."""
    return isinstance(session.bind, Engine) and session.bind.dialect.name == "postgresql"


def _bump_and_commit(written: set[int] | str) -> str:
    """Plain SQL with the plan ids written in (integers: nothing typed reaches it), so that it goes by
    the simple protocol, the only one that carries two statements in one message."""
    where = ""
    if isinstance(written, set):
        where = f" WHERE plan_id IN ({', '.join(str(int(plan_id)) for plan_id in sorted(written))})"
    return f"UPDATE plan_revision SET revision = revision + 1{where}; COMMIT"


def _missing_rows() -> Any:
    """INSERT a row for every plan that has none (the plans created in this transaction)."""
    # The token is drawn in SQL-free Python per statement; rows created together share it, which is
    # fine: they are different plans, and the key is (plan, token, revision).
    return insert(PlanRevision).from_select(
        ["plan_id", "revision", "token"],
        select(Plan.id, literal(1), literal(new_token())).where(
            ~exists().where(PlanRevision.plan_id == Plan.id)
        ),
    )


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.flush()  # commit flushes after this event; flush first so that every write is recorded
    if session.info.get(WRITES):
        session.info[_COMMITTING] = True
    _bump(session)
    _forget(session)


# Commits of writes made in this process so far. A revision remembered by a reading session
# (bot.services.read_model) holds only while this has not moved: a request that writes in one session and
# then reads in another it opened before must see its own write, so any write committed here makes
# every session read the revision again. Writes by other processes are seen by the next session.
_writes_committed = 0
_counting = threading.Lock()


def writes_committed() -> int:
    return _writes_committed


def _after_commit(session: Session) -> None:
    global _writes_committed
    if session.info.pop(_COMMITTING, None):
        with _counting:
            _writes_committed += 1


def _forget(session: Session) -> None:
    session.info.pop(WRITES, None)
    session.info.pop(NEW_PLANS, None)
    session.info.pop(SEEN, None)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        _forget(session)


_installed = False


def install() -> None:
    """Listen on every Session (idempotent): all writes in this process bump the revision."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_transaction_end", _after_transaction_end)
    _installed = True


def bump_all(connection: Connection) -> None:
    """Bump every plan on a bare connection (schema migrations, hand-written maintenance SQL)."""
    if not inspect(connection).has_table("plan_revision"):
        return
    connection.execute(update(PlanRevision).values(revision=PlanRevision.revision + 1))
    connection.execute(_missing_rows())


install()  # on import of models: no process can write through a Session without bumping
