"""measures

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Performance measures (a target and a value per period) and the areas and priorities they speak to.
measure_value is append-only; (plan_id, measure_id, period, id) reads a period's latest value off the
end of the index and every value of a plan in one range.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("question", sa.Integer(), nullable=True),
        sa.Column("question_text", sa.String(length=500), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("amber_within", sa.Float(), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_measure_owner_id_person"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_measure_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_measure_plan_id_code")),
    )
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "measure_area",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_measure_area_area_id_area"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_area_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("measure_id", "area_id", name=op.f("pk_measure_area")),
    )
    op.create_table(
        "measure_priority",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_priority_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priority.id"],
            name=op.f("fk_measure_priority_priority_id_priority"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("measure_id", "priority_id", name=op.f("pk_measure_priority")),
    )
    op.create_table(
        "measure_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["person.id"], name=op.f("fk_measure_value_author_id_person"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_value_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_measure_value_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_value")),
    )
    with op.batch_alter_table("measure_value", schema=None) as batch_op:
        batch_op.create_index(
            "ix_measure_value_plan_measure_period", ["plan_id", "measure_id", "period", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("measure_value", schema=None) as batch_op:
        batch_op.drop_index("ix_measure_value_plan_measure_period")
    op.drop_table("measure_value")
    op.drop_table("measure_priority")
    op.drop_table("measure_area")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_plan_id"))
    op.drop_table("measure")
