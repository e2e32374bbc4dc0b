"""The in-memory index each replica ranks with: character n-grams always, blended with the
sentence model's vectors when the model is on. It learns documents from the database as they
change (bot.services.similar keeps it up to date) and never writes anything itself."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import structlog
from numpy.typing import NDArray

from bot.domain.similar import (
    CHARACTERS_ONLY,
    WITH_MODEL,
    IndexedText,
    MatchKind,
    Ranked,
    Stamp,
    Thresholds,
)
from bot.matching.characters import CharacterIndex
from bot.matching.sentences import DIMENSIONS, MiniLM, SentenceEncoder, installed

log = structlog.get_logger(__name__)

# The blend: how much of a score is the model's cosine (the rest is the characters').
MODEL_SHARE = 0.7
# Documents learned between yields to the event loop, when many arrive at once.
LEARN_BATCH = 500

Key = tuple[MatchKind, int]


class MatchIndex:
    """Ranks indexed texts against a query. `use_model` asks for the sentence model, which is
    loaded by `start` when installed; until then, and without it, characters alone rank."""

    def __init__(self, *, use_model: bool,
                 encoder: SentenceEncoder | None = None) -> None:
        self._use_model = use_model
        self._encoder = encoder if use_model else None
        # One thread for the model: it is not shared between two encodings at once.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="similar")
        self._characters = CharacterIndex()
        self._keys: list[Key] = []
        self._rows: dict[Key, int] = {}
        self._digests: dict[Key, str] = {}
        self._alive = np.zeros(0, dtype=bool)
        self._vectors = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self._has_vector = np.zeros(0, dtype=bool)

    async def start(self) -> None:
        """Load the sentence model off the event loop, if asked for and installed."""
        if not self._use_model or self._encoder is not None:
            return
        if not installed():
            log.warning("similar.model_not_installed", fallback="characters")
            return
        self._encoder = await asyncio.get_running_loop().run_in_executor(self._thread, MiniLM)
        log.info("similar.model_loaded", model=self._encoder.name)

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)

    @property
    def model(self) -> str | None:
        """The sentence model ranking now; None while characters alone rank."""
        return self._encoder.name if self._encoder is not None else None

    @property
    def thresholds(self) -> Thresholds:
        return WITH_MODEL if self._encoder is not None else CHARACTERS_ONLY

    @property
    def size(self) -> int:
        return len(self._rows)

    async def embed(self, texts: Sequence[str]) -> list[bytes] | None:
        """The vectors to keep for `texts` (None while the model is off)."""
        encoder = self._encoder
        if encoder is None or not texts:
            return None
        vectors = await asyncio.get_running_loop().run_in_executor(
            self._thread, encoder.encode, list(texts))
        return [row.astype("<f4").tobytes() for row in vectors]

    def knows(self, stamp: Stamp | IndexedText) -> bool:
        """Whether the document so stamped is learned already as it is (with the model's
        vector, when it has one)."""
        key = (stamp.kind, stamp.item_id)
        row = self._rows.get(key)
        vectored = stamp.vectored if isinstance(stamp, Stamp) else stamp.vector is not None
        return (row is not None and self._digests[key] == stamp.digest
                and (not vectored or bool(self._has_vector[row])))

    async def learn(self, documents: Sequence[IndexedText]) -> None:
        """Add or replace documents; a changed one is ranked on its new text from now on.
        The work is done on the index's thread, a batch at a time, so that turns go on."""
        fresh = [d for d in documents if not self.knows(d)]
        loop = asyncio.get_running_loop()
        for start in range(0, len(fresh), LEARN_BATCH):
            await loop.run_in_executor(self._thread, self._learn,
                                       fresh[start:start + LEARN_BATCH])

    def _learn(self, documents: Sequence[IndexedText]) -> None:
        latest = {(d.kind, d.item_id): d for d in documents}
        self._make_room(len(self._keys) + len(latest))
        self._characters.add([d.text for d in latest.values()])
        for key, document in latest.items():
            old = self._rows.get(key)
            if old is not None:
                self._alive[old] = False
            row = len(self._keys)
            self._keys.append(key)
            self._rows[key] = row
            self._digests[key] = document.digest
            self._alive[row] = True
            vector = _vector(document.vector)
            self._has_vector[row] = vector is not None
            if vector is not None:
                self._vectors[row] = vector

    def _make_room(self, rows: int) -> None:
        """Room for `rows` rows, grown by doubling so that adding one row copies nothing."""
        capacity = len(self._alive)
        if rows <= capacity:
            return
        capacity = max(rows, 2 * capacity, 1024)
        self._alive = _grown(self._alive, capacity)
        self._has_vector = _grown(self._has_vector, capacity)
        self._vectors = _grown(self._vectors, capacity)

    async def rank(self, text: str, limit: int,
                   exclude: Collection[Key] = ()) -> list[Ranked]:
        """The best `limit` documents for `text`, best first, with their scores; worked out on
        the index's thread (one at a time with learning), so that turns go on meanwhile."""
        if not self._keys or limit <= 0:
            return []
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, self._rank, text, limit, frozenset(exclude))

    def _rank(self, text: str, limit: int, exclude: frozenset[Key]) -> list[Ranked]:
        query = (self._encoder.encode([text])[0] if self._encoder is not None else None)
        rows = len(self._keys)
        scores = self._characters.scores(text)
        has_vector = self._has_vector[:rows]
        if query is not None:
            model_scores = self._vectors[:rows] @ query
            scores = np.where(has_vector,
                              MODEL_SHARE * model_scores + (1 - MODEL_SHARE) * scores, scores)
        scores = np.where(self._alive[:rows], np.clip(scores, 0.0, 1.0), -1.0)
        for key in exclude:
            row = self._rows.get(key)
            if row is not None:
                scores[row] = -1.0
        count = min(limit, len(scores))
        best = np.argpartition(-scores, count - 1)[:count]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [Ranked(*self._keys[row], score=float(scores[row]))
                for row in best if scores[row] >= 0]


def _grown(array: NDArray[Any], capacity: int) -> NDArray[Any]:
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[:len(array)] = array
    return grown


def _vector(data: bytes | None) -> NDArray[np.float32] | None:
    if data is None or len(data) != DIMENSIONS * 4:
        return None
    return np.frombuffer(data, dtype="<f4")
