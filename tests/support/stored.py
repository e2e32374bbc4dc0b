"""What the bot has stored, read straight from its database tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import tables

# Written when a test loads the demo organisation, not by anything a request does.
SETUP_ACTIONS = frozenset({"organisation.loaded"})


@dataclass(frozen=True)
class Stored:
    addresses: list[dict[str, Any]]
    feedback: list[dict[str, Any]]
    audit: list[dict[str, Any]]

    @property
    def audit_from_requests(self) -> list[dict[str, Any]]:
        return [row for row in self.audit if row["action"] not in SETUP_ACTIONS]

    def address(self, conversation_id: str) -> dict[str, Any]:
        matches = [a for a in self.addresses if a["conversation_id"] == conversation_id]
        assert matches, f"no address stored for {conversation_id!r}: {self.addresses}"
        return matches[0]

    @property
    def nothing_from_requests(self) -> bool:
        return not self.addresses and not self.feedback and not self.audit_from_requests


async def stored(engine: AsyncEngine) -> Stored:
    async with engine.connect() as connection:
        async def rows(table, order) -> list[dict[str, Any]]:
            result = await connection.execute(select(table).order_by(order))
            return [dict(row) for row in result.mappings()]

        return Stored(
            addresses=await rows(tables.conversation_addresses,
                                 tables.conversation_addresses.c.conversation_id),
            feedback=await rows(tables.feedback, tables.feedback.c.id),
            audit=await rows(tables.audit_log, tables.audit_log.c.id),
        )
