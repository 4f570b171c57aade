"""inspection fidelity: lead inspector, action plan sent, earlier inspections

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

The inspection gains its lead inspector and the day the council sent Ofsted its action plan (the bot
shows the 70-working-day deadline until then). Earlier inspections and visits get their own table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "earlier_inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("earlier_inspection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_earlier_inspection_plan_id"), ["plan_id"], unique=False)
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_inspector", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("action_plan_sent", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_column("action_plan_sent")
        batch_op.drop_column("lead_inspector")
    with op.batch_alter_table("earlier_inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_earlier_inspection_plan_id"))
    op.drop_table("earlier_inspection")
