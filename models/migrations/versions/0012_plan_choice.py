"""plan_choice: the plan each person last chose, for a deployment serving several plans

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

One row per Slack user id: `/qib plan NAME` (or the plan chooser) records it, and DMs and the App Home
answer about that plan until the person switches. Deleting a plan deletes the choices of it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_choice",
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("chosen_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_choice_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("slack_user_id", name=op.f("pk_plan_choice")),
    )
    op.create_index(op.f("ix_plan_choice_plan_id"), "plan_choice", ["plan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_choice_plan_id"), table_name="plan_choice")
    op.drop_table("plan_choice")
