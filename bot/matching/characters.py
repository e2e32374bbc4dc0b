"""Character n-grams weighted by rarity (TF-IDF), the lexical half of the ranking.

Hashed rather than fitted to a vocabulary, so that documents can be added one at a time: the
weights of rarity follow the document frequencies as they grow, and the weighted rows are
worked out again only when the corpus has grown by a noticeable share since they last were.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

# 3- to 5-letter runs inside words (padded at their edges): robust to typos, plurals and
# abbreviations glued to words; 2^20 buckets keep collisions rare at this size of text.
NGRAMS = (3, 5)
BUCKETS = 2 ** 20
# The rows are weighted again when the corpus has grown by this share since they last were.
REWEIGH_AFTER = 0.05


# Rows added since the last weighing are kept in small blocks, merged once there are this many.
MAX_BLOCKS = 16


class CharacterIndex:
    """The documents' character n-gram rows, and their scores against a query."""

    def __init__(self) -> None:
        # Counts, not unit rows (norm=None, which the library's type stubs leave out): the
        # rows are weighted by rarity before they are scaled.
        self._hasher = HashingVectorizer(
            analyzer="char_wb", ngram_range=NGRAMS, n_features=BUCKETS, alternate_sign=False,
            norm=None,  # pyright: ignore[reportArgumentType]
            lowercase=True)
        # Sublinear term counts in row order: blocks weighed already, and blocks not yet.
        self._counts: list[sparse.csr_matrix] = []
        self._pending: list[sparse.csr_matrix] = []
        self._frequency = np.zeros(BUCKETS, dtype=np.int64)
        self._documents = 0
        self._rarity_cache = np.ones(BUCKETS)
        self._rarity_at = 0
        # The weighted rows, transposed (buckets x documents, unit columns) for a quick product
        # with one query, in blocks in row order; and the size of the corpus when every row was
        # last weighed at once.
        self._weighted: list[sparse.csr_matrix] = []
        self._weighed_at = 0

    @property
    def size(self) -> int:
        return self._documents

    def add(self, texts: Sequence[str]) -> None:
        """Append one row per text, in order."""
        if not texts:
            return
        counts = self._terms(texts)
        self._frequency += np.bincount(counts.indices, minlength=BUCKETS)
        self._documents += len(texts)
        self._pending.append(counts)

    def scores(self, text: str) -> NDArray[np.float32]:
        """The cosine of each row with `text`, in row order."""
        self._bring_up_to_date()
        if not self._weighted:
            return np.zeros(0, dtype=np.float32)
        query = _unit(self._terms([text]).multiply(self._rarity()))
        return np.concatenate([_rows(query @ block).toarray().ravel().astype(np.float32)
                               for block in self._weighted])

    def _terms(self, texts: Sequence[str]) -> sparse.csr_matrix:
        counts = sparse.csr_matrix(self._hasher.transform(texts))
        counts.sum_duplicates()
        counts.data = 1 + np.log(counts.data)
        return counts

    def _rarity(self) -> NDArray[np.float64]:
        """How rare each bucket is (smoothed inverse document frequency), worked out again
        only when documents were added."""
        if self._rarity_at != self._documents:
            self._rarity_cache = np.log((1 + self._documents) / (1 + self._frequency)) + 1
            self._rarity_at = self._documents
        return self._rarity_cache

    def _bring_up_to_date(self) -> None:
        """Weigh new rows with today's rarity; every row again once the corpus has grown."""
        if not self._pending:
            return
        new = _rows(sparse.vstack(self._pending, format="csr"))
        self._pending = []
        self._counts.append(new)
        grown = self._documents - self._weighed_at
        if not self._weighted or grown > REWEIGH_AFTER * self._weighed_at:
            self._counts = [_rows(sparse.vstack(self._counts, format="csr"))]
            self._weighted = [_weigh(self._counts[0], self._rarity())]
            self._weighed_at = self._documents
        else:
            self._weighted.append(_weigh(new, self._rarity()))
            if len(self._weighted) > MAX_BLOCKS:
                self._weighted = [_rows(sparse.hstack(self._weighted, format="csr"))]
                self._counts = [_rows(sparse.vstack(self._counts, format="csr"))]


def _weigh(counts: sparse.csr_matrix, rarity: NDArray[np.float64]) -> sparse.csr_matrix:
    return _rows(_unit(counts.multiply(rarity)).transpose().astype(np.float32))


def _unit(rows: object) -> sparse.csr_matrix:
    """Each row scaled to unit length (an empty row stays empty)."""
    return _rows(normalize(_rows(rows)))


def _rows(matrix: object) -> sparse.csr_matrix:
    return sparse.csr_matrix(matrix)
