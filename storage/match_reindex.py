"""Re-indexing for similar ideas: which ideas and initiatives the index lacks or holds stale,
and writing their documents back without undoing a newer one (the storage side of
bot.services.ports.MatchReindex).

A document is stale when it is missing, when its text is no longer what the idea or initiative
says (an edit that was not indexed), or when the model that should have made its vector did not
(another model, or the model was off). Withdrawn ideas and retired initiatives are never
searched, so never indexed (as SimilarIdeas.catch_up leaves them). The bot keeps serving while
this runs: each row is written only if it is still as it was read, so a submission or an edit
indexed meanwhile wins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Table, and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.ideas import Status
from bot.domain.similar import QUERY_CHARS, MatchKind, query_of
from bot.services.ports import IndexedDocument
from storage import tables as t
from storage.upsert import insert_for

# Rows read a statement while looking for stale documents: a page, never the whole table.
_PAGE = 2_000


def digest_of(text: str) -> str:
    """What match_documents.digest holds for `text` (as kept: its start only)."""
    return hashlib.sha256(text.encode()).hexdigest()


def indexed_text(title: str, body: str) -> str:
    """What is kept of an idea's or initiative's text (as SimilarIdeas.remember keeps it)."""
    return query_of(title, body)[:QUERY_CHARS]


class SqlMatchReindex:
    """Implements bot.services.ports.MatchReindex on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def stale(self, model: str | None) -> list[tuple[MatchKind, int]]:
        """Every idea but withdrawn ones, and every active initiative, whose document is
        missing, differs from its text, or was not made by `model` (None: the model is off,
        so any document will do)."""
        found: list[tuple[MatchKind, int]] = []
        for kind in MatchKind:
            after = 0
            while page := await self._page(kind, after, model):
                found += [(kind, item_id) for item_id, is_stale in page if is_stale]
                after = page[-1][0]
        return found

    async def _page(self, kind: MatchKind, after: int,
                    model: str | None) -> list[tuple[int, bool]]:
        docs = t.match_documents
        source, title, body, wanted = _source(kind)
        rows = await self._db.execute(
            select(source.c.id, title, body, docs.c.digest, docs.c.model)
            .select_from(source.outerjoin(docs, and_(docs.c.kind == kind.value,
                                                     docs.c.item_id == source.c.id)))
            .where(source.c.id > after, *wanted)
            .order_by(source.c.id).limit(_PAGE))
        return [(row.id, row.digest is None
                 or row.digest != digest_of(indexed_text(row[1], row[2]))
                 or (model is not None and row.model != model))
                for row in rows]

    async def documents(self, items: Sequence[tuple[MatchKind, int]]) -> list[IndexedDocument]:
        """The current text of each of `items`, with its document as it is now (to write it
        back only if unchanged meanwhile); gone or retired ones left out."""
        found: list[IndexedDocument] = []
        docs = t.match_documents
        for kind in MatchKind:
            ids = [item_id for each, item_id in items if each is kind]
            if not ids:
                continue
            source, title, body, wanted = _source(kind)
            rows = await self._db.execute(
                select(source.c.id, title, body, docs.c.digest, docs.c.model)
                .select_from(source.outerjoin(docs, and_(docs.c.kind == kind.value,
                                                         docs.c.item_id == source.c.id)))
                .where(source.c.id.in_(ids), *wanted).order_by(source.c.id))
            found += [IndexedDocument(kind, row.id, indexed_text(row[1], row[2]),
                                    seen_digest=row.digest, seen_model=row.model)
                      for row in rows]
        return found

    async def put(self, documents: Sequence[IndexedDocument], at: datetime) -> int:
        """Write each document where its row is still as `documents` saw it (missing, or the
        same digest and model); how many were written (the others were indexed meanwhile)."""
        docs = t.match_documents
        written = 0
        new = [d for d in documents if d.seen_digest is None]
        if new:
            inserted = await self._db.execute(
                insert_for(self._db, docs).on_conflict_do_nothing().returning(docs.c.item_id),
                [_values(d, at) for d in new])
            written += len(inserted.all())
        for d in documents:
            if d.seen_digest is None:
                continue
            changed = await self._db.execute(
                update(docs).where(docs.c.kind == d.kind.value, docs.c.item_id == d.item_id,
                                   docs.c.digest == d.seen_digest,
                                   docs.c.model.is_not_distinct_from(d.seen_model))
                .values(**_values(d, at)))
            written += changed.rowcount
        return written


def _source(kind: MatchKind) -> tuple[Table, ColumnElement[str], ColumnElement[str],
                                     tuple[ColumnElement[bool], ...]]:
    """The table a kind of document is made from, its two texts, and which rows count."""
    if kind is MatchKind.IDEA:
        return (t.ideas, t.ideas.c.title, t.ideas.c.problem,
                (t.ideas.c.status != Status.WITHDRAWN.value,))
    initiatives = t.initiatives
    return (initiatives, initiatives.c.title, initiatives.c.description,
            (initiatives.c.active.is_(True),))


def _values(document: IndexedDocument, at: datetime) -> dict[str, object]:
    return {"kind": document.kind.value, "item_id": document.item_id, "text": document.text,
            "digest": digest_of(document.text), "model": document.model,
            "vector": document.vector, "updated_at": at}
