"""privacy officer and redaction

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

person.is_privacy_officer: the plan's privacy officer, told of every personal-data override.
progress_update.redacted_at: when an update's text was redacted.
posted_message: the Slack messages that carry an update's text (so a redaction can edit them).
redaction_edit: the Slack edits a redaction still has to make, retried by the scheduler.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_privacy_officer", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redacted_at", UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "posted_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=80), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_posted_message_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["progress_update.id"],
            name=op.f("fk_posted_message_update_id_progress_update"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posted_message")),
    )
    with op.batch_alter_table("posted_message", schema=None) as batch_op:
        batch_op.create_index("ix_posted_message_update", ["update_id"], unique=False)
    op.create_table(
        "redaction_edit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=32), nullable=True),
        sa.Column("channel", sa.String(length=80), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("find_text", sa.String(length=500), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("reported", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_redaction_edit_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["progress_update.id"],
            name=op.f("fk_redaction_edit_update_id_progress_update"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction_edit")),
    )
    with op.batch_alter_table("redaction_edit", schema=None) as batch_op:
        batch_op.create_index("ix_redaction_edit_pending", ["plan_id", "done_at"], unique=False)


def downgrade() -> None:
    op.drop_table("redaction_edit")
    op.drop_table("posted_message")
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.drop_column("redacted_at")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("is_privacy_officer")
