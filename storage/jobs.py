"""What the scheduler's jobs read, and the marks of what its passes did (the storage side of
the JobLedger port). Each read is one indexed query bounded by the pass's Reading, never a
walk over every idea."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.ideas import UNDECIDED, Status, uk_day, update_due
from bot.domain.lifecycle import ANSWERED
from bot.domain.moves import Move
from bot.domain.organisation import Organisation
from bot.domain.reminders import (
    ASKABLE,
    NOT_CLOSED,
    Job,
    JobState,
    Listed,
    Mark,
    OpenIdea,
    Question,
    Reading,
)
from storage import tables as t
from storage.upsert import insert_for

_ideas = t.ideas


def _in(statuses: frozenset[Status]) -> ColumnElement[bool]:
    return _ideas.c.status.in_(sorted(s.value for s in statuses))


class SqlJobLedger:
    """Implements bot.services.ports.JobLedger on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def state(self, reading: Reading, organisation: Organisation) -> JobState:
        """The ideas each job could owe something for at `reading`, and the marks of what was
        done for them already."""
        open_ideas = await self._open(reading)
        deferred = await self._listed(
            and_(_ideas.c.status == Status.DEFERRED.value,
                 _ideas.c.revisit_on <= reading.today), _ideas.c.revisit_on)
        triage = await self._listed(
            and_(_ideas.c.status == Status.SUBMITTED.value,
                 _ideas.c.submitted_at < reading.triage_before), _ideas.c.submitted_at)
        keys = sorted(p.key for p in organisation.portfolios)
        orphaned = await self._listed(
            and_(_in(NOT_CLOSED), _ideas.c.portfolio_key.not_in(keys)), _ideas.c.submitted_at)
        ids = [idea.id for idea in open_ideas] + [idea.id for idea in deferred]
        return JobState(
            organisation=organisation, open=tuple(open_ideas),
            awaiting_triage=tuple(triage), approved=tuple(await self._approved(reading)),
            orphaned=tuple(orphaned), questions=tuple(await self._questions(reading)),
            deferred=tuple(deferred), marks=await self._marks(ids, reading),
        )

    async def claim(self, marks: list[Mark], at: datetime) -> frozenset[Mark]:
        """Record `marks` that no pass has recorded yet; those this call recorded. A pass
        running at the same time waits for this transaction and then finds them taken. In one
        order, so that two passes never wait for each other."""
        if not marks:
            return frozenset()
        rows = [{"job": m.job.value, "idea_id": m.idea_id, "threshold": m.threshold, "at": at}
                for m in sorted(set(marks))]
        result = await self._db.execute(
            insert_for(self._db, t.job_marks).on_conflict_do_nothing()
            .returning(t.job_marks.c.job, t.job_marks.c.idea_id, t.job_marks.c.threshold),
            rows,
        )
        wanted = {(m.job.value, m.idea_id, m.threshold): m for m in marks}
        return frozenset(wanted[(r.job, r.idea_id, r.threshold)] for r in result)

    async def _open(self, reading: Reading) -> list[OpenIdea]:
        """Undecided ideas with no substantive answer yet, due by the reading's last day (an
        empty due day, left by a replica on older code, is the submission's)."""
        c = _ideas.c
        rows = await self._db.execute(
            select(c.id, c.reference, c.title, c.status, c.portfolio_key,
                   c.contributor_object_id, c.submitted_at, c.sla_due_on)
            .where(_in(UNDECIDED), c.first_response_at.is_(None),
                   or_(c.sla_due_on <= reading.due_until,
                       and_(c.sla_due_on.is_(None),
                            c.submitted_at < reading.submitted_before)))
        )
        found = [OpenIdea(r.id, r.reference, r.title, Status(r.status), r.portfolio_key,
                          r.contributor_object_id, r.submitted_at,
                          r.sla_due_on or update_due(r.submitted_at)) for r in rows]
        return [idea for idea in found if idea.due <= reading.due_until]

    async def _listed(self, where: ColumnElement[bool], day: Any) -> list[Listed]:
        c = _ideas.c
        rows = await self._db.execute(
            select(c.id, c.reference, c.title, c.status, c.portfolio_key,
                   c.contributor_object_id, day.label("day")).where(where))
        return [Listed(r.id, r.reference, r.title, Status(r.status), r.portfolio_key,
                       _day(r.day), r.contributor_object_id) for r in rows]

    async def _approved(self, reading: Reading) -> list[Listed]:
        """Approved ideas whose latest approval was before the reading's bound."""
        h, c = t.idea_history, _ideas.c
        approved_at = func.max(h.c.at).label("approved_at")
        rows = await self._db.execute(
            select(c.id, c.reference, c.title, c.status, c.portfolio_key,
                   c.contributor_object_id, approved_at)
            .join(h, h.c.idea_id == c.id)
            .where(c.status == Status.APPROVED.value, h.c.action == Move.APPROVE.value,
                   c.submitted_at < reading.approved_before)
            .group_by(c.id, c.reference, c.title, c.status, c.portfolio_key,
                      c.contributor_object_id)
            .having(func.max(h.c.at) < reading.approved_before))
        return [Listed(r.id, r.reference, r.title, Status(r.status), r.portfolio_key,
                       _day(r.approved_at), r.contributor_object_id) for r in rows]

    async def _questions(self, reading: Reading) -> list[Question]:
        """Ideas that may still be asked about, with a question asked before the bound: when
        the latest question was asked, and when the latest answer was given."""
        h, c = t.idea_history, _ideas.c
        asked = func.max(case((h.c.action == Move.ASK.value, h.c.at))).label("asked")
        answered = func.max(case((h.c.action == ANSWERED, h.c.at))).label("answered")
        rows = await self._db.execute(
            select(c.id, c.reference, c.title, c.status, c.portfolio_key,
                   c.contributor_object_id, asked, answered)
            .join(h, h.c.idea_id == c.id)
            .where(_in(ASKABLE), h.c.action.in_([Move.ASK.value, ANSWERED]))
            .group_by(c.id, c.reference, c.title, c.status, c.portfolio_key,
                      c.contributor_object_id)
            .having(func.max(case((h.c.action == Move.ASK.value, h.c.at)))
                    <= reading.asked_before))
        return [Question(Listed(r.id, r.reference, r.title, Status(r.status), r.portfolio_key,
                                _day(r.asked), r.contributor_object_id),
                         _moment(r.asked), _moment(r.answered) if r.answered else None)
                for r in rows]

    async def _marks(self, idea_ids: list[int], reading: Reading) -> frozenset[Mark]:
        """The marks already recorded for these ideas, and for the digests of this day and
        week."""
        m = t.job_marks
        days = [(mark.job.value, mark.idea_id, mark.threshold) for mark in reading.day_marks]
        found: set[tuple[str, int, str]] = set()
        for start in range(0, len(idea_ids), 1000):
            chunk = idea_ids[start:start + 1000]
            found |= {(r.job, r.idea_id, r.threshold) for r in await self._db.execute(
                select(m.c.job, m.c.idea_id, m.c.threshold).where(m.c.idea_id.in_(chunk)))}
        # Each day's mark by its key (a row-value IN list would make SQLite scan the table).
        found |= {(r.job, r.idea_id, r.threshold) for r in await self._db.execute(
            select(m.c.job, m.c.idea_id, m.c.threshold)
            .where(or_(*(and_(m.c.job == job, m.c.idea_id == idea, m.c.threshold == threshold)
                         for job, idea, threshold in days))))}
        return frozenset(_mark(*row) for row in found)


def _mark(job: str, idea_id: int, threshold: str) -> Mark:
    return Mark(Job(job), idea_id, threshold)


def _moment(value: Any) -> datetime:
    """A timestamp from an aggregate, which SQLite returns as text and without a zone."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _day(value: Any) -> date:
    """A day column, or a moment's UK day."""
    if isinstance(value, datetime) or (isinstance(value, str) and len(value) > 10):
        return uk_day(_moment(value))
    if isinstance(value, str):
        return date.fromisoformat(value)
    assert isinstance(value, date)
    return value
