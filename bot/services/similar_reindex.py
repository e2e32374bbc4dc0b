"""`iip similar reindex`: the similar-ideas index brought up to date in batches, while the bot
serves.

What SimilarIdeas.warm_up does when the bot starts, for an operator to run at will (after
installing the model, say) with a count and a progress bar; stale here also means a text that
changed without being indexed again. Each batch is read, encoded outside any transaction, and
written in a transaction of its own, so a run killed part-way keeps what it wrote and the next
run carries on from there; a row that a submission or an edit indexed meanwhile is left as
that wrote it (the newer text wins).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.domain.audit import AuditEntry
from bot.domain.similar import MatchKind
from bot.services.ports import Clock, TextRanker, UnitOfWorkFactory

# Documents encoded and written a transaction: enough for the model to encode efficiently,
# few enough that a killed run loses little.
BATCH = 256
MOST_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class Reindexed:
    """What a run did: documents written, and those indexed by the bot meanwhile (left)."""

    written: int
    left: int


class Reindexing:
    """The use case: what is stale, then indexing it batch by batch."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ranker: TextRanker) -> None:
        self._uow = uow
        self._clock = clock
        self._ranker = ranker

    async def stale(self) -> list[tuple[MatchKind, int]]:
        """The ideas and active initiatives the index lacks, or holds stale."""
        async with self._uow() as uow:
            return await uow.match_reindex.stale(self._ranker.model)

    async def index(self, items: Sequence[tuple[MatchKind, int]], *, actor: str,
                    batch: int = BATCH,
                    progress: Callable[[int], None] = lambda _done: None) -> Reindexed:
        """Index `items` `batch` at a time, each batch committed with its audit entry."""
        written = left = 0
        for start in range(0, len(items), batch):
            chunk = items[start:start + batch]
            async with self._uow() as uow:
                documents = await uow.match_reindex.documents(chunk)
            # The model's work, outside any transaction (off the event loop, in its thread).
            model = self._ranker.model
            vectors = await self._ranker.embed([d.text for d in documents])
            encoded = [replace(d, model=model, vector=vectors[n]) if vectors else
                       replace(d, model=None, vector=None) for n, d in enumerate(documents)]
            async with self._uow() as uow:
                now = self._clock.now()
                done = await uow.match_reindex.put(encoded, now)
                if done:
                    await uow.audit.record(AuditEntry(
                        actor=actor, action="similar.reindexed", subject="match_documents",
                        at=now, detail={"documents": done, "model": model}))
                await uow.commit()
            written += done
            left += len(chunk) - done
            progress(len(chunk))
        return Reindexed(written=written, left=left)
