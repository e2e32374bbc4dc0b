"""ideas: submitted ideas, their history, drafts and contributor profiles

Revision ID: 0003_ideas
Revises: 0002_outbox
Create Date: 2026-11-25 18:15:44.318668
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0003_ideas"
down_revision: str | None = "0002_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contributor_profiles",
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("function", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.String(length=64), nullable=False),
        sa.Column("role_type", sa.String(length=64), nullable=False),
        sa.Column("updated_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("object_id", name=op.f("pk_contributor_profiles")),
    )
    op.create_table(
        "idea_drafts",
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("draft_id", sa.String(length=36), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("started_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.Column("updated_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("object_id", name=op.f("pk_idea_drafts")),
    )
    op.create_table(
        "ideas",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("contributor_object_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("benefit", sa.Text(), nullable=False),
        sa.Column("category_key", sa.String(length=40), nullable=False),
        sa.Column("portfolio_key", sa.String(length=40), nullable=False),
        sa.Column("campaign_key", sa.String(length=40), nullable=True),
        sa.Column("named_publicly", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("decline_reason", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("submitted_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.Column("updated_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("function", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.String(length=64), nullable=False),
        sa.Column("role_type", sa.String(length=64), nullable=False),
        sa.Column("legacy_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ideas")),
        sa.UniqueConstraint("legacy_id", name=op.f("uq_ideas_legacy_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_ideas_reference")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_ideas_submission_key")),
    )
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ideas_contributor_object_id"), ["contributor_object_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ideas_portfolio_key"), ["portfolio_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_ideas_status"), ["status"], unique=False)

    op.create_table(
        "reference_counters",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_reference_counters")),
    )
    op.create_table(
        "idea_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("message_to_contributor", sa.Text(), nullable=True),
        sa.Column("internal_note", sa.Text(), nullable=True),
        sa.Column("notice_key", sa.String(length=400), nullable=True),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_history_idea_id_ideas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_history")),
    )
    with op.batch_alter_table("idea_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_history_idea_id"), ["idea_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idea_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_history_idea_id"))

    op.drop_table("idea_history")
    op.drop_table("reference_counters")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ideas_status"))
        batch_op.drop_index(batch_op.f("ix_ideas_portfolio_key"))
        batch_op.drop_index(batch_op.f("ix_ideas_contributor_object_id"))

    op.drop_table("ideas")
    op.drop_table("idea_drafts")
    op.drop_table("contributor_profiles")
