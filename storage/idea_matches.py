"""The similar ideas found for each idea after it was saved, for its assessors' cards: which
ideas are owed a search, each claimed once, and what was found, described as it is now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.duplicates import SHOWN_WHILE, Original, ToMatch
from bot.domain.ideas import Status
from bot.domain.similar import (
    WITH_MODEL,
    Audience,
    Match,
    MatchKind,
    Ranked,
    Visibility,
    match_of,
    query_of,
)
from storage import tables as t
from storage.match_documents import SqlMatchDocuments

_UNDECIDED = sorted(status.value for status in SHOWN_WHILE)


class SqlIdeaMatches:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def due(self, limit: int) -> list[ToMatch]:
        """At most `limit` undecided ideas whose matches are not found yet, the newest first
        (one indexed read, which finds none most of the time)."""
        ideas = t.ideas
        rows = await self._db.execute(
            select(ideas.c.id, ideas.c.reference, ideas.c.title, ideas.c.problem)
            .where(ideas.c.status.in_(_UNDECIDED), ideas.c.matched_at.is_(None))
            .order_by(ideas.c.submitted_at.desc(), ideas.c.id.desc()).limit(limit)
        )
        return [ToMatch(row.id, row.reference, query_of(row.title, row.problem))
                for row in rows]

    async def claim(self, idea_id: int, at: datetime) -> bool:
        """Mark the idea's matches found at `at`, if nobody has since it was owed and it is
        still undecided; False otherwise (another pass did it, or it was decided meanwhile).
        The row stays locked until the transaction ends."""
        ideas = t.ideas
        result = await self._db.execute(
            update(ideas)
            .where(ideas.c.id == idea_id, ideas.c.matched_at.is_(None),
                   ideas.c.status.in_(_UNDECIDED))
            .values(matched_at=at)
        )
        return bool(result.rowcount)

    async def store(self, idea_id: int, found: Sequence[Match]) -> None:
        """Keep `found` as the idea's matches, in place of any found before."""
        matches = t.idea_matches
        await self._db.execute(delete(matches).where(matches.c.idea_id == idea_id))
        if found:
            await self._db.execute(insert(matches), [
                {"idea_id": idea_id, "kind": match.kind.value, "item_id": match.item_id,
                 "score": match.score, "likely_duplicate": match.likely_duplicate}
                for match in found])

    async def found_for(self, idea_id: int) -> tuple[Match, ...]:
        """The idea's matches, best first, each shown as the staff see it now: an idea
        withdrawn or an initiative retired since is left out, as a search would leave it out.
        Whether each is a likely duplicate is as the ranking that found it judged."""
        m = t.idea_matches
        rows = (await self._db.execute(
            select(m.c.kind, m.c.item_id, m.c.score, m.c.likely_duplicate)
            .where(m.c.idea_id == idea_id)
        )).all()
        kept = {(MatchKind(row.kind), row.item_id): row for row in rows}
        found = await SqlMatchDocuments(self._db).found(
            [Ranked(kind, item_id, row.score) for (kind, item_id), row in kept.items()],
            Audience.STAFF)
        shown = [replace(match_of(f, kept[(f.kind, f.item_id)].score, Audience.STAFF,
                                  WITH_MODEL),
                         likely_duplicate=kept[(f.kind, f.item_id)].likely_duplicate)
                 for f in found]
        return tuple(sorted(shown, key=lambda match: (-match.score, match.reference)))

    async def original(self, reference: str) -> Original | None:
        """The idea `reference` as an original a duplicate may name, or None."""
        ideas = t.ideas
        row = (await self._db.execute(
            select(ideas.c.id, ideas.c.reference, ideas.c.title, ideas.c.status,
                   ideas.c.visibility, ideas.c.public_title, ideas.c.duplicate_of)
            .where(ideas.c.reference == reference)
        )).first()
        if row is None:
            return None
        return Original(row.id, row.reference, row.title, Status(row.status),
                        _visibility(row.visibility), row.public_title, row.duplicate_of)


def _visibility(value: str) -> Visibility:
    """An unknown value is read as the most private (a later release's, say)."""
    try:
        return Visibility(value)
    except ValueError:
        return Visibility.HIDDEN
