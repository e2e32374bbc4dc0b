"""The one scheduler: passes that work out what the jobs owe and queue it through the outbox.

A pass reads the state, asks every job (bot.domain.reminders) what it owes at that moment,
claims the marks of what it will send, and queues the messages, all in one transaction: two
passes at once (two replicas) or a pass after a crash send each reminder once. Reminders wait
out the quiet hours in the outbox (`not_before`). `--now` in the command line moves a pass in
time for tests and operations; the service uses the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import structlog

from bot.domain.audit import SYSTEM, AuditEntry
from bot.domain.messages import CardMessage
from bot.domain.organisation import Organisation
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.domain.reminders import Job, JobState, Owed, Reading, Timing, owed_at
from bot.domain.working_days import QuietHours
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.services.staff_cards import IdeaCardView, update_staff_cards

log = structlog.get_logger(__name__)

ACTOR = f"{SYSTEM}:jobs"
PASS_EVERY_SECONDS = 300.0
# However soon something is due, a loop waits at least this long between runs.
MIN_WAIT_SECONDS = 0.05


class ReminderViews(Protocol):
    """The cards the jobs send; the cards package provides them."""

    idea_card: IdeaCardView

    def reminder(self, owed: Owed, organisation: Organisation) -> CardMessage: ...


@dataclass(frozen=True, slots=True)
class JobOptions:
    timing: Timing = field(default_factory=Timing)
    quiet: QuietHours = field(default_factory=QuietHours)
    tenant_id: str | None = None  # the tenant of the people reminded (the bot's own)


class JobRunner:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, views: ReminderViews,
                 options: JobOptions | None = None,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._views = views
        self._options = options or JobOptions()
        self._organisation = organisation or OrganisationCache()

    async def due(self, now: datetime | None = None) -> list[Owed]:
        """What a pass at `now` would send, sending nothing."""
        at = now or self._clock.now()
        async with self._uow() as uow:
            state = await self._state(uow, at)
        return [owed for owed in self._owed(state, at) if owed.says_something]

    async def run_due(self, now: datetime | None = None) -> list[Owed]:
        """One pass at `now` (the clock's time by default): the messages it queued."""
        at = now or self._clock.now()
        queued: list[Owed] = []
        async with self._uow() as uow:
            state = await self._state(uow, at)
            if state is None:
                return []
            owed = self._owed(state, at)
            claimed = await uow.jobs.claim(sorted({m for o in owed for m in o.marks}), at)
            kept = [o for o in (owed_one.keep(claimed) for owed_one in owed) if o is not None]
            queued = [o for o in kept if o.says_something]
            send_at = self._options.quiet.next_allowed(at)
            await uow.outbox.enqueue_all([OutgoingMessage(
                recipient=Recipient.person(o.to, self._options.tenant_id),
                kind=MessageKind.REMINDER, dedupe_key=o.dedupe_key,
                message=self._views.reminder(o, state.organisation),
                not_before=send_at if send_at > at else None,
            ) for o in queued], at)
            await self._revisit_cards(uow, queued, state.organisation, at)
            await self._audit(uow, queued, at)
            await uow.commit()
        if queued:
            log.info("jobs.queued", messages=len(queued),
                     jobs=sorted({o.job.value for o in queued}))
        return queued

    async def _state(self, uow: UnitOfWork, now: datetime) -> JobState | None:
        organisation = await self._organisation.read(uow)
        if organisation is None:
            return None
        return await uow.jobs.state(Reading.at(now, self._options.timing.calendar),
                                    organisation)

    def _owed(self, state: JobState | None, now: datetime) -> list[Owed]:
        """What the jobs owe at `now`. A revisit, which also sends the idea's own card, waits
        until the quiet hours are over (the next pass after them sends it)."""
        if state is None:
            return []
        quiet = self._options.quiet.is_quiet(now)
        return [owed for owed in owed_at(state, now, self._options.timing)
                if not (quiet and owed.job is Job.REVISIT)]

    async def _revisit_cards(self, uow: UnitOfWork, queued: list[Owed],
                             organisation: Organisation, now: datetime) -> None:
        """On its revisit day, everyone who should follow a deferred idea holds its one live
        card: sent to those who never had it, replaced in place for the others."""
        ids = dict.fromkeys(line.idea_id for o in queued if o.job is Job.REVISIT
                            for listing in o.listings for line in listing.lines)
        for idea_id in ids:
            idea = await uow.ideas.by_id(idea_id)
            if idea is not None:
                await update_staff_cards(uow, idea, organisation, self._views.idea_card,
                                         self._options.tenant_id, now)

    async def _audit(self, uow: UnitOfWork, queued: list[Owed], now: datetime) -> None:
        """One entry per job a pass queued messages for: to whom, about which ideas."""
        by_job: dict[Job, list[Owed]] = {}
        for owed in queued:
            by_job.setdefault(owed.job, []).append(owed)
        for job, messages in by_job.items():
            await uow.audit.record(AuditEntry(
                actor=ACTOR, action=f"jobs.{job.value}", subject=job.value, at=now,
                detail={"messages": [{"to": o.to, "threshold": o.threshold,
                                      "ideas": list(o.ideas)} for o in messages]},
            ))


class Scheduler:
    """Runs a pass now and then beside the outbox worker, until told to stop. A pass that
    fails (the database is down) is logged, and the next one catches up."""

    def __init__(self, runner: JobRunner, every: float = PASS_EVERY_SECONDS) -> None:
        self._runner = runner
        self._every = every

    async def run(self, stop: asyncio.Event) -> None:
        await repeat(self._runner.run_due, self._every, stop, failed="jobs.pass_failed")


async def repeat(work: Callable[[], Awaitable[object]], every: float, stop: asyncio.Event, *,
                 failed: str, sooner: Callable[[], float | None] | None = None,
                 first_after: float = 0.0) -> None:
    """`work` at once (or after `first_after` seconds), then every `every` seconds until
    `stop` is set (a run under way is finished first), or sooner when `sooner` (asked after
    each run) names how many seconds until something is due. A run that fails is logged as
    `failed`, and the next one catches up. Each run's lines carry `job` (`failed` less its
    "_failed") and a `job_run` id."""
    job = failed.removesuffix("_failed")
    if first_after > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), first_after)
    while not stop.is_set():
        with structlog.contextvars.bound_contextvars(job=job, job_run=uuid.uuid4().hex):
            try:
                await work()
            except Exception:
                log.exception(failed)
        due_in = sooner() if sooner is not None else None
        wait = every if due_in is None else min(every, max(MIN_WAIT_SECONDS, due_in))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
