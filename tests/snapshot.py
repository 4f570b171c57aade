"""The rows one import wrote, kept so that later tests get the same plan by inserting them again: the
real importer runs once per worker instead of once per test (it costs a third of a second a time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, func, select, update

from models import Base
from models.revision import PlanRevision, new_token


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
