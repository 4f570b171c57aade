"""corrections: an update can be corrected or withdrawn by its author (or an admin) within 7 days

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

progress_update.superseded_at: when the update was corrected or withdrawn; it then drops out of every
view (status, history, digest, summary, export) and its text stays only in the audit trail.
progress_update.corrects_id: the update a correction replaces.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("corrects_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_progress_update_corrects", "progress_update", ["corrects_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.drop_constraint("fk_progress_update_corrects", type_="foreignkey")
        batch_op.drop_column("corrects_id")
        batch_op.drop_column("superseded_at")
