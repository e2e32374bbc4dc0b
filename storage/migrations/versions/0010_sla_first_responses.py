"""outbox.first_attempt_at, and idea_history's notice keys indexed

Revision ID: 0010_sla_first_responses
Revises: 0009_sla_promise
Create Date: 2026-12-06 04:30:00

The outbox records when a message was first tried, so that a notice given up on keeps the
promise (unreachable) from then; each sent or dead notice is looked up in the history by its
key. Both safe while replicas on the code before run: the column may stay empty (the time a
row was owed stands in for it), and an index changes no query's result.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0010_sla_first_responses"
down_revision: str | None = "0009_sla_promise"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_attempt_at",
                                      storage.tables.Timestamp(timezone=True), nullable=True))
    with op.batch_alter_table("idea_history", schema=None) as batch_op:
        batch_op.create_index("ix_idea_history_notice_key", ["notice_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idea_history", schema=None) as batch_op:
        batch_op.drop_index("ix_idea_history_notice_key")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("first_attempt_at")
