"""outbox faults and retention: a breaker per destination, and sent rows' payloads purged

Revision ID: 0023_outbox_breakers
Revises: 0022_match_due
Create Date: 2026-12-06 09:30:00

A new table and a new nullable outbox column with indexes: code before this one never reads
them, so replicas on it keep running.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0023_outbox_breakers"
down_revision: str | None = "0022_match_due"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.tables.Timestamp(timezone=True)
    op.create_table(
        "delivery_breakers",
        sa.Column("conversation_id", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("opened_at", moment, nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("probe_at", moment, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_delivery_breakers")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", moment, nullable=True))
        batch_op.create_index("ix_outbox_state_purged_at_sent_at_id",
                              ["state", "purged_at", "sent_at", "id"], unique=False)
        batch_op.create_index("ix_outbox_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_outbox_replaces_id", ["replaces_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_replaces_id")
        batch_op.drop_index("ix_outbox_created_at")
        batch_op.drop_index("ix_outbox_state_purged_at_sent_at_id")
        batch_op.drop_column("purged_at")
    op.drop_table("delivery_breakers")
