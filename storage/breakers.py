"""The destinations paused by their breakers (the storage side of the BreakerStore port)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.addresses import ConversationKind
from bot.domain.breakers import Breaker, ProbeWaits
from bot.domain.outbox import DeliveryState
from storage.tables import delivery_breakers as breakers
from storage.tables import outbox
from storage.upsert import insert_for


class SqlBreakers:
    """Implements bot.services.ports.BreakerStore on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def open_among(self, conversation_ids: Iterable[str]) -> dict[str, Breaker]:
        """The breakers open for any of these conversations, in one query."""
        wanted = sorted(set(conversation_ids))
        if not wanted:
            return {}
        rows = await self._db.execute(
            select(breakers).where(breakers.c.conversation_id.in_(wanted)))
        return {row.conversation_id: _breaker(row) for row in rows.mappings()}

    async def paused(self) -> list[tuple[Breaker, int]]:
        """Every open breaker, longest paused first, with the messages waiting there (one
        grouped count over the outbox's waiting rows)."""
        held = (select(outbox.c.conversation_id, func.count().label("held"))
                .where(outbox.c.state == DeliveryState.PENDING.value,
                       outbox.c.conversation_id.is_not(None))
                .group_by(outbox.c.conversation_id).subquery())
        rows = await self._db.execute(
            select(breakers, func.coalesce(held.c.held, 0).label("held"))
            .outerjoin(held, held.c.conversation_id == breakers.c.conversation_id)
            .order_by(breakers.c.opened_at, breakers.c.conversation_id))
        return [(_breaker(row), row["held"]) for row in rows.mappings()]

    async def trip(self, conversation_id: str, kind: ConversationKind, reason: str,
                   now: datetime, waits: ProbeWaits) -> tuple[Breaker, bool]:
        """A send to the conversation was refused at `now`: open its breaker, or count one
        more refusal on the one open; the breaker, and whether this refusal opened it. One
        left open with its probe long overdue (no message went there since) opens afresh."""
        opened = (await self._db.execute(
            insert_for(self._db, breakers)
            .on_conflict_do_nothing(index_elements=["conversation_id"])
            .values(conversation_id=conversation_id, kind=kind.value, opened_at=now,
                    failures=1, probe_at=now + waits.after(1), reason=reason[:1000])
            .returning(*breakers.c))).mappings().first()
        if opened is not None:
            return _breaker(opened), True
        held = (await self._db.execute(
            select(breakers.c.failures, breakers.c.probe_at)
            .where(breakers.c.conversation_id == conversation_id).with_for_update()
        )).one()
        stale = held.probe_at + waits.longest < now
        failures = 1 if stale else held.failures + 1
        values: dict[str, Any] = {"failures": failures, "probe_at": now + waits.after(failures),
                                  "reason": reason[:1000]}
        if stale:
            values["opened_at"] = now
        row = (await self._db.execute(
            update(breakers).where(breakers.c.conversation_id == conversation_id)
            .values(**values).returning(*breakers.c))).mappings().one()
        return _breaker(row), stale

    async def close(self, conversation_id: str) -> Breaker | None:
        """A send there went through: the breaker that was open, now closed, if any."""
        row = (await self._db.execute(
            delete(breakers).where(breakers.c.conversation_id == conversation_id)
            .returning(*breakers.c))).mappings().first()
        return None if row is None else _breaker(row)


def _breaker(row: Any) -> Breaker:
    return Breaker(conversation_id=row["conversation_id"], kind=ConversationKind(row["kind"]),
                   opened_at=row["opened_at"], failures=row["failures"],
                   probe_at=row["probe_at"], reason=row["reason"])
