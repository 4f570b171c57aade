"""plan.as_at: the day a plan file's statuses describe

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

A plan imported from a board paper describes the plan on the paper's date; the console starts its
clock there so that a first run shows the plan as the board saw it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("as_at", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("as_at")
