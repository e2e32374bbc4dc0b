"""outbox: batches of bulk messages (a campaign's broadcast), counted and cancelled together

Revision ID: 0014_outbox_batches
Revises: 0013_campaigns
Create Date: 2026-12-06 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0014_outbox_batches"
down_revision: str | None = "0013_campaigns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: a replica still on the code before this revision queues interactive messages
    # (no batch) and claims as before; it never claims a cancelled row, whose state it does
    # not know, since it claims only pending rows and expired leases.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch", sa.String(length=120), nullable=True))
        batch_op.add_column(
            sa.Column("cancelled_at", storage.tables.Timestamp(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_outbox_batch", ["batch"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_batch")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("batch")
