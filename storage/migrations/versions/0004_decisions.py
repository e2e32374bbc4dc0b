"""decisions: root causes, revisit dates, duplicates and move details

Revision ID: 0004_decisions
Revises: 0003_ideas
Create Date: 2026-11-25 18:34:26.968518
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_decisions"
down_revision: str | None = "0003_ideas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idea_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail", sa.JSON(), nullable=True))

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contributor_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("root_cause_problem", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("root_cause_implicated", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("revisit_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_column("duplicate_of")
        batch_op.drop_column("revisit_on")
        batch_op.drop_column("root_cause_implicated")
        batch_op.drop_column("root_cause_problem")
        batch_op.drop_column("contributor_name")

    with op.batch_alter_table("idea_history", schema=None) as batch_op:
        batch_op.drop_column("detail")
