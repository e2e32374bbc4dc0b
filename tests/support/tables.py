"""Reading the bot's tables directly, to see what storage really wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import metadata


async def rows(engine: AsyncEngine, table: Table, *where: Any) -> list[dict[str, Any]]:
    """Every row of `table` (matching `where`), ordered by its primary key."""
    async with engine.connect() as connection:
        result = await connection.execute(
            select(table).where(*where).order_by(*table.primary_key.columns)
        )
        return [dict(row) for row in result.mappings()]


async def count(engine: AsyncEngine, table: Table, *where: Any) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(table).where(*where))


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    """How many rows each of the bot's tables holds, by table name."""
    async with engine.connect() as connection:
        return {table.name: await connection.scalar(select(func.count()).select_from(table))
                for table in metadata.sorted_tables}
