"""campaign sending: opt-outs, when and to how many a call went, unreachable outbox rows

Revision ID: 0015_campaign_sending
Revises: 0014_outbox_batches
Create Date: 2026-12-06 05:45:00

A new table, nullable columns and columns with a server default, and an index: replicas on the
code before it keep inserting campaigns and giving up outbox rows as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0015_campaign_sending"
down_revision: str | None = "0014_outbox_batches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign_opt_outs",
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("opted_out_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("object_id", name=op.f("pk_campaign_opt_outs")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remind_before_close", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("sent_at", storage.tables.Timestamp(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("sent_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("recipients", sa.Integer(), nullable=True))
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index("ix_ideas_campaign_key", ["campaign_key"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unreachable", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("unreachable")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_campaign_key")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("recipients")
        batch_op.drop_column("sent_by")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("remind_before_close")
    op.drop_table("campaign_opt_outs")
