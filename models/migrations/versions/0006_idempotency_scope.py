"""progress update request digest

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

An idempotency key alone (a view id, a trigger id) must not make one person's update a "replay" of
another's: each update now keeps a digest of who sent it, for which milestone, with what content, and a
key only matches an earlier update whose digest is the same. Rows from before (and updates imported
from a plan file) have none and are never taken for a replay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.drop_column("request_digest")
