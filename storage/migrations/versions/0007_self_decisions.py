"""organisation_settings: whether staff may decide their own ideas

Revision ID: 0007_self_decisions
Revises: 0006_outbox_due_at_default
Create Date: 2026-12-06 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_self_decisions"
down_revision: str | None = "0006_outbox_due_at_default"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The server default keeps a replica still running the previous release able to load
    # the organisation (it does not name the column), and means "not allowed" until then.
    with op.batch_alter_table("organisation_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allow_self_decisions", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("organisation_settings", schema=None) as batch_op:
        batch_op.drop_column("allow_self_decisions")
