"""The similar-ideas pass: an index of the undecided ideas whose matches are not found yet, and
whether each match found is a likely duplicate

Revision ID: 0022_match_due
Revises: 0021_similar_ideas
Create Date: 2026-12-06 08:45:00

A new index, and a new column with a default: code before this one never reads them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_match_due"
down_revision: str | None = "0021_similar_ideas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index("ix_ideas_status_matched_at", ["status", "matched_at"],
                              unique=False)
    with op.batch_alter_table("idea_matches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("likely_duplicate", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("idea_matches", schema=None) as batch_op:
        batch_op.drop_column("likely_duplicate")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_status_matched_at")
