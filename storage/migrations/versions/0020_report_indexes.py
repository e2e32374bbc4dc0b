"""An index for reports rebuilding each idea's status at a moment: its history in time order

Revision ID: 0020_report_indexes
Revises: 0019_campaign_schedule
Create Date: 2026-12-06 06:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020_report_indexes"
down_revision: str | None = "0019_campaign_schedule"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new index only: the code before this revision writes the table as it did.
    with op.batch_alter_table("idea_history", schema=None) as batch_op:
        batch_op.create_index("ix_idea_history_idea_id_at_id_to_status",
                              ["idea_id", "at", "id", "to_status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idea_history", schema=None) as batch_op:
        batch_op.drop_index("ix_idea_history_idea_id_at_id_to_status")
