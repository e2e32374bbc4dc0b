"""Similar ideas: finding the ideas and initiatives like a text, and keeping what searches rank
up to date with every submission and edit.

Each replica ranks in memory (a TextRanker); what it ranks lives in the database, written in
the transaction that writes the text, so the next search on any replica finds it: before each
search the ranker learns the documents kept since it last looked.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

import structlog

from bot.domain.similar import (
    MOST_RESULTS,
    QUERY_CHARS,
    SUGGESTIONS,
    Audience,
    IndexedText,
    Match,
    MatchKind,
    Position,
    match_of,
    searchable,
)
from bot.services.ports import Clock, TextRanker, UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger(__name__)

# A transaction may commit after a later one: the stamps of documents kept this long before
# the last read are read again (the documents themselves only when the ranker lacks them);
# a longer transaction (an import) is caught by the count of documents kept.
LOOKBACK = timedelta(seconds=10)
# Documents read from the database at a time.
READ_BATCH = 2000
# Ranked candidates looked up for each search: some may be hidden from the person searching.
CANDIDATES = 40


class SimilarIdeas:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ranker: TextRanker) -> None:
        self._uow = uow
        self._clock = clock
        self._ranker = ranker
        # When the ranker last read the kept documents (the clock's time as the read began).
        self._read_at: datetime | None = None
        self._reading = asyncio.Lock()

    async def find(self, text: str, *, audience: Audience, limit: int = SUGGESTIONS,
                   exclude: Collection[tuple[MatchKind, int]] = ()) -> list[Match]:
        """Ideas and initiatives like `text`, best first, at most `limit`, each scoring enough
        to help; none for text that says too little. Never a withdrawn idea or a retired
        initiative; for colleagues, shared ideas only, under their public titles."""
        query = searchable(text)
        if query is None:
            return []
        if not self._reading.locked():  # while the index is loading, search what it has
            await self.refresh()
        limit = max(1, min(limit, MOST_RESULTS))
        thresholds = self._ranker.thresholds
        ranked = [r for r in await self._ranker.rank(query, CANDIDATES + limit, exclude)
                  if r.score >= thresholds.suggest_from]
        if not ranked:
            return []
        async with self._uow() as uow:
            found = {(f.kind, f.item_id): f
                     for f in await uow.match_documents.found(ranked, audience)}
        return [match_of(found[(r.kind, r.item_id)], r.score, audience, thresholds)
                for r in ranked if (r.kind, r.item_id) in found][:limit]

    async def remember(self, uow: UnitOfWork, kind: MatchKind, item_id: int,
                       text: str) -> None:
        """Keep (or keep again) what searches rank for one idea or initiative, inside the
        caller's transaction."""
        await self.remember_many(uow, [(kind, item_id, text)])

    async def remember_many(self, uow: UnitOfWork,
                            items: Sequence[tuple[MatchKind, int, str]]) -> int:
        """`remember` for many at once (the model encodes them together); returns how many
        were kept anew: unchanged texts already encoded by the model in use are skipped."""
        model = self._ranker.model
        wanted: list[tuple[MatchKind, int, str, str]] = []
        for kind, item_id, text in items:
            text = text[:QUERY_CHARS]
            digest = hashlib.sha256(text.encode()).hexdigest()
            kept = await uow.match_documents.get(kind, item_id)
            if kept is None or kept.digest != digest or kept.model != model:
                wanted.append((kind, item_id, text, digest))
        if not wanted:
            return 0
        vectors = await self._ranker.embed([text for _, _, text, _ in wanted])
        now = self._clock.now()
        for number, (kind, item_id, text, digest) in enumerate(wanted):
            await uow.match_documents.put(IndexedText(
                kind=kind, item_id=item_id, text=text, digest=digest,
                model=model if vectors else None,
                vector=vectors[number] if vectors else None, updated_at=now))
        return len(wanted)

    async def catch_up(self, batch: int) -> int:
        """Keep one batch of the ideas and initiatives that searches do not rank yet, or that
        were kept without the model in use now; returns how many (0: nothing left)."""
        async with self._uow() as uow:
            waiting = await uow.match_documents.unindexed(self._ranker.model, batch)
            kept = await self.remember_many(uow, waiting)
            await uow.commit()
        return kept

    async def refresh(self) -> None:
        """Learn the documents kept since the ranker last looked: those stamped since a little
        before the latest seen, and, when the database holds a different number of documents
        than the ranker (a long transaction, such as an import, committed rows stamped
        earlier), every one the ranker does not know."""
        async with self._reading:
            # Whatever was stamped well before the last read had committed by then, and was read.
            since = None if self._read_at is None else Position(self._read_at - LOOKBACK, "", 0)
            self._read_at = self._clock.now()
            await self._learn_stamped_after(since)
            async with self._uow() as uow:
                kept = await uow.match_documents.count()
            if kept != self._ranker.size:
                await self._learn_stamped_after(None)

    async def _learn_stamped_after(self, position: Position | None) -> None:
        """Learn the documents stamped after `position` that the ranker does not know, reading
        their stamps first and the documents themselves only where needed."""
        while True:
            async with self._uow() as uow:
                stamps = await uow.match_documents.stamped_after(position, READ_BATCH)
                unknown = [(s.kind, s.item_id) for s in stamps if not self._ranker.knows(s)]
                documents = await uow.match_documents.documents(unknown) if unknown else []
            await self._ranker.learn(documents)
            if len(stamps) < READ_BATCH:
                return
            last = stamps[-1]
            position = Position(last.updated_at, last.kind.value, last.item_id)

    async def warm_up(self, batch: int = 256) -> None:
        """At start: learn everything kept, then keep what is missing (ideas from before
        searching, or kept while the model was off), a batch at a time."""
        await self.refresh()
        total = 0
        while kept := await self.catch_up(batch):
            total += kept
            await self.refresh()
        if total:
            log.info("similar.caught_up", documents=total, model=self._ranker.model)

