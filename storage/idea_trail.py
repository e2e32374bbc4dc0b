"""An idea's audit trail, read from its history and the audit log (the storage side of the
IdeaTrail port)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.trail import Trail, TrailEntry, TrailSource, in_order
from storage import tables as t


class SqlIdeaTrail:
    """Implements bot.services.ports.IdeaTrail on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def trail(self, reference: str) -> Trail | None:
        ideas, history, audit = t.ideas, t.idea_history, t.audit_log
        idea = (await self._db.execute(
            select(ideas.c.id, ideas.c.reference, ideas.c.title, ideas.c.contributor_object_id,
                   ideas.c.contributor_name).where(ideas.c.reference == reference))).first()
        if idea is None:
            return None
        moves = (await self._db.execute(
            select(history).where(history.c.idea_id == idea.id).order_by(history.c.id))).all()
        done = (await self._db.execute(
            select(audit).where(audit.c.subject == idea.reference).order_by(audit.c.id))).all()
        actors = {row.actor for row in [*moves, *done]}
        rows = await self._db.execute(
            select(t.people.c.object_id, t.people.c.name).where(t.people.c.object_id.in_(actors)))
        names: dict[str, str] = {object_id: name for object_id, name in rows}
        if idea.contributor_name:
            names.setdefault(idea.contributor_object_id, idea.contributor_name)
        entries = [TrailEntry(
            at=row.at, source=TrailSource.HISTORY, actor=row.actor,
            actor_name=names.get(row.actor), action=row.action, from_status=row.from_status,
            to_status=row.to_status, reason=row.reason, message=row.message_to_contributor,
            detail=row.detail or None) for row in moves]
        entries += [TrailEntry(
            at=row.at, source=TrailSource.AUDIT, actor=row.actor,
            actor_name=names.get(row.actor), action=row.action, detail=row.detail or None)
            for row in done]
        return Trail(idea.reference, idea.title, tuple(in_order(entries)))
