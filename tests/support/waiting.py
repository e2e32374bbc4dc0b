"""Many ideas at once, written straight into the ideas table: a queue of 1,000 waiting takes a
moment this way, where 1,000 submissions through the conversation would take minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.ideas import Status, format_reference
from storage import tables
from support.decisions import CONTRIBUTOR, IDEA

_FIRST_NUMBER = 5000  # far above what the tests submit through the service


async def seed_ideas(engine: AsyncEngine, count: int, since: datetime, *,
                     status: Status = Status.SUBMITTED, portfolio: str = "local-policing",
                     title: str = "Waiting idea {n}", start: int = 0) -> list[str]:
    """`count` ideas, one submitted every hour from `since`: their references, oldest first.
    `start` keeps the numbers of a second batch apart from the first."""
    rows = []
    for n in range(start, start + count):
        at = since + timedelta(hours=n)
        rows.append({
            "reference": format_reference(2026, _FIRST_NUMBER + n),
            "contributor_object_id": CONTRIBUTOR, "contributor_name": "Pat Contributor",
            "title": title.format(n=n), **IDEA, "category_key": "process",
            "portfolio_key": portfolio, "named_publicly": False, "status": status.value,
            "version": 1, "submitted_at": at, "updated_at": at,
            "submission_key": f"seeded-{n}", "department": "", "function": "",
            "location": "", "grade": "", "role_type": "",
        })
    async with engine.begin() as connection:
        await connection.execute(insert(tables.ideas), rows)
    return [row["reference"] for row in rows]
