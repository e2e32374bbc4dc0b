"""Ideas, their history, drafts and contributor profiles in the database."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.duplicates import SHOWN_WHILE
from bot.domain.ideas import (
    CampaignAnswer,
    DeclineReason,
    FirstResponse,
    HistoryEntry,
    IdeaChange,
    IdeaDetail,
    IdeaSubmission,
    IdeaSummary,
    Status,
    format_reference,
    update_due,
)
from bot.domain.intake import Draft, Step
from bot.domain.listing import IdeaQuery
from bot.domain.profile import Profile
from bot.domain.similar import Match, Visibility
from bot.domain.visibility import Findability
from storage import tables as t
from storage.idea_matches import SqlIdeaMatches
from storage.upsert import insert_for, upsert


class SqlIdeas:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def next_reference(self, year: int) -> str:
        """The next reference of `year`. Concurrent submissions get different numbers: the
        counter row stays locked until the transaction ends."""
        statement = insert_for(self._db, t.reference_counters).values(year=year, last_number=1)
        statement = statement.on_conflict_do_update(
            index_elements=["year"],
            set_={"last_number": t.reference_counters.c.last_number + 1},
        ).returning(t.reference_counters.c.last_number)
        number = (await self._db.execute(statement)).scalar_one()
        return format_reference(year, number)

    async def reference_for_submission(self, submission_key: str) -> str | None:
        return await self._db.scalar(
            select(t.ideas.c.reference).where(t.ideas.c.submission_key == submission_key)
        )

    async def add(self, idea: IdeaSubmission, first: HistoryEntry) -> IdeaDetail:
        """Store a new idea and the first entry of its history; the idea as stored."""
        row = (await self._db.execute(
            insert(t.ideas).values(**_new_columns(idea)).returning(*t.ideas.c)
        )).mappings().one()
        await self.add_history(row["id"], first)
        return _idea(row, (first,), await self._campaign_name(idea.campaign_key))

    async def add_history(self, idea_id: int, entry: HistoryEntry,
                          internal_note: str | None = None,
                          notice_key: str | None = None) -> None:
        await self._db.execute(insert(t.idea_history).values(
            idea_id=idea_id, at=entry.at, actor=entry.actor, action=entry.action,
            from_status=entry.from_status.value if entry.from_status else None,
            to_status=entry.to_status.value, reason=entry.reason,
            message_to_contributor=entry.message_to_contributor,
            internal_note=internal_note, notice_key=notice_key, detail=entry.detail,
        ))

    async def summaries_of(self, object_id: str, offset: int,
                           limit: int) -> tuple[list[IdeaSummary], int]:
        """A page of a contributor's ideas, newest first, and how many they have in all."""
        ideas = t.ideas
        total = await self._db.scalar(
            select(func.count()).select_from(ideas)
            .where(ideas.c.contributor_object_id == object_id)
        ) or 0
        rows = await self._db.execute(
            select(*_SUMMARY_COLUMNS)
            .where(ideas.c.contributor_object_id == object_id)
            .order_by(ideas.c.submitted_at.desc(), ideas.c.id.desc())
            .offset(offset).limit(limit)
        )
        return [_summary(r) for r in rows], total

    async def of_contributor(self, object_id: str, reference: str) -> IdeaDetail | None:
        """The idea, with its history, only if `object_id` contributed it."""
        return await self._detail(t.ideas.c.reference == reference,
                                  t.ideas.c.contributor_object_id == object_id)

    async def by_id(self, idea_id: int) -> IdeaDetail | None:
        """Any idea, for staff: callers check the reader's role."""
        return await self._detail(t.ideas.c.id == idea_id)

    async def by_reference(self, reference: str) -> IdeaDetail | None:
        return await self._detail(t.ideas.c.reference == reference)

    async def _detail(self, *conditions: ColumnElement[bool]) -> IdeaDetail | None:
        backing = t.idea_supporters
        supporters = (select(func.count()).select_from(backing)
                      .where(backing.c.idea_id == t.ideas.c.id).scalar_subquery())
        row = (await self._db.execute(select(t.ideas, supporters.label("supporters"))
                                      .where(*conditions))).mappings().first()
        if row is None:
            return None
        campaign_name = await self._campaign_name(row["campaign_key"])
        matches = (await SqlIdeaMatches(self._db).found_for(row["id"])
                   if row["matched_at"] is not None and Status(row["status"]) in SHOWN_WHILE
                   else None)
        history = await self._db.execute(
            select(t.idea_history).where(t.idea_history.c.idea_id == row["id"])
            .order_by(t.idea_history.c.at, t.idea_history.c.id)
        )
        return _idea(row, tuple(
            HistoryEntry(h.at, h.actor, h.action,
                         Status(h.from_status) if h.from_status else None,
                         Status(h.to_status), h.reason, h.message_to_contributor, h.detail)
            for h in history
        ), campaign_name, row["supporters"], matches)

    async def _campaign_name(self, key: str | None) -> str | None:
        if key is None:
            return None
        return await self._db.scalar(select(t.campaigns.c.name).where(t.campaigns.c.key == key))

    async def change(self, idea: IdeaDetail, at: datetime,
                     change: IdeaChange) -> IdeaDetail | None:
        """Apply `change` if nobody changed the idea since it was read; the idea as it now is
        (its history as it was), or None if somebody did."""
        row = (await self._db.execute(
            update(t.ideas).where(t.ideas.c.id == idea.id, t.ideas.c.version == idea.version)
            .values(version=idea.version + 1, updated_at=at, **_change_columns(change, at))
            .returning(*t.ideas.c)
        )).mappings().first()
        if row is None:
            return None
        return _idea(row, idea.history, idea.campaign_name, idea.supporters,
                     idea.matches if row["matched_at"] is not None else None)

    async def count(self, query: IdeaQuery) -> int:
        """How many ideas `query` holds."""
        return await self._db.scalar(
            select(func.count()).select_from(t.ideas).where(*_conditions(query))) or 0

    async def listed(self, query: IdeaQuery, offset: int, limit: int) -> list[IdeaSummary]:
        """`limit` of the ideas `query` holds, from `offset`, in its order."""
        rows = await self._db.execute(
            select(*_SUMMARY_COLUMNS)
            .where(*_conditions(query)).order_by(*_order(query)).offset(offset).limit(limit)
        )
        return [_summary(r) for r in rows]

    async def set_findability(self, idea_id: int, before: Findability,
                              after: Findability) -> bool:
        """`after`, in one conditional update: only while the idea's setting is `before`."""
        ideas = t.ideas
        result = await self._db.execute(
            update(ideas).where(
                ideas.c.id == idea_id, ideas.c.visibility == before.visibility.value,
                ideas.c.public_title.is_not_distinct_from(before.public_title))
            .values(visibility=after.visibility.value, public_title=after.public_title))
        return result.rowcount == 1


_SUMMARY_COLUMNS = (t.ideas.c.reference, t.ideas.c.title, t.ideas.c.status,
                    t.ideas.c.decline_reason, t.ideas.c.submitted_at, t.ideas.c.updated_at,
                    t.ideas.c.revisit_on, t.ideas.c.sla_due_on, t.ideas.c.first_response_at,
                    t.ideas.c.first_response_unreachable)


def _summary(row: Any) -> IdeaSummary:
    return IdeaSummary(row.reference, row.title, Status(row.status),
                       DeclineReason(row.decline_reason) if row.decline_reason else None,
                       row.submitted_at, row.updated_at, row.revisit_on, row.sla_due_on,
                       first_response(row.first_response_at, row.first_response_unreachable))


def first_response(at: datetime | None, unreachable: bool) -> FirstResponse | None:
    """The promise's first response as an `ideas` row keeps it."""
    return None if at is None else FirstResponse(at, not unreachable)


def _order(query: IdeaQuery) -> tuple[ColumnElement[Any], ...]:
    ideas = t.ideas
    if query.soonest_revisit_first:
        return ideas.c.revisit_on, ideas.c.id
    if query.newest_first:
        return ideas.c.submitted_at.desc(), ideas.c.id.desc()
    return ideas.c.submitted_at, ideas.c.id


def _conditions(query: IdeaQuery) -> list[ColumnElement[bool]]:
    """The WHERE clause of `query`; its text is matched literally (% and _ are escaped)."""
    ideas = t.ideas
    found: list[ColumnElement[bool]] = []
    if query.statuses is not None:
        found.append(ideas.c.status.in_(sorted(s.value for s in query.statuses)))
    if query.portfolios is not None:
        found.append(ideas.c.portfolio_key.in_(sorted(query.portfolios)))
    if query.not_from is not None:
        found.append(ideas.c.contributor_object_id != query.not_from)
    if query.text:
        found.append(or_(ideas.c.reference.icontains(query.text, autoescape=True),
                         ideas.c.title.icontains(query.text, autoescape=True)))
    return found


def _new_columns(idea: IdeaSubmission) -> dict[str, Any]:
    """The `ideas` row of a new idea."""
    profile = idea.profile
    return {
        "reference": idea.reference, "contributor_object_id": idea.contributor_object_id,
        "contributor_name": idea.contributor_name, "title": idea.title,
        "problem": idea.problem, "proposal": idea.proposal, "benefit": idea.benefit,
        "category_key": idea.category_key, "portfolio_key": idea.portfolio_key,
        "campaign_key": idea.campaign_key,
        "campaign_answers": [asdict(a) for a in idea.campaign_answers] or None,
        "named_publicly": idea.named_publicly, "status": Status.SUBMITTED.value,
        "visibility": idea.visibility.value,
        "version": 1, "submitted_at": idea.submitted_at,
        "sla_due_on": update_due(idea.submitted_at),
        "updated_at": idea.submitted_at, "submission_key": idea.submission_key,
        "department": profile.department, "function": profile.function,
        "location": profile.location, "grade": profile.grade, "role_type": profile.role_type,
    }


def _change_columns(change: IdeaChange, at: datetime) -> dict[str, Any]:
    """The `ideas` columns a change made at `at` writes."""
    restart: dict[str, Any] = {}
    if change.restarts_promise:  # a new clock from now, with nothing answered on it yet
        # (and its similar ideas found again: those found before may be long out of date)
        restart = {"sla_due_on": update_due(at), "first_response_at": None,
                   "first_response_unreachable": False, "matched_at": None}
    return restart | {
        "status": change.status.value,
        "decline_reason": change.decline_reason.value if change.decline_reason else None,
        "duplicate_of": change.duplicate_of, "revisit_on": change.revisit_on,
        "portfolio_key": change.portfolio_key,
        "root_cause_problem": change.root_cause_problem,
        "root_cause_implicated": change.root_cause_implicated,
    }


def _idea(row: Any, history: tuple[HistoryEntry, ...], campaign_name: str | None = None,
          supporters: int = 0, matches: tuple[Match, ...] | None = None) -> IdeaDetail:
    """An idea as the `ideas` table holds it; `campaign_name`, its campaign's (by key);
    `supporters`, how many support it; `matches`, the similar ideas found for it."""
    return IdeaDetail(
        id=row["id"], reference=row["reference"],
        contributor_object_id=row["contributor_object_id"], title=row["title"],
        problem=row["problem"], proposal=row["proposal"], benefit=row["benefit"],
        category_key=row["category_key"], portfolio_key=row["portfolio_key"],
        campaign_key=row["campaign_key"], named_publicly=row["named_publicly"],
        status=Status(row["status"]),
        decline_reason=DeclineReason(row["decline_reason"]) if row["decline_reason"] else None,
        version=row["version"], submitted_at=row["submitted_at"], updated_at=row["updated_at"],
        history=history,
        root_cause_problem=row["root_cause_problem"],
        root_cause_implicated=row["root_cause_implicated"],
        revisit_on=row["revisit_on"], duplicate_of=row["duplicate_of"],
        contributor_name=row["contributor_name"], due_on=row["sla_due_on"],
        first_response=first_response(row["first_response_at"],
                                      row["first_response_unreachable"]),
        campaign_answers=campaign_answers_from_json(row["campaign_answers"]),
        campaign_name=campaign_name, supporters=supporters,
        visibility=Visibility(row["visibility"]), public_title=row["public_title"],
        matches=matches,
    )


class SqlDrafts:
    """One draft per person, kept until it is submitted or replaced."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def get(self, object_id: str) -> tuple[str, Draft, datetime] | None:
        row = (await self._db.execute(
            select(t.idea_drafts).where(t.idea_drafts.c.object_id == object_id)
        )).mappings().first()
        if row is None:
            return None
        return row["draft_id"], draft_from_json(row["draft"]), row["updated_at"]

    async def claim(self, object_id: str) -> None:
        """Hold the person's draft until the transaction ends, so that a second confirmation
        of it (a double tap) waits for the first and then sees what it did.

        A write, not SELECT ... FOR UPDATE: on PostgreSQL it locks the row, on SQLite it takes
        the database's write lock before anything is read (SQLite has no row locks)."""
        drafts = t.idea_drafts
        await self._db.execute(update(drafts).where(drafts.c.object_id == object_id)
                               .values(updated_at=drafts.c.updated_at))

    async def put(self, object_id: str, draft_id: str, draft: Draft, at: datetime) -> None:
        await upsert(
            self._db, t.idea_drafts,
            {"object_id": object_id, "draft_id": draft_id, "draft": draft_to_json(draft),
             "started_at": at, "updated_at": at},
            keys=["object_id"], update=["draft_id", "draft", "updated_at"],
        )

    async def delete(self, object_id: str) -> None:
        await self._db.execute(delete(t.idea_drafts).where(t.idea_drafts.c.object_id == object_id))


class SqlProfiles:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def get(self, object_id: str) -> Profile | None:
        row = (await self._db.execute(
            select(t.contributor_profiles)
            .where(t.contributor_profiles.c.object_id == object_id)
        )).mappings().first()
        if row is None:
            return None
        return Profile(department=row["department"], function=row["function"],
                       location=row["location"], grade=row["grade"],
                       role_type=row["role_type"])

    async def put(self, object_id: str, profile: Profile, at: datetime) -> None:
        await upsert(
            self._db, t.contributor_profiles,
            {"object_id": object_id, **asdict(profile), "updated_at": at},
            keys=["object_id"], update=[*asdict(profile), "updated_at"],
        )


def draft_to_json(draft: Draft) -> dict[str, Any]:
    return {**asdict(draft), "step": draft.step.value}


def draft_from_json(data: dict[str, Any]) -> Draft:
    known = {name for name in Draft.__dataclass_fields__}
    values = {k: v for k, v in data.items() if k in known}
    values["step"] = Step(values.get("step", Step.TITLE.value))
    values["campaign_answers"] = campaign_answers_from_json(values.get("campaign_answers"))
    return Draft(**values)


def campaign_answers_from_json(value: Any) -> tuple[CampaignAnswer, ...]:
    """Answers to a campaign's questions as they are kept: a list of {question, answer}."""
    items = cast("list[dict[str, Any]]", value or [])
    return tuple(CampaignAnswer(str(item["question"]), str(item["answer"])) for item in items)
