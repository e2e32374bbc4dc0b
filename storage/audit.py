"""The audit log: who did what, and when (the storage side of the AuditLog port)."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.audit import AuditEntry
from storage import tables as t


class SqlAuditLog:
    """Implements bot.services.ports.AuditLog on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def record(self, entry: AuditEntry) -> None:
        await self._db.execute(insert(t.audit_log).values(
            at=entry.at, actor=entry.actor, action=entry.action, subject=entry.subject,
            detail=entry.detail,
        ))
