"""outbox claims: an index of the rows not sent yet, which a purge of sent rows leaves alone

Revision ID: 0024_outbox_unsent_index
Revises: 0023_outbox_breakers
Create Date: 2026-12-06 12:00:00

A new partial index: code before this one reads the outbox as it did, and PostgreSQL's
planner picks whichever index is cheaper for it, so replicas on it keep running.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_outbox_unsent_index"
down_revision: str | None = "0023_outbox_breakers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSENT = sa.text("state IN ('pending', 'sending')")


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_unsent_not_before", ["not_before"], unique=False,
                              postgresql_where=UNSENT, sqlite_where=UNSENT)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unsent_not_before")
