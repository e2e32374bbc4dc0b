"""Retention: once a day (and on demand) the portal purges what it keeps no longer, by the
policy in bot.domain.retention, and audits what it removed."""

from __future__ import annotations

from datetime import datetime

import structlog

from bot.domain.audit import SYSTEM, AuditEntry
from bot.domain.ideas import uk_day
from bot.domain.reminders import Job, Mark
from bot.domain.retention import RetentionCounts, RetentionPolicy
from bot.services.ports import Clock, RetentionStore, UnitOfWorkFactory

log = structlog.get_logger(__name__)


class Retention:
    def __init__(self, store: RetentionStore, uow: UnitOfWorkFactory, clock: Clock,
                 policy: RetentionPolicy | None = None) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._policy = policy or RetentionPolicy()

    async def run(self, *, dry_run: bool = False, actor: str = SYSTEM) -> RetentionCounts:
        """Purge everything older than the policy keeps (with `dry_run`, count it only);
        a real run is audited with its counts."""
        now = self._clock.now()
        cutoffs = self._policy.cutoffs(now)
        batch = self._policy.batch
        counts = RetentionCounts(
            drafts=await self._store.purge_drafts(cutoffs.drafts, batch, dry_run=dry_run),
            conversation_state=await self._store.purge_state(cutoffs.drafts, batch,
                                                             dry_run=dry_run),
            sent_payloads=await self._store.purge_sent_payloads(
                cutoffs.sent_payloads, now, batch, dry_run=dry_run),
            outbox_rows=await self._store.purge_outbox_rows(cutoffs.outbox_rows, batch,
                                                            dry_run=dry_run),
            feedback=await self._store.purge_feedback(cutoffs.feedback, batch,
                                                      dry_run=dry_run),
            job_marks=await self._store.purge_job_marks(cutoffs.job_marks, batch,
                                                        dry_run=dry_run),
        )
        if not dry_run:
            async with self._uow() as uow:
                await uow.audit.record(AuditEntry(
                    actor=actor, action="retention.run", subject="retention", at=now,
                    detail={**counts.as_dict(), "policy": {
                        "drafts_days": self._policy.drafts_days,
                        "sent_days": self._policy.sent_days,
                        "outbox_rows_days": self._policy.outbox_rows_days,
                        "feedback_months": self._policy.feedback_months,
                        "job_marks_days": self._policy.job_marks_days}}))
                await uow.commit()
            log.info("retention.run", **counts.as_dict())
        return counts

    async def run_due(self) -> RetentionCounts | None:
        """The day's run, if no replica has run it today (UK day); None when one has."""
        now = self._clock.now()
        if not await self._claim_day(now):
            return None
        return await self.run()

    async def _claim_day(self, now: datetime) -> bool:
        mark = Mark(Job.RETENTION, 0, uk_day(now).isoformat())
        async with self._uow() as uow:
            claimed = await uow.jobs.claim([mark], now)
            await uow.commit()
        return bool(claimed)
