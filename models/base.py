"""Declarative base and the column types every table shares."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData, String, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapper
from sqlalchemy.types import TypeDecorator

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC.

    SQLite has no time zones, so values come back naive; this type makes every value that leaves the
    database aware (UTC) and refuses naive values going in, so local time can never slip in unnoticed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


E = TypeVar("E", bound=StrEnum)


class StrEnumType(TypeDecorator[E]):
    """A ``StrEnum`` stored as its plain string value in a ``VARCHAR(length)`` column.

    The column stays the same ``String`` it always was (no migration, no data change: the stored
    words are the enum's values), but rows come back as enum members and only members' values go in,
    so a misspelt status can never reach the database.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum
        self._members: dict[str, E] = {member.value: member for member in enum}  # rows by the thousand

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        if value is None:
            return None
        member = self._members.get(value)
        return self.enum(value) if member is None else member  # an unknown word raises as before


@event.listens_for(Mapper, "mapper_configured")
def _enum_attributes(mapper: Mapper[Any], class_: type) -> None:
    """A word assigned to an enum column becomes the member at once, not only once reloaded."""
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        if isinstance(column_type, StrEnumType):
            event.listen(getattr(class_, prop.key), "set", _to_member(column_type.enum), retval=True)


def _to_member(enum: type[StrEnum]) -> Any:
    def convert(target: Any, value: Any, old: Any, initiator: Any) -> Any:
        return enum(value) if isinstance(value, str) else value

    return convert
