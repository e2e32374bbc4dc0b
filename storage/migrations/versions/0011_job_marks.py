"""job_marks: what the scheduler has sent; the executive sponsor; ideas by status and due day

Revision ID: 0011_job_marks
Revises: 0010_sla_first_responses
Create Date: 2026-12-06 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0011_job_marks"
down_revision: str | None = "0010_sla_first_responses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_marks",
        sa.Column("job", sa.String(length=32), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.String(length=64), nullable=False),
        sa.Column("at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job", "idea_id", "threshold", name=op.f("pk_job_marks")),
    )
    with op.batch_alter_table("organisation_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("executive_sponsor", sa.String(length=64), nullable=True))
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index("ix_ideas_status_sla_due_on", ["status", "sla_due_on"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_status_sla_due_on")
    with op.batch_alter_table("organisation_settings", schema=None) as batch_op:
        batch_op.drop_column("executive_sponsor")
    op.drop_table("job_marks")
