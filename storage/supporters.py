"""Colleagues who support an idea rather than submit their own, in the database."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.ideas import Status
from bot.domain.similar import Visibility
from bot.domain.supporters import Standing
from storage import tables as t
from storage.upsert import insert_for


class SqlSupporters:
    """Implements bot.services.ports.Supporters on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def hold_supportable(self, idea_id: int) -> bool:
        """Whether colleagues may support the idea (they may find it: shared, and not
        withdrawn), holding its row until the transaction ends.

        A write that changes nothing, as the drafts' claim: a decision on the idea meanwhile
        waits for this transaction (and one made before it is read here), so the staff cards
        redrawn with the new count never go out after a later move's."""
        ideas = t.ideas
        held = await self._db.execute(
            update(ideas)
            .where(ideas.c.id == idea_id, ideas.c.visibility == Visibility.SHARED.value,
                   ideas.c.status != Status.WITHDRAWN.value)
            .values(version=ideas.c.version))
        return held.rowcount == 1

    async def add(self, idea_id: int, object_id: str, name: str | None, comment: str,
                  at: datetime) -> bool:
        """Record the person as a supporter of the idea; False if they were one already (two
        presses at once make one row)."""
        backing = t.idea_supporters
        added = await self._db.execute(
            insert_for(self._db, backing)
            .values(idea_id=idea_id, object_id=object_id, name=name, comment=comment,
                    supported_at=at)
            .on_conflict_do_nothing(index_elements=["idea_id", "object_id"])
            .returning(backing.c.idea_id))
        return added.first() is not None

    async def of(self, idea_id: int) -> list[str]:
        """The Entra object ids of the idea's supporters, the first to support it first."""
        backing = t.idea_supporters
        rows = await self._db.execute(
            select(backing.c.object_id).where(backing.c.idea_id == idea_id)
            .order_by(backing.c.supported_at, backing.c.object_id))
        return list(rows.scalars())

    async def standing(self, object_id: str,
                       idea_ids: Collection[int]) -> dict[int, Standing]:
        """Of `idea_ids`, those the person contributed or supports already."""
        if not idea_ids:
            return {}
        ideas, backing = t.ideas, t.idea_supporters
        wanted = sorted(set(idea_ids))
        own = await self._db.execute(
            select(ideas.c.id).where(ideas.c.id.in_(wanted),
                                     ideas.c.contributor_object_id == object_id))
        supported = await self._db.execute(
            select(backing.c.idea_id).where(backing.c.idea_id.in_(wanted),
                                            backing.c.object_id == object_id))
        return ({idea_id: Standing.SUPPORTING for idea_id in supported.scalars()}
                | {idea_id: Standing.OWN for idea_id in own.scalars()})
