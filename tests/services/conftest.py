"""What the read model's tests share: sessions that use kept answers, and a statement counter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

from bot.services import read_model
from models.db import Sessions, make_sessionmaker

_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@pytest.fixture
def kept(engine: Engine) -> Sessions:
    """Sessions whose reads use kept answers, as the bot's are (none kept yet)."""
    read_model.answers.clear()
    return make_sessionmaker(engine)


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """The statements run on `engine` inside the block, transaction control left out."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
