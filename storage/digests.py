"""The workforce digests and the deliveries they tell (the storage side of the Digests port)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import cast

from sqlalchemy import RowMapping, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.digest import Delivered, Digest, DigestState, credit
from bot.domain.ideas import Status
from storage import tables as t
from storage.deliveries import delivery_move, each_idea_once, what_it_changed
from storage.tables import idea_history as history
from storage.tables import ideas


class SqlDigests:
    """Implements bot.services.ports.Digests on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def last_sent(self) -> Digest | None:
        row = (await self._db.execute(
            select(t.digests).where(t.digests.c.state == DigestState.SENT.value)
            .order_by(t.digests.c.covers_to.desc(), t.digests.c.id.desc()).limit(1)
        )).mappings().first()
        return None if row is None else _digest(row)

    async def delivered(self, since: datetime, until: datetime, limit: int,
                        departments: Mapping[str, str]) -> tuple[list[Delivered], int]:
        """The ideas delivered after `since` up to `until` and still delivered, the latest
        first (`limit` of them), and how many there are; `departments` names the
        contributors' departments by key."""
        window = (delivery_move(), history.c.at > since, history.c.at <= until,
                  ideas.c.status == Status.DELIVERED.value)
        joined = history.join(ideas, ideas.c.id == history.c.idea_id)
        total = await self._db.scalar(
            select(func.count(func.distinct(history.c.idea_id))).select_from(joined)
            .where(*window))
        rows = await self._db.execute(
            select(ideas.c.reference, ideas.c.title, ideas.c.named_publicly,
                   ideas.c.contributor_name, ideas.c.role_type, ideas.c.department,
                   history.c.at, history.c.detail)
            .select_from(joined).where(*window)
            .order_by(history.c.at.desc(), history.c.id.desc()).limit(limit * 2))
        told: list[Delivered] = []
        for row in each_idea_once(rows, limit):
            what_changed, benefit_seen = what_it_changed(row)
            told.append(Delivered(
                reference=row.reference, title=row.title, delivered_at=row.at,
                credit=credit(named=row.named_publicly, name=row.contributor_name,
                              role_type=row.role_type,
                              department=departments.get(row.department)),
                what_changed=what_changed, benefit_seen=benefit_seen,
            ))
        return told, total or 0

    async def add(self, covers_from: datetime, covers_to: datetime,
                  entries: list[Delivered], total: int, created_by: str,
                  at: datetime) -> Digest:
        digest_id = (await self._db.execute(insert(t.digests).values(
            covers_from=covers_from, covers_to=covers_to,
            entries=[_entry(entry) for entry in entries], total=total,
            state=DigestState.DRAFT.value, created_by=created_by, created_at=at, recipients=0,
        ).returning(t.digests.c.id))).scalar_one()
        found = await self.by_id(digest_id)
        assert found is not None
        return found

    async def by_id(self, digest_id: int) -> Digest | None:
        row = (await self._db.execute(
            select(t.digests).where(t.digests.c.id == digest_id))).mappings().first()
        return None if row is None else _digest(row)

    async def mark_sent(self, digest_id: int, sent_by: str, at: datetime,
                        recipients: int) -> bool:
        """Record the draft `digest_id` as sent; False if it was sent already."""
        result = await self._db.execute(
            update(t.digests)
            .where(t.digests.c.id == digest_id, t.digests.c.state == DigestState.DRAFT.value)
            .values(state=DigestState.SENT.value, sent_at=at, sent_by=sent_by,
                    recipients=recipients))
        return bool(result.rowcount)


def _entry(entry: Delivered) -> dict[str, str]:
    return {"reference": entry.reference, "title": entry.title, "credit": entry.credit,
            "delivered_at": entry.delivered_at.isoformat(),
            "what_changed": entry.what_changed, "benefit_seen": entry.benefit_seen}


def _digest(row: RowMapping) -> Digest:
    entries = cast("list[dict[str, str]]", row["entries"] or [])
    return Digest(
        id=row["id"], covers_from=row["covers_from"], covers_to=row["covers_to"],
        entries=tuple(Delivered(
            reference=e["reference"], title=e["title"], credit=e["credit"],
            delivered_at=datetime.fromisoformat(e["delivered_at"]),
            what_changed=e.get("what_changed", ""), benefit_seen=e.get("benefit_seen", ""),
        ) for e in entries),
        total=row["total"], state=DigestState(row["state"]), created_by=row["created_by"],
        created_at=row["created_at"], sent_at=row["sent_at"], recipients=row["recipients"],
    )
