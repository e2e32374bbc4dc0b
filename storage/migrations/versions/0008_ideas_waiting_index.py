"""ideas: an index for the staff queues (a status, the longest waiting first)

Revision ID: 0008_ideas_waiting_index
Revises: 0007_self_decisions
Create Date: 2026-12-06 01:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_ideas_waiting_index"
down_revision: str | None = "0007_self_decisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index("ix_ideas_status_submitted_at_id",
                              ["status", "submitted_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_status_submitted_at_id")
