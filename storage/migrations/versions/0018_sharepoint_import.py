"""ideas: titles up to 1,000 characters, for ideas imported from the list kept before the bot;
contributor_lookups: what Teams says of a person's e-mail, to give them their imported ideas

Revision ID: 0018_sharepoint_import
Revises: 0017_digests
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0018_sharepoint_import"
down_revision: str | None = "0017_digests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Only wider: a replica on the code before it writes titles of at most 200 characters, as
    # it always did. On PostgreSQL a longer varchar is a change of the catalogue alone.
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.alter_column("title", existing_type=sa.String(length=200),
                              type_=sa.String(length=1000), existing_nullable=False)
    # A new table: the code before this revision never reads it.
    op.create_table(
        "contributor_lookups",
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("upn", sa.String(length=320), nullable=True),
        sa.Column("looked_up_at", storage.tables.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("object_id", name=op.f("pk_contributor_lookups")),
    )


def downgrade() -> None:
    op.drop_table("contributor_lookups")
    # Imported titles longer than 200 characters would not fit again: they are cut there.
    op.execute(sa.text("UPDATE ideas SET title = substr(title, 1, 200) "
                       "WHERE length(title) > 200"))
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.alter_column("title", existing_type=sa.String(length=1000),
                              type_=sa.String(length=200), existing_nullable=False)
