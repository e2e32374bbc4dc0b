"""The in-memory index ranks what it learned, a changed text in place of the old one."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from bot.domain.similar import CHARACTERS_ONLY, IndexedText, MatchKind
from bot.matching.index import MatchIndex

AT = datetime(2026, 12, 6, tzinfo=UTC)


def document(item_id: int, text: str, kind: MatchKind = MatchKind.IDEA) -> IndexedText:
    return IndexedText(kind=kind, item_id=item_id, text=text,
                       digest=hashlib.sha256(text.encode()).hexdigest(), model=None,
                       vector=None, updated_at=AT)


async def test_ranks_the_closest_first_and_leaves_out_what_is_excluded():
    index = MatchIndex(use_model=False)
    await index.learn([document(1, "Custody detention logs are kept on paper"),
                       document(2, "Radio batteries die half way through night shifts"),
                       document(3, "Night shift radio handsets lose charge", MatchKind.INITIATIVE)])

    ranked = await index.rank("radio handset batteries lose their charge on night shift", 3)
    assert [(r.kind, r.item_id) for r in ranked][:2] == [(MatchKind.INITIATIVE, 3),
                                                         (MatchKind.IDEA, 2)]
    assert ranked[0].score > ranked[-1].score

    excluded = await index.rank("radio handset batteries lose their charge on night shift", 3,
                                exclude={(MatchKind.INITIATIVE, 3)})
    assert (MatchKind.INITIATIVE, 3) not in [(r.kind, r.item_id) for r in excluded]


async def test_a_changed_text_replaces_the_old_one():
    index = MatchIndex(use_model=False)
    await index.learn([document(1, "Custody detention logs are kept on paper")])
    await index.learn([document(1, "Fleet vehicles need winter tyres")])

    [only] = await index.rank("winter tyres for fleet vehicles", 5)
    assert (only.item_id, only.score > 0.5) == (1, True)
    assert index.size == 1
    [old] = await index.rank("custody detention logs on paper", 5)
    assert old.score < CHARACTERS_ONLY.suggest_from


async def test_an_empty_index_ranks_nothing():
    assert await MatchIndex(use_model=False).rank("anything at all here", 3) == []
