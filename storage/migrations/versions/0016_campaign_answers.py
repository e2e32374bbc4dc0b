"""ideas: the answers to their campaign's own questions

Revision ID: 0016_campaign_answers
Revises: 0015_campaign_sending
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_campaign_answers"
down_revision: str | None = "0015_campaign_sending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, with no default: a replica still on the code before this revision inserts
    # ideas without it, and an idea with no campaign has no answers.
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("campaign_answers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_column("campaign_answers")
