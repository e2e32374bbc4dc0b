"""campaign schedule: when a call is scheduled and by whom, its progress card's redraws, the
reminder before closing and the closing itself

Revision ID: 0019_campaign_schedule
Revises: 0018_sharepoint_import
Create Date: 2026-12-06 06:30:00

Nullable columns only: replicas on the code before it keep inserting and sending campaigns as
before (they never schedule, remind or close one).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0019_campaign_schedule"
down_revision: str | None = "0018_sharepoint_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENTS = ("scheduled_at", "progress_drawn_at", "progress_final_at", "reminded_at",
            "closed_at")


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scheduled_at", storage.tables.Timestamp(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("scheduled_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("progress_to", sa.String(length=64), nullable=True))
        for name in _MOMENTS[1:]:
            batch_op.add_column(sa.Column(name, storage.tables.Timestamp(timezone=True),
                                          nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        for name in reversed(_MOMENTS[1:]):
            batch_op.drop_column(name)
        batch_op.drop_column("progress_to")
        batch_op.drop_column("scheduled_by")
        batch_op.drop_column("scheduled_at")
