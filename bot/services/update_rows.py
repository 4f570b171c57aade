"""A progress update's row: the key it is stored under, and the INSERT that gives way to a racing
request's row on that key (bot.services.updates decides what the row says)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from bot.services.update_checks import MAX_KEY_CHARS
from models import ProgressUpdate
from models.revision import PLAN_WRITTEN


def scoped_key(key: str, digest: str) -> str:
    """The key a different request sent with an already-used key is stored under (unique per plan)."""
    return f"{key[: MAX_KEY_CHARS - 17]}#{digest[:16]}"


def find_update(db: Session, plan_id: int, key: str, digest: str) -> ProgressUpdate | None:
    """The update this very request (same key and digest) already recorded, if any."""
    return db.scalars(
        select(ProgressUpdate).where(
            ProgressUpdate.plan_id == plan_id,
            ProgressUpdate.idempotency_key.in_([key, scoped_key(key, digest)]),
            ProgressUpdate.request_digest == digest,
        )
    ).first()


def insert_giving_way(db: Session, row: dict[str, Any], key: str) -> tuple[ProgressUpdate, bool]:
    """Insert the update, or give way if a racing request took its key first: then (the update that
    request recorded, True) when it was this same request, else ours again under the scoped key. A key
    taken even so (the same scoped key: never in practice) fails as a unique key does."""
    digest, plan_id = row["request_digest"], row["plan_id"]
    written = {PLAN_WRITTEN: plan_id}
    new_id = db.execute(_giving_way(db), row, execution_options=written).scalar()
    if new_id is None:
        earlier = find_update(db, plan_id, key, digest)
        if earlier is not None:
            return earlier, True
        row = {**row, "idempotency_key": scoped_key(key, digest)}
        new_id = db.execute(_INSERT, row, execution_options=written).scalar_one()
    return _as_loaded(db, ProgressUpdate(id=new_id, **row)), False


_TABLE: Table = ProgressUpdate.__table__  # type: ignore[assignment]
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
_GIVING_WAY = {
    name: dialect.insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _giving_way(db: Session) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, in the dialect's words (both databases have it)."""
    return _GIVING_WAY[db.get_bind().dialect.name]


def _as_loaded(db: Session, row: ProgressUpdate) -> ProgressUpdate:
    """The row just inserted, in the session as if read back (no statement): what it was given is loaded,
    the rest (its defaults) is read if asked for."""
    make_transient_to_detached(row)
    db.add(row)
    return row
