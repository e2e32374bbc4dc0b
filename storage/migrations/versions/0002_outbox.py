"""outbox: every message owed to someone, with its delivery state

Revision ID: 0002_outbox
Revises: 0001_foundation
Create Date: 2026-11-25 18:08:54.379171
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0002_outbox"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=400), nullable=False),
        sa.Column("conversation_id", sa.String(length=400), nullable=True),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("fallback_text", sa.Text(), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("not_before", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.Column("created_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("leased_until", storage.tables.Timestamp(timezone=True), nullable=True),
        sa.Column("sent_at", storage.tables.Timestamp(timezone=True), nullable=True),
        sa.Column("sent_conversation_id", sa.String(length=400), nullable=True),
        sa.Column("activity_id", sa.String(length=400), nullable=True),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["outbox.id"], name=op.f("fk_outbox_replaces_id_outbox")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_state_not_before"), ["state", "not_before"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_state_not_before"))

    op.drop_table("outbox")
