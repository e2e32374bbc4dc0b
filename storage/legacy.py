"""The import of the list kept before the bot, in bulk: a statement a chunk of rows, never one a
row, so that a hundred thousand rows take seconds (the storage side of LegacyStore)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Table, exists, func, insert, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.legacy import IMPORTED_PERSON_PREFIX, ImportedIdea, is_imported_person
from storage import tables as t
from storage.upsert import insert_for

_KINDS: dict[str, Table] = {"categories": t.categories, "portfolios": t.portfolios}


class SqlLegacyStore:
    """Implements bot.services.ports.LegacyStore on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def imported_references(self) -> dict[str, str]:
        ideas = t.ideas
        rows = await self._db.execute(
            select(ideas.c.legacy_id, ideas.c.reference).where(ideas.c.legacy_id.is_not(None)))
        return {row.legacy_id: row.reference for row in rows}

    async def people_by_email(self) -> dict[str, str]:
        people, lookups = t.people, t.contributor_lookups
        rows = await self._db.execute(union_all(
            select(people.c.object_id, people.c.email).where(people.c.email.is_not(None)),
            *(select(lookups.c.object_id, column.label("email")).where(column.is_not(None))
              for column in (lookups.c.email, lookups.c.upn))))
        found: dict[str, str] = {}
        # Imported people first, so that a person of the organisation with the same address
        # takes the place of the one kept from the list.
        for row in sorted(rows, key=lambda row: not is_imported_person(row.object_id)):
            found[row.email.casefold()] = row.object_id
        return found

    async def names(self, kind: str) -> dict[str, str]:
        table = _KINDS[kind]
        return {row.key: row.name for row in await self._db.execute(
            select(table.c.key, table.c.name))}

    async def add_retired(self, kind: str, named: dict[str, str]) -> None:
        if not named:
            return
        table = _KINDS[kind]
        after = await self._db.scalar(select(func.max(table.c.position))) or 0
        await self._db.execute(insert(table), [
            {"key": key, "name": name, "position": after + 1 + n, "active": False}
            for n, (key, name) in enumerate(sorted(named.items()))])

    async def add_people(self, people: dict[str, tuple[str, str | None]]) -> int:
        if not people:
            return 0
        known = {row.object_id for row in await self._db.execute(
            select(t.people.c.object_id).where(
                t.people.c.object_id.like(f"{IMPORTED_PERSON_PREFIX}%")))}
        new = [{"object_id": object_id, "name": name, "email": email, "active": False}
               for object_id, (name, email) in people.items() if object_id not in known]
        if new:
            await self._db.execute(insert(t.people), new)
        return len(new)

    async def reserve_references(self, year: int, count: int) -> int:
        counters = t.reference_counters
        statement = insert_for(self._db, counters).values(year=year, last_number=count)
        statement = statement.on_conflict_do_update(
            index_elements=["year"], set_={"last_number": counters.c.last_number + count},
        ).returning(counters.c.last_number)
        last = (await self._db.execute(statement)).scalar_one()
        return last - count + 1

    async def add_ideas(self, ideas: list[ImportedIdea]) -> None:
        if not ideas:
            return
        # A bare executemany, then the new ids by the list IDs' unique index: an INSERT
        # returning ids in the rows' order is made a row at a time on SQLite.
        await self._db.execute(insert(t.ideas), [_columns(idea) for idea in ideas])
        legacy_ids = [idea.source.legacy_id for idea in ideas]
        ids = {row.legacy_id: row.id for row in await self._db.execute(
            select(t.ideas.c.legacy_id, t.ideas.c.id).where(t.ideas.c.legacy_id.in_(legacy_ids)))}
        history: list[dict[str, Any]] = [
            {"idea_id": ids[idea.source.legacy_id], "at": entry.at, "actor": entry.actor,
             "action": entry.action,
             "from_status": entry.from_status.value if entry.from_status else None,
             "to_status": entry.to_status.value, "reason": None,
             "message_to_contributor": None, "internal_note": None, "notice_key": None,
             "detail": entry.detail}
            for idea in ideas for entry in idea.history
        ]
        await self._db.execute(insert(t.idea_history), history)

    async def adopt(self, people: dict[str, str]) -> dict[str, int]:
        if not people:
            return {}
        imported = await self._db.execute(
            select(t.people.c.object_id, t.people.c.email).where(
                t.people.c.object_id.like(f"{IMPORTED_PERSON_PREFIX}%"),
                t.people.c.email.is_not(None)))
        adopted: Counter[str] = Counter()
        for row in imported:
            person = people.get(row.email.casefold())
            if person is None:
                continue
            moved = await self._db.execute(
                update(t.ideas).where(t.ideas.c.contributor_object_id == row.object_id)
                .values(contributor_object_id=person))
            if moved.rowcount:
                adopted[person] += moved.rowcount
        return dict(adopted)

    async def awaiting_claim(self) -> bool:
        # Through the imported people (a LIKE on a prefix is right whatever the collation,
        # where a range of the ideas' index is not): an index probe into ideas for each.
        people, ideas = t.people, t.ideas
        return bool(await self._db.scalar(select(exists().where(
            people.c.object_id.like(f"{IMPORTED_PERSON_PREFIX}%"),
            ideas.c.contributor_object_id == people.c.object_id))))

    async def looked_up(self, object_id: str) -> bool:
        lookups = t.contributor_lookups
        return bool(await self._db.scalar(
            select(exists().where(lookups.c.object_id == object_id))))

    async def remember_lookup(self, object_id: str, email: str | None, upn: str | None,
                              at: datetime) -> None:
        statement = insert_for(self._db, t.contributor_lookups).values(
            object_id=object_id, email=email, upn=upn, looked_up_at=at)
        await self._db.execute(statement.on_conflict_do_nothing(index_elements=["object_id"]))


def _columns(imported: ImportedIdea) -> dict[str, Any]:
    """The `ideas` row of an imported idea."""
    idea, profile = imported.source, imported.source.profile
    return {
        "reference": imported.reference,
        "contributor_object_id": imported.contributor_object_id,
        "contributor_name": idea.created_by or None, "title": idea.title,
        "problem": idea.problem, "proposal": idea.proposal, "benefit": idea.benefit,
        "category_key": imported.category_key, "portfolio_key": imported.portfolio_key,
        "campaign_key": imported.campaign_key,
        # Nobody was asked whether they may be named: they are not.
        "named_publicly": False,
        "visibility": imported.visibility.value,
        "status": idea.status.value,
        "decline_reason": idea.decline_reason.value if idea.decline_reason else None,
        "version": 1, "submitted_at": idea.created_at, "updated_at": imported.updated_at,
        "submission_key": imported.submission_key,
        "department": profile.department, "function": profile.function,
        "location": profile.location, "grade": profile.grade, "role_type": profile.role_type,
        "legacy_id": idea.legacy_id, "revisit_on": idea.revisit_on,
        "duplicate_of": imported.duplicate_of, "sla_due_on": idea.due_on,
        "first_response_at": idea.first_response_at, "first_response_unreachable": False,
        "root_cause_problem": None, "root_cause_implicated": None,
    }
