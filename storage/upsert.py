"""INSERT ... ON CONFLICT for the two databases the bot runs on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def insert_for(connection: AsyncConnection, table: Table) -> Any:
    """The dialect's own INSERT construct, which knows ON CONFLICT."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for the {connection.dialect.name} dialect")


async def upsert(
    connection: AsyncConnection,
    table: Table,
    values: Mapping[str, Any],
    keys: Sequence[str],
    update: Sequence[str],
    where: ColumnElement[bool] | None = None,
) -> int:
    """Insert `values`, or update the columns in `update` of the row with the same `keys`.

    With `where`, an existing row is only updated when it holds. Returns the rows touched.
    """
    statement = insert_for(connection, table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: statement.excluded[name] for name in update},
        where=where,
    )
    result = await connection.execute(statement)
    return result.rowcount
