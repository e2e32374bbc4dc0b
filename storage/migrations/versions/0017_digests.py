"""digests: the workforce's "you said, we did", prepared and sent by the PMO

Revision ID: 0017_digests
Revises: 0016_campaign_answers
Create Date: 2026-12-06 06:10:00

A new table: code before this one never reads it, so replicas on it keep running.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0017_digests"
down_revision: str | None = "0016_campaign_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.tables.Timestamp(timezone=True)
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("covers_from", moment, nullable=False),
        sa.Column("covers_to", moment, nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("sent_at", moment, nullable=True),
        sa.Column("sent_by", sa.String(length=200), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
    )
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.create_index("ix_digests_state_covers_to", ["state", "covers_to"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.drop_index("ix_digests_state_covers_to")
    op.drop_table("digests")
