"""outbox: when each message was first owed, for the oldest pending age

Revision ID: 0005_outbox_due_at
Revises: 0004_decisions
Create Date: 2026-11-26 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0005_outbox_due_at"
down_revision: str | None = "0004_decisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("due_at", storage.tables.Timestamp(timezone=True), nullable=True)
        )
    # Rows queued so far were owed from the moment they were queued.
    op.execute("UPDATE outbox SET due_at = created_at")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        # With a default, a replica still running the code before this revision (which does
        # not know the column) can go on queueing messages during a rolling deploy.
        batch_op.alter_column("due_at", existing_type=storage.tables.Timestamp(timezone=True),
                              nullable=False, server_default=sa.text("CURRENT_TIMESTAMP"))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("due_at")
