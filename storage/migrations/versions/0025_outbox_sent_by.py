"""outbox: which worker sent each message, so that replicas pace chats and tenants together

Revision ID: 0025_outbox_sent_by
Revises: 0024_outbox_unsent_index
Create Date: 2026-12-06 18:45:00

A new nullable column: replicas on the code before it neither write nor read it, and those on
this code take a row without it to have been sent by another worker.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_outbox_sent_by"
down_revision: str | None = "0024_outbox_unsent_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("sent_by")
