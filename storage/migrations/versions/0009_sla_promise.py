"""ideas: the two-month promise's due day and first response

Revision ID: 0009_sla_promise
Revises: 0008_ideas_waiting_index
Create Date: 2026-12-06 04:00:00

Existing ideas get their due day from their submission (bot.domain.sla's rule; a reopened
idea's clock is set right by the next pass that derives promises from history). The columns
may be empty while replicas on the code before this one still submit ideas, so the code reads
an empty due day as "not yet set".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables
from bot.domain.ideas import update_due

revision: str = "0009_sla_promise"
down_revision: str | None = "0008_ideas_waiting_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("first_response_at",
                                      storage.tables.Timestamp(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("first_response_unreachable", sa.Boolean(),
                                      nullable=False, server_default=sa.false()))
        batch_op.create_index("ix_ideas_sla_due_on", ["sla_due_on"], unique=False)
    _fill_due_days()


def downgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_sla_due_on")
        batch_op.drop_column("first_response_unreachable")
        batch_op.drop_column("first_response_at")
        batch_op.drop_column("sla_due_on")


def _fill_due_days() -> None:
    ideas = sa.table("ideas", sa.column("id", sa.Integer),
                     sa.column("submitted_at", storage.tables.Timestamp()),
                     sa.column("sla_due_on", sa.Date))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(ideas.c.id, ideas.c.submitted_at).where(ideas.c.id > last)
            .order_by(ideas.c.id).limit(_BATCH)).all()
        if not rows:
            return
        for idea_id, submitted_at in rows:
            connection.execute(ideas.update().where(ideas.c.id == idea_id)
                               .values(sla_due_on=update_due(submitted_at)))
        last = rows[-1][0]

