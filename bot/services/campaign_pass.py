"""The campaign pass: what campaigns owe at a moment, each done once.

Every few seconds (bot.domain.campaign_schedule.CAMPAIGN_PASS_SECONDS) a pass sends the
scheduled calls whose moment has come (through CampaignService.send, so exactly as a PMO
member's Send now would), closes the open campaigns whose closing day has ended and tells the
PMO how each did, and queues the reminders owed two days before a campaign closes. Each is
claimed by a conditional update in the transaction that queues its messages, so two passes at
once (two replicas), or a pass after a crash, do each thing once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from bot.domain.audit import SYSTEM, AuditEntry
from bot.domain.campaign_schedule import (
    ClosingSummary,
    reminder_batch_of,
    reminder_due,
    summary_key,
)
from bot.domain.campaign_sending import batch_of, message_key
from bot.domain.campaigns import Campaign, InvalidCampaign
from bot.domain.ideas import uk_day
from bot.domain.messages import CardMessage
from bot.domain.organisation import Organisation, is_object_id, normalise_object_id
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.campaigns import CampaignService, recipients_of
from bot.services.jobs import JobOptions
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger(__name__)

ACTOR = f"{SYSTEM}:campaigns"


@dataclass(frozen=True, slots=True)
class CampaignPassViews:
    """The cards a pass sends: the reminder before a campaign closes, and the PMO's summary
    once it has."""

    reminder: Callable[[Campaign], CardMessage]
    summary: Callable[[ClosingSummary], CardMessage]


@dataclass(slots=True)
class PassReport:
    """What one pass did, by campaign id: sent as scheduled, put back to a draft because its
    scheduled call could not go, closed, and reminded (with how many were reminded)."""

    sent: list[int] = field(default_factory=list[int])
    lapsed: list[int] = field(default_factory=list[int])
    closed: list[int] = field(default_factory=list[int])
    reminded: dict[int, int] = field(default_factory=dict[int, int])

    @property
    def did_something(self) -> bool:
        return bool(self.sent or self.lapsed or self.closed or self.reminded)


class CampaignPass:
    """Runs the campaign pass (`run`), for the scheduler or `iip campaign run-due`."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, campaigns: CampaignService,
                 views: CampaignPassViews, options: JobOptions | None = None,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._campaigns = campaigns
        self._views = views
        self._options = options or JobOptions()
        self._organisation = organisation or OrganisationCache()
        self._next_at: datetime | None = None

    def seconds_to_next(self) -> float | None:
        """How long until the next scheduled call known to the last pass is due (below zero:
        one fell due while the pass was sending another). A call scheduled since is seen by
        the next pass, at most CAMPAIGN_PASS_SECONDS later."""
        if self._next_at is None:
            return None
        return (self._next_at - self._clock.now()).total_seconds()

    async def run(self) -> PassReport:
        """One pass at the clock's time."""
        self._next_at = None
        report = PassReport()
        await self._send_scheduled(report)
        await self._close(report)
        await self._remind(report)
        async with self._uow() as uow:
            self._next_at = await uow.campaign_timeline.next_scheduled()
        if report.did_something:
            log.info("campaigns.pass", sent=report.sent, lapsed=report.lapsed,
                     closed=report.closed, reminded=report.reminded)
        return report

    async def _send_scheduled(self, report: PassReport) -> None:
        """Each scheduled call whose moment has come, sent for whoever scheduled it (their
        chat follows its progress). A call that may no longer go (its closing day passed, its
        audience is nobody now) goes back to a draft, audited with why."""
        async with self._uow() as uow:
            due = await uow.campaign_timeline.scheduled_by(self._clock.now())
        for campaign in due:
            by = campaign.scheduled_by or ACTOR
            try:
                await self._campaigns.send(campaign.id, by, tenant_id=self._options.tenant_id,
                                           progress_to=by if is_object_id(by) else None)
            except InvalidCampaign as refusal:
                if await self._lapse(campaign, refusal):
                    report.lapsed.append(campaign.id)
            else:
                report.sent.append(campaign.id)

    async def _lapse(self, campaign: Campaign, refusal: InvalidCampaign) -> bool:
        """False when it was not scheduled any more: another pass sent it first."""
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.campaign_timeline.unschedule(campaign.id):
                return False
            await uow.audit.record(AuditEntry(
                actor=ACTOR, action="campaign.schedule_lapsed", subject=f"campaign:{campaign.id}",
                at=now, detail={"scheduled_by": campaign.scheduled_by,
                                "scheduled_at": (campaign.scheduled_at.isoformat()
                                                 if campaign.scheduled_at else None),
                                "problems": refusal.problems}))
            await uow.commit()
        log.warning("campaigns.schedule_lapsed", campaign=campaign.id)
        return True

    async def _close(self, report: PassReport) -> None:
        """Close each open campaign whose closing day (UK) has ended, and send every PMO member
        its summary (after the quiet hours)."""
        now = self._clock.now()
        async with self._uow() as uow:
            organisation = await self._organisation.read(uow)
            for campaign in await uow.campaign_timeline.closing(uk_day(now)):
                if not await uow.campaign_timeline.close(campaign.id, now):
                    continue
                summary = await self._summary(uow, campaign, organisation)
                card = self._views.summary(summary)
                await uow.outbox.enqueue_all([OutgoingMessage(
                    recipient=Recipient.person(pmo, self._options.tenant_id),
                    kind=MessageKind.CAMPAIGN, dedupe_key=summary_key(campaign.id, pmo),
                    message=card, not_before=self._after_quiet_hours())
                    for pmo in (organisation.pmo if organisation else ())], now)
                await uow.audit.record(AuditEntry(
                    actor=ACTOR, action="campaign.closed", subject=f"campaign:{campaign.id}",
                    at=now, detail={"key": campaign.key, "ideas": summary.ideas,
                                    "reached": summary.reached}))
                report.closed.append(campaign.id)
            await uow.commit()

    async def _summary(self, uow: UnitOfWork, campaign: Campaign,
                       organisation: Organisation | None) -> ClosingSummary:
        names = {p.key: p.name for p in (organisation.portfolios if organisation else ())}
        by_portfolio = await uow.campaign_timeline.ideas_by_portfolio(campaign.key)
        reached = await uow.outbox.sent_counts([batch_of(campaign.id)])
        return ClosingSummary(
            campaign=campaign, ideas=sum(count for _, count in by_portfolio),
            by_portfolio=tuple((names.get(key, key), count) for key, count in by_portfolio),
            reached=reached.get(batch_of(campaign.id), 0),
            opted_out=await uow.campaigns.opted_out_count())

    async def _remind(self, report: PassReport) -> None:
        """Two UK days before an open campaign closes, if the PMO asked: the call again to its
        audience as it is now, less those who stopped campaign calls and those who already
        sent an idea answering it, as a batch of its own, after the quiet hours."""
        now = self._clock.now()
        async with self._uow() as uow:
            for campaign in await uow.campaign_timeline.to_remind(uk_day(now)):
                if not reminder_due(campaign, now) or not await uow.campaign_timeline.reminded(
                        campaign.id, now):
                    continue
                recipients = await self._to_remind(uow, campaign)
                batch = reminder_batch_of(campaign.id)
                card = self._views.reminder(campaign)
                queued = await uow.outbox.enqueue_all([OutgoingMessage(
                    recipient=r, kind=MessageKind.CAMPAIGN, dedupe_key=message_key(batch, r),
                    message=card, batch=batch, not_before=self._after_quiet_hours())
                    for r in recipients], now)
                await uow.audit.record(AuditEntry(
                    actor=ACTOR, action="campaign.reminded", subject=f"campaign:{campaign.id}",
                    at=now, detail={"key": campaign.key, "recipients": queued,
                                    "batch": batch}))
                report.reminded[campaign.id] = queued
            await uow.commit()

    async def _to_remind(self, uow: UnitOfWork, campaign: Campaign) -> list[Recipient]:
        try:
            audience = await recipients_of(uow, campaign, self._options.tenant_id,
                                           self._organisation)
        except InvalidCampaign:  # nobody now (the channel removed the app, say): none owed
            return []
        answered = {normalise_object_id(oid)
                    for oid in await uow.campaign_timeline.responders(campaign.key)}
        return [r for r in audience if r.object_id is None or r.object_id not in answered]

    def _after_quiet_hours(self) -> datetime | None:
        now = self._clock.now()
        send_at = self._options.quiet.next_allowed(now)
        return send_at if send_at > now else None
