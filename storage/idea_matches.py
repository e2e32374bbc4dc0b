"""The similar ideas found for each idea after it was saved, for its assessors' cards: which
ideas are owed a search, each claimed once, and what was found, described as it is now."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.duplicates import SHOWN_WHILE, Original, ToMatch
from bot.domain.ideas import DeclineReason, Status
from bot.domain.similar import Match, MatchKind, Visibility, query_of
from storage import tables as t

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
        """The idea's matches, best first, each described as it is now: an idea withdrawn
        or an initiative retired since is left out, as a search would leave it out."""
        m, ideas, initiatives = t.idea_matches, t.ideas, t.initiatives
        supporters = (select(func.count()).select_from(t.idea_supporters)
                      .where(t.idea_supporters.c.idea_id == ideas.c.id).scalar_subquery())
        idea_rows = await self._db.execute(
            select(m.c.item_id, m.c.score, ideas.c.reference, ideas.c.title, ideas.c.status,
                   ideas.c.decline_reason, ideas.c.duplicate_of,
                   supporters.label("supporters"))
            .join(ideas, ideas.c.id == m.c.item_id)
            .where(m.c.idea_id == idea_id, m.c.kind == MatchKind.IDEA.value,
                   ideas.c.status != Status.WITHDRAWN.value)
        )
        initiative_rows = await self._db.execute(
            select(m.c.item_id, m.c.score, initiatives.c.reference, initiatives.c.title,
                   initiatives.c.stage)
            .join(initiatives, initiatives.c.id == m.c.item_id)
            .where(m.c.idea_id == idea_id, m.c.kind == MatchKind.INITIATIVE.value,
                   initiatives.c.active)
        )
        found = [Match(MatchKind.IDEA, row.item_id, row.reference, row.title,
                       _idea_status(row.status, row.decline_reason),
                       f"Duplicate of {row.duplicate_of}" if row.duplicate_of else None,
                       row.score, row.supporters or 0)
                 for row in idea_rows]
        found += [Match(MatchKind.INITIATIVE, row.item_id, row.reference, row.title,
                        _STAGES.get(row.stage) or "Known initiative", None, row.score)
                  for row in initiative_rows]
        return tuple(sorted(found, key=lambda match: (-match.score, match.reference)))

    async def original(self, reference: str) -> Original | None:
        """The idea `reference` as an original a duplicate may name, or None."""
        ideas = t.ideas
        row = (await self._db.execute(
            select(ideas.c.id, ideas.c.reference, ideas.c.title, ideas.c.status,
                   ideas.c.visibility, ideas.c.public_title)
            .where(ideas.c.reference == reference)
        )).first()
        if row is None:
            return None
        return Original(row.id, row.reference, row.title, Status(row.status),
                        _visibility(row.visibility), row.public_title)


_STAGES = {"under_way": "Under way", "exists": "Exists already"}


def _idea_status(status: str, reason: str | None) -> str:
    label = Status(status).label
    return f"{label}: {DeclineReason(reason).label}" if reason else label


def _visibility(value: str) -> Visibility:
    """An unknown value is read as the most private (a later release's, say)."""
    try:
        return Visibility(value)
    except ValueError:
        return Visibility.HIDDEN
