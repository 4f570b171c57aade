"""plan revision: a counter every committed write bumps, for the read model's cache

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

plan_revision: one row per plan (revision, and a token drawn when the row is made), read with one
indexed single-row statement before a cached answer is used (models/revision.py says who bumps it).
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "plan_revision",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_revision_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_revision")),
    )
    plans = op.get_bind().execute(sa.text("SELECT id FROM plan")).scalars().all()
    if plans:
        op.bulk_insert(table, [{"plan_id": p, "revision": 1, "token": uuid.uuid4().hex} for p in plans])


def downgrade() -> None:
    op.drop_table("plan_revision")
