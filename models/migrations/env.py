"""Alembic environment: the engine comes from the caller (models.db.upgrade), never from a URL here."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from models import Base
from models.revision import bump_all

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic` run by hand: take the URL from the settings
    from bot.settings import load_settings

    engine = create_engine(load_settings().database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        bump_all(connection)  # a migration may change what the plan's answers say
    connection.commit()
