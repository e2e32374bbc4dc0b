"""Indexes for the scheduler's reads: the marks of given ideas, and history by action

Revision ID: 0012_job_reads_indexes
Revises: 0011_job_marks
Create Date: 2026-12-06 04:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_job_reads_indexes"
down_revision: str | None = "0011_job_marks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job_marks", schema=None) as batch_op:
        batch_op.create_index("ix_job_marks_idea_id", ["idea_id"], unique=False)
    with op.batch_alter_table("idea_history", schema=None) as batch_op:
        batch_op.create_index("ix_idea_history_action_idea_id_at", ["action", "idea_id", "at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idea_history", schema=None) as batch_op:
        batch_op.drop_index("ix_idea_history_action_idea_id_at")
    with op.batch_alter_table("job_marks", schema=None) as batch_op:
        batch_op.drop_index("ix_job_marks_idea_id")
