"""The rows one import wrote, kept so that later tests get the same plan by inserting them again: the
real importer runs once per worker instead of once per test (it costs a third of a second a time)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, func, select, update

from models import Base, OutboxMessage
from models.revision import PlanRevision, new_token
from qib_testing.bots import Bot
from qib_testing.slack_standin import FakeSlack, SlackCopy

T = TypeVar("T")


def empty_all_tables(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        _empty_sqlite(engine)
        return
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def _empty_sqlite(engine: Engine) -> None:
    """Every table emptied with SQLite's foreign-key checks off: for a table that points into itself (an
    update naming the one it corrects) they read the whole table again for each row deleted, and 6,000
    updates took 7 s. Every table is emptied, so there is nothing for them to find. The pragma is only
    read outside a transaction, so this runs on the driver's connection, which is left with them on."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        try:
            cursor.execute("BEGIN IMMEDIATE")
            try:
                for table in reversed(Base.metadata.sorted_tables):
                    cursor.execute(f'DELETE FROM "{table.name}"')
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")
        finally:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    finally:
        raw.close()


@dataclass
class RowSnapshot:
    """Every row of every table, in the order the tables can be filled (parents first)."""

    rows: list[tuple[Table, list[dict[str, Any]]]]

    @classmethod
    def take(cls, engine: Engine) -> RowSnapshot:
        with engine.connect() as conn:
            return cls(
                [
                    (table, [dict(row) for row in conn.execute(select(table)).mappings()])
                    for table in Base.metadata.sorted_tables
                ]
            )

    def restore(self, engine: Engine) -> None:
        """Insert the rows again (the tables are empty). A column pointing into its own table (a
        correction's update, a person's delegate) is set once all the rows are there; a plan's revision
        gets a token of its own, as a new import's does (shared caches are keyed by it); and on
        PostgreSQL each id sequence moves past the ids inserted, so new rows do not collide."""
        with engine.begin() as conn:
            for table, rows in self.rows:
                if not rows:
                    continue
                own = _self_references(table)
                fresh = {"token": new_token()} if table is PlanRevision.__table__ else {}
                conn.execute(table.insert(), [{**row, **dict.fromkeys(own), **fresh} for row in rows])
                later = [row for row in rows if any(row[c] is not None for c in own)]
                for row in later:
                    key = [col == row[col.name] for col in table.primary_key.columns]
                    conn.execute(update(table).where(*key).values({c: row[c] for c in own}))
            if engine.dialect.name == "postgresql":
                for table, rows in self.rows:
                    serial = table.autoincrement_column
                    if rows and serial is not None:
                        sequence = func.pg_get_serial_sequence(table.name, serial.name)
                        conn.execute(select(func.setval(sequence, max(row[serial.name] for row in rows))))


def _self_references(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


@dataclass
class _Kept:
    rows: RowSnapshot
    slack: SlackCopy
    clock: datetime | None
    next_number: int | None
    value: Any


class ArrangedOnce:
    """What a fixture arranges through the real bot (a played month, a posted digest), arranged by the
    first test of a module on its worker and kept: each later test gets the very rows inserted again, a
    copy of the Slack stand-in's state and, given the bot, its clock and its next request number, as if
    it had arranged them itself. Hold it in a module-scoped fixture (its tests then share one worker)."""

    def __init__(self) -> None:
        self._kept: dict[str, _Kept] = {}

    def once(
        self, key: str, engine: Engine, slack: FakeSlack, arrange: Callable[[], T], *, bot: Bot | None = None
    ) -> T:
        kept = self._kept.get(key)
        if kept is None:
            value = arrange()
            _wait_outbox_done(engine)  # nothing left for the next test's bot to post again
            number = None
            if bot is not None:  # the bot's request numbers go on from where the arranging left them
                number = next(bot._n)
                bot._n = itertools.count(number)
            self._kept[key] = _Kept(
                RowSnapshot.take(engine), slack.copy_state(), bot.clock[0] if bot else None, number, value
            )
            return value
        empty_all_tables(engine)
        kept.rows.restore(engine)
        slack.load_state(kept.slack)
        if bot is not None and kept.clock is not None and kept.next_number is not None:
            bot.clock[0] = kept.clock
            bot._n = itertools.count(kept.next_number)
        return kept.value  # type: ignore[no-any-return]


def _wait_outbox_done(engine: Engine, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            waiting = conn.scalar(select(func.count()).where(OutboxMessage.done_at.is_(None)))
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{waiting} outbox rows still waiting {timeout}s after the arranging")
        time.sleep(0.02)
