"""foundation: bot state, addresses, organisation, feedback, audit

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-25 18:00:07.766206
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0001_foundation"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "bot_state",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("etag", sa.String(length=36), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("updated_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_bot_state")),
    )
    op.create_table(
        "categories",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_categories")),
    )
    op.create_table(
        "conversation_addresses",
        sa.Column("conversation_id", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("service_url", sa.String(length=400), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("bot_id", sa.String(length=200), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.String(length=200), nullable=True),
        sa.Column("team_id", sa.String(length=400), nullable=True),
        sa.Column("first_seen_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.Column("last_seen_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.Column("removed_at", storage.tables.Timestamp(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation_addresses")),
    )
    with op.batch_alter_table("conversation_addresses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_addresses_object_id_kind"),
            ["object_id", "kind"],
            unique=False,
        )

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("author_object_id", sa.String(length=64), nullable=False),
        sa.Column("rating", sa.String(length=1), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("may_contact", sa.Boolean(), nullable=False),
        sa.Column("card_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint(
            "author_object_id", "card_id", name=op.f("uq_feedback_author_object_id_card_id")
        ),
    )
    op.create_table(
        "organisation_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("pmo_contact", sa.Text(), nullable=False),
        sa.Column("news_channel", sa.String(length=400), nullable=True),
        sa.Column("loaded_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_settings")),
    )
    op.create_table(
        "people",
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("object_id", name=op.f("pk_people")),
    )
    op.create_table(
        "portfolios",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_portfolios")),
    )
    op.create_table(
        "role_assignments",
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("portfolio_key", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_id"], ["people.object_id"], name=op.f("fk_role_assignments_object_id_people")
        ),
        sa.PrimaryKeyConstraint(
            "object_id", "role", "portfolio_key", name=op.f("pk_role_assignments")
        ),
    )


def downgrade() -> None:
    op.drop_table("role_assignments")
    op.drop_table("portfolios")
    op.drop_table("people")
    op.drop_table("organisation_settings")
    op.drop_table("feedback")
    with op.batch_alter_table("conversation_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_addresses_object_id_kind"))

    op.drop_table("conversation_addresses")
    op.drop_table("categories")
    op.drop_table("bot_state")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
