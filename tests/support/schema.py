"""Taking the schema back to an earlier revision, to test what an upgrade does from there."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection

from storage.migrate import alembic_config


def downgrade_on(connection: Connection, revision: str) -> None:
    """Down to `revision` ("base": no tables at all) on this connection, in its transaction:
    `await connection.run_sync(downgrade_on, revision)`."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)
