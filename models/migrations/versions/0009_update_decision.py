"""a decision needed from the board, on a progress update

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

progress_update.decision: what the owner needs the board to decide (optional), shown in the digest's
"Decisions for the board" while it is the milestone's latest word.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.drop_column("decision")
