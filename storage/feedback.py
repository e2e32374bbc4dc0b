"""Feedback about the portal itself (the storage side of the FeedbackStore port)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.feedback import Feedback
from storage import tables as t
from storage.upsert import insert_for


class SqlFeedbackStore:
    """Implements bot.services.ports.FeedbackStore on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, author_object_id: str, feedback: Feedback, card_id: str | None,
                  at: datetime) -> int | None:
        result = await self._db.execute(
            insert_for(self._db, t.feedback).values(
                author_object_id=author_object_id,
                rating=feedback.rating.value if feedback.rating else None,
                comment=feedback.comment,
                may_contact=feedback.may_contact,
                card_id=card_id,
                created_at=at,
            ).on_conflict_do_nothing().returning(t.feedback.c.id)
        )
        return result.scalar_one_or_none()

    async def count(self) -> int:
        return await self._db.scalar(select(func.count()).select_from(t.feedback)) or 0
