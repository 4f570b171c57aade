"""owners' workflow: revised due dates

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

milestone.baseline_due: the plan's original due date, kept once a revised one is approved.
milestone.due_revised_by / due_revised_on: who approved the latest revision, and when.
milestone.due_requested / due_request_reason / due_requested_by_id: a revision awaiting the chair.
progress_update.reopen_reason: why a complete milestone was reopened (history and export, not only audit).
area.thread_cycle: the board cycle an area's announcement thread belongs to (one thread per cycle).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reopen_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_cycle", sa.Date(), nullable=True))
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.add_column(sa.Column("baseline_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_revised_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("due_revised_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_requested", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_request_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("due_requested_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_milestone_due_requested_by", "person", ["due_requested_by_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_constraint("fk_milestone_due_requested_by", type_="foreignkey")
        for column in (
            "due_requested_by_id",
            "due_request_reason",
            "due_requested",
            "due_revised_on",
            "due_revised_by",
            "baseline_due",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_column("thread_cycle")
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.drop_column("reopen_reason")
