"""similar ideas: what searches rank, the initiatives register, supporters, and who may find an idea

Revision ID: 0021_similar_ideas
Revises: 0020_report_indexes
Create Date: 2026-12-06 08:50:00

New tables, and new idea columns with defaults: code before this one never reads them, so
replicas on it keep running. Every idea submitted before stays private (its contributor was
told only staff would see it) until the PMO publishes it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0021_similar_ideas"
down_revision: str | None = "0020_report_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.tables.Timestamp(timezone=True)
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visibility", sa.String(length=16), nullable=False,
                                      server_default="private"))
        batch_op.add_column(sa.Column("public_title", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("matched_at", moment, nullable=True))
    op.create_table(
        "match_documents",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", moment, nullable=False),
        sa.PrimaryKeyConstraint("kind", "item_id", name=op.f("pk_match_documents")),
    )
    with op.batch_alter_table("match_documents", schema=None) as batch_op:
        batch_op.create_index("ix_match_documents_updated_at", ["updated_at"], unique=False)
    op.create_table(
        "initiatives",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("portfolio_key", sa.String(length=40), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("source_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("updated_at", moment, nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiatives")),
        sa.UniqueConstraint("reference", name=op.f("uq_initiatives_reference")),
        sa.UniqueConstraint("source_key", name=op.f("uq_initiatives_source_key")),
    )
    op.create_table(
        "idea_supporters",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("supported_at", moment, nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"],
                                name=op.f("fk_idea_supporters_idea_id_ideas")),
        sa.PrimaryKeyConstraint("idea_id", "object_id", name=op.f("pk_idea_supporters")),
    )
    with op.batch_alter_table("idea_supporters", schema=None) as batch_op:
        batch_op.create_index("ix_idea_supporters_object_id", ["object_id"], unique=False)
    op.create_table(
        "idea_matches",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"],
                                name=op.f("fk_idea_matches_idea_id_ideas")),
        sa.PrimaryKeyConstraint("idea_id", "kind", "item_id", name=op.f("pk_idea_matches")),
    )


def downgrade() -> None:
    op.drop_table("idea_matches")
    with op.batch_alter_table("idea_supporters", schema=None) as batch_op:
        batch_op.drop_index("ix_idea_supporters_object_id")
    op.drop_table("idea_supporters")
    op.drop_table("initiatives")
    with op.batch_alter_table("match_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_match_documents_updated_at")
    op.drop_table("match_documents")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_column("matched_at")
        batch_op.drop_column("public_title")
        batch_op.drop_column("visibility")
