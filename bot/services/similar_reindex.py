"""`iip similar reindex`: the similar-ideas index brought up to date in batches, while the bot
serves.

Each batch is read, encoded outside any transaction, and written in a transaction of its own,
so a run killed part-way keeps what it wrote and the next run carries on from there. A row a
submission or an edit indexed meanwhile is left as that wrote it (the newer text wins).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from bot.domain.audit import AuditEntry
from bot.domain.similar import MatchKind
from bot.services.ports import Clock, UnitOfWorkFactory

# Documents encoded and written a transaction: enough for the model to encode efficiently,
# few enough that a killed run loses little.
BATCH = 256
MOST_BATCH = 10_000


class Encoder(Protocol):
    """What makes the vectors of many texts at once (the engine's sentence model, or none)."""

    @property
    def model(self) -> str | None:
        """The model the vectors are made by; None when it is off (no vectors)."""
        ...

    def vectors(self, texts: Sequence[str]) -> list[bytes | None]:
        """One vector (float32, normalised, as bytes) per text; all None when the model is
        off."""
        ...


@dataclass(frozen=True, slots=True)
class Reindexed:
    """What a run did: documents written, and those indexed by the bot meanwhile (left)."""

    written: int
    left: int


class Reindexing:
    """The use case: what is stale, then indexing it batch by batch."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, encoder: Encoder) -> None:
        self._uow = uow
        self._clock = clock
        self._encoder = encoder

    async def stale(self) -> list[tuple[MatchKind, int]]:
        """The ideas and active initiatives the index lacks, or holds stale."""
        async with self._uow() as uow:
            return await uow.match_reindex.stale(self._encoder.model)

    async def index(self, items: Sequence[tuple[MatchKind, int]], *, actor: str,
                    batch: int = BATCH,
                    progress: Callable[[int], None] = lambda _done: None) -> Reindexed:
        """Index `items` `batch` at a time, each batch committed with its audit entry."""
        written = left = 0
        for start in range(0, len(items), batch):
            chunk = items[start:start + batch]
            async with self._uow() as uow:
                documents = await uow.match_reindex.documents(chunk)
            # The model's work, off the event loop: a second or so a batch.
            vectors = await asyncio.to_thread(self._encoder.vectors,
                                              [d.text for d in documents])
            model = self._encoder.model
            encoded = [replace(d, model=model if vector is not None else None, vector=vector)
                       for d, vector in zip(documents, vectors, strict=True)]
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
