"""What similar-idea searches rank, and what is shown of what they find (the storage side of
the MatchDocuments port)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import RowMapping, and_, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.ideas import DeclineReason, Status
from bot.domain.similar import (
    Audience,
    Found,
    IndexedText,
    MatchKind,
    Position,
    Ranked,
    Stamp,
    Visibility,
    query_of,
)
from storage.tables import Timestamp, idea_supporters, ideas, initiatives, match_documents
from storage.upsert import upsert

_TEXT = ("text", "digest", "model", "vector", "updated_at")
# Keys looked up at once (well under every database's limit on bound parameters).
_IN_BATCH = 500


class SqlMatchDocuments:
    """Implements bot.services.ports.MatchDocuments on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def put(self, document: IndexedText) -> None:
        await upsert(self._db, match_documents, {
            "kind": document.kind.value, "item_id": document.item_id, "text": document.text,
            "digest": document.digest, "model": document.model, "vector": document.vector,
            "updated_at": document.updated_at,
        }, keys=("kind", "item_id"), update=_TEXT)

    async def get(self, kind: MatchKind, item_id: int) -> IndexedText | None:
        row = (await self._db.execute(select(match_documents).where(
            match_documents.c.kind == kind.value, match_documents.c.item_id == item_id,
        ))).mappings().first()
        return None if row is None else _indexed(row)

    async def stamped_after(self, position: Position | None, limit: int) -> list[Stamp]:
        order = (match_documents.c.updated_at, match_documents.c.kind, match_documents.c.item_id)
        query = select(*order, match_documents.c.digest,
                       match_documents.c.vector.is_not(None).label("vectored"))
        if position is not None:
            query = query.where(tuple_(*order) > tuple_(
                literal(position.updated_at, Timestamp()), literal(position.kind),
                literal(position.item_id)))
        rows = await self._db.execute(query.order_by(*order).limit(limit))
        return [Stamp(kind=MatchKind(row.kind), item_id=row.item_id, digest=row.digest,
                      vectored=bool(row.vectored), updated_at=row.updated_at)
                for row in rows]

    async def documents(self, keys: Sequence[tuple[MatchKind, int]]) -> list[IndexedText]:
        found: list[IndexedText] = []
        for kind in MatchKind:
            ids = [item_id for k, item_id in keys if k is kind]
            for start in range(0, len(ids), _IN_BATCH):
                rows = await self._db.execute(select(match_documents).where(
                    match_documents.c.kind == kind.value,
                    match_documents.c.item_id.in_(ids[start:start + _IN_BATCH])))
                found += [_indexed(row) for row in rows.mappings()]
        return found

    async def count(self) -> int:
        return await self._db.scalar(select(func.count()).select_from(match_documents)) or 0

    async def unindexed(self, model: str | None,
                        limit: int) -> list[tuple[MatchKind, int, str]]:
        waiting: list[tuple[MatchKind, int, str]] = []
        for kind, table, body, live in (
                (MatchKind.IDEA, ideas, ideas.c.problem, ideas.c.status != Status.WITHDRAWN.value),
                (MatchKind.INITIATIVE, initiatives, initiatives.c.description,
                 initiatives.c.active)):
            kept = match_documents.alias()
            stale = kept.c.item_id.is_(None)
            if model is not None:
                stale = or_(stale, kept.c.model.is_(None), kept.c.model != model)
            rows = await self._db.execute(
                select(table.c.id, table.c.title, body.label("body"))
                .select_from(table.outerjoin(kept, and_(kept.c.kind == kind.value,
                                                        kept.c.item_id == table.c.id)))
                .where(live, stale).order_by(table.c.id).limit(limit - len(waiting)))
            waiting += [(kind, row.id, query_of(row.title, row.body)) for row in rows]
            if len(waiting) >= limit:
                break
        return waiting

    async def found(self, ranked: Sequence[Ranked], audience: Audience) -> list[Found]:
        """What may be shown to `audience` of the ranked ideas and initiatives, in no order:
        never a withdrawn idea or a retired initiative; for colleagues, shared ideas only."""
        idea_ids = [r.item_id for r in ranked if r.kind is MatchKind.IDEA]
        initiative_ids = [r.item_id for r in ranked if r.kind is MatchKind.INITIATIVE]
        found: list[Found] = []
        if idea_ids:
            supporters = (select(func.count()).select_from(idea_supporters)
                          .where(idea_supporters.c.idea_id == ideas.c.id)
                          .scalar_subquery())
            query = select(ideas.c.id, ideas.c.reference, ideas.c.title, ideas.c.public_title,
                           ideas.c.status, ideas.c.decline_reason, ideas.c.duplicate_of,
                           supporters.label("supporters")).where(
                ideas.c.id.in_(idea_ids), ideas.c.status != Status.WITHDRAWN.value)
            if audience is Audience.COLLEAGUES:
                query = query.where(ideas.c.visibility == Visibility.SHARED.value)
            for row in (await self._db.execute(query)).mappings():
                found.append(Found(
                    kind=MatchKind.IDEA, item_id=row["id"], reference=row["reference"],
                    title=row["title"], public_title=row["public_title"],
                    status=Status(row["status"]),
                    decline_reason=(DeclineReason(row["decline_reason"])
                                    if row["decline_reason"] else None),
                    duplicate_of=row["duplicate_of"], supporters=row["supporters"] or 0))
        if initiative_ids:
            rows = await self._db.execute(
                select(initiatives.c.id, initiatives.c.reference, initiatives.c.title,
                       initiatives.c.stage)
                .where(initiatives.c.id.in_(initiative_ids), initiatives.c.active))
            found += [Found(kind=MatchKind.INITIATIVE, item_id=row["id"],
                            reference=row["reference"], title=row["title"], stage=row["stage"])
                      for row in rows.mappings()]
        return found


def _indexed(row: RowMapping) -> IndexedText:
    return IndexedText(kind=MatchKind(row["kind"]), item_id=row["item_id"], text=row["text"],
                       digest=row["digest"], model=row["model"], vector=row["vector"],
                       updated_at=row["updated_at"])
