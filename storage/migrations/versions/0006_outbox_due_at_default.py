"""outbox: a default for due_at, so that replicas on older code can queue during a deploy

Revision ID: 0006_outbox_due_at_default
Revises: 0005_outbox_due_at
Create Date: 2026-12-06 00:40:00

Databases upgraded by 0005 before it gave the column a default get it here; on the others
this changes nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0006_outbox_due_at_default"
down_revision: str | None = "0005_outbox_due_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("due_at", existing_type=storage.tables.Timestamp(timezone=True),
                              existing_nullable=False,
                              server_default=sa.text("CURRENT_TIMESTAMP"))


def downgrade() -> None:
    pass  # 0005 gives the column this default now: going back to it keeps the default
