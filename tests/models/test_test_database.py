"""`make test` against a server where the `test` database does not exist yet."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import RunDatabaseUnavailable, run_database

# The server the PostgreSQL tests use (the Makefile's PG_TEST_URL when this run is on SQLite).
SERVER = os.environ.get("QIB_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_the_run_database_is_created_through_the_maintenance_database_when_the_named_one_is_missing():
    missing = make_url(SERVER).set(database="qib_no_such_database").render_as_string(hide_password=False)
    with run_database(missing) as url:
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_database()")).scalar() == make_url(url).database
        engine.dispose()


def test_an_unreachable_server_is_one_line_naming_what_is_missing():
    with (
        pytest.raises(RunDatabaseUnavailable) as caught,
        run_database("postgresql+psycopg://postgres@127.0.0.1:1/test"),
    ):
        pass
    message = str(caught.value)
    assert message.startswith("QIB_TEST_DATABASE_URL: cannot open the database ")
    assert "Connection refused" in message and "\n" not in message
