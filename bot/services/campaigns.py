"""The PMO's campaigns: creating and editing them, sending each call once to its audience
through the outbox (now, or scheduled for the campaign pass), following it, calling it off,
the call as it stands when Teams redraws it, and people stopping campaign calls.

Every refusal is an InvalidCampaign whose problems say, kindly, what was wrong; nothing is
changed or queued then. Every change is audited in the transaction that makes it.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.audit import AuditEntry
from bot.domain.campaign_audience import resolve_audience
from bot.domain.campaign_schedule import call_closed, check_schedulable, reminder_batch_of
from bot.domain.campaign_sending import (
    Broadcast,
    CampaignOverview,
    CampaignStatus,
    CampaignSummary,
    Unreachable,
    agents_batch_of,
    batch_of,
    check_cancellable,
    check_editable,
    check_resendable,
    check_sendable,
    message_key,
    progress_key,
    recipient_text,
    status_of,
)
from bot.domain.campaigns import (
    Audience,
    AudienceKind,
    Campaign,
    CampaignRequest,
    CampaignState,
    InvalidCampaign,
    check_request,
    key_for,
)
from bot.domain.ideas import uk_day
from bot.domain.identity import Caller
from bot.domain.messages import CardMessage
from bot.domain.organisation import normalise_object_id
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

__all__ = ["Broadcast", "CampaignOverview", "CampaignService", "CampaignStatus",
           "CampaignSummary", "CampaignViews", "Unreachable"]

_BEFORE_SENDING = (CampaignState.DRAFT, CampaignState.SCHEDULED)


@dataclass(frozen=True, slots=True)
class CampaignViews:
    """The cards the service sends: the call itself, and the progress card for the PMO."""

    call_card: Callable[[Campaign], CardMessage]
    progress_card: Callable[[Campaign, CampaignStatus], CardMessage]


class CampaignService:
    """The campaigns, each checked against every rule, each change audited."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, views: CampaignViews,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._views = views
        self._organisation = organisation or OrganisationCache()

    async def create(self, request: CampaignRequest, actor: str) -> Campaign:
        """Keep `request` as a new draft campaign, or raise InvalidCampaign storing nothing."""
        now = self._clock.now()
        async with self._uow() as uow:
            checked = await self._checked(uow, request, now)
            base = key_for(checked.name, ())
            key = key_for(checked.name, await uow.campaigns.keys_from(base))
            campaign = await uow.campaigns.add(checked, key, actor, now)
            await uow.audit.record(_entry(actor, "campaign.created", campaign, now))
            await uow.commit()
        return campaign

    async def update(self, campaign_id: int, request: CampaignRequest, actor: str) -> Campaign:
        """Edit a draft or scheduled campaign (its key stays), checked as a new one is."""
        now = self._clock.now()
        async with self._uow() as uow:
            check_editable(await _campaign(uow, campaign_id))
            checked = await self._checked(uow, request, now)
            campaign = await uow.campaigns.replace(campaign_id, checked, _BEFORE_SENDING)
            if campaign is None:
                raise _moved_on()
            await uow.audit.record(_entry(actor, "campaign.edited", campaign, now))
            await uow.commit()
        return campaign

    async def schedule(self, campaign_id: int, at: datetime, actor: str) -> Campaign:
        """Send the call of a draft (or scheduled) campaign at `at`, a moment to come on or
        before its closing day: the campaign pass sends it then, as `send` would for `actor`,
        whose chat follows its progress. Scheduling again moves the moment."""
        now = self._clock.now()
        async with self._uow() as uow:
            check_schedulable(await _campaign(uow, campaign_id), at, now)
            if not await uow.campaign_timeline.schedule(campaign_id, at, actor):
                raise _moved_on()
            scheduled = await _campaign(uow, campaign_id)
            await uow.audit.record(_entry(actor, "campaign.scheduled", scheduled, now,
                                          scheduled_for=at.isoformat()))
            await uow.commit()
        return scheduled

    async def call_now(self, campaign_id: int,
                       viewer: str | None) -> tuple[Campaign, bool] | None:
        """The campaign whose call `viewer` (an Entra object id) is looking at, and whether that
        call has closed. None when there is no such campaign, or when its call has not gone
        out and `viewer` is neither in the PMO (their preview) nor a change agent it was sent
        to first: a forged refresh must not read a draft."""
        async with self._uow() as uow:
            campaign = await uow.campaigns.by_id(campaign_id)
            if campaign is None or (campaign.sent_at is None
                                    and not await self._previewed(uow, campaign, viewer)):
                return None
        return campaign, call_closed(campaign, self._clock.now())

    async def _previewed(self, uow: UnitOfWork, campaign: Campaign,
                         viewer: str | None) -> bool:
        """Whether `viewer` may see the call before it goes: a PMO member, or sent it first."""
        if viewer is None:
            return False
        organisation = await self._organisation.read(uow)
        if organisation is not None and organisation.roles_of(viewer).pmo:
            return True
        key = message_key(agents_batch_of(campaign.id),
                          Recipient.person(normalise_object_id(viewer)))
        return bool(await uow.outbox.first_sends([key]))

    async def get(self, campaign_id: int) -> Campaign | None:
        async with self._uow() as uow:
            return await uow.campaigns.by_id(campaign_id)

    async def list(self) -> builtins.list[Campaign]:
        """Every campaign, the latest to open first."""
        async with self._uow() as uow:
            return await uow.campaigns.listed()

    async def overview(self) -> CampaignOverview:
        """Every campaign with how many its call reached and the ideas it brought, and how
        many people stopped campaign calls: grouped counts, not one query a campaign."""
        async with self._uow() as uow:
            campaigns = await uow.campaigns.listed()
            reached = await uow.outbox.sent_counts([batch_of(c.id) for c in campaigns])
            ideas = await uow.campaigns.ideas_received()
            opted_out = await uow.campaigns.opted_out_count()
        return CampaignOverview(
            campaigns=[CampaignSummary(c, reached.get(batch_of(c.id), 0), ideas.get(c.key, 0))
                       for c in campaigns],
            opted_out=opted_out)

    async def send(self, campaign_id: int, actor: str, *, tenant_id: str | None,
                   progress_to: str | None = None) -> Broadcast:
        """Queue the call to every recipient of its audience, once, with the campaign opened,
        in one transaction; `progress_to`: the PMO member whose chat follows its progress."""
        now = self._clock.now()
        async with self._uow() as uow:
            campaign = await _campaign(uow, campaign_id)
            check_sendable(campaign, uk_day(now))
            recipients = await self._recipients(uow, campaign, tenant_id)
            # The campaign's row is moved first: a second send at the same moment waits for
            # this transaction, then finds it sent.
            if not await uow.campaigns.move(campaign_id, CampaignState.OPEN, _BEFORE_SENDING,
                                            sent_at=now, sent_by=actor,
                                            recipients=len(recipients)):
                check_sendable(await _campaign(uow, campaign_id), uk_day(now))
                raise _moved_on()
            sent = await _campaign(uow, campaign_id)
            if progress_to:  # queued first: the sender's chat shows it before their own call
                await uow.campaign_timeline.follow_progress(campaign_id, progress_to)
                await uow.outbox.enqueue(OutgoingMessage(
                    recipient=Recipient.person(progress_to, tenant_id),
                    kind=MessageKind.CAMPAIGN, dedupe_key=progress_key(campaign_id),
                    message=self._views.progress_card(sent, CampaignStatus(
                        state=sent.state, recipients=len(recipients), sent=0, failed=0,
                        pending=len(recipients)))), now)
            batch = batch_of(campaign_id)
            queued = await self._queue_call(uow, sent, recipients, batch, now)
            await uow.audit.record(_entry(actor, "campaign.sent", sent, now, recipients=queued,
                                          batch=batch))
            await uow.commit()
        return Broadcast(sent, queued, batch)

    async def send_to_change_agents(self, campaign_id: int, actor: str, *,
                                    tenant_id: str | None) -> Broadcast:
        """Send the call to the change agents first, to preview and promote it; the campaign
        stays as it is. Each agent gets it once, however often this is asked."""
        now = self._clock.now()
        async with self._uow() as uow:
            campaign = await _campaign(uow, campaign_id)
            check_sendable(campaign, uk_day(now))
            organisation = await self._organisation.read(uow)
            recipients = resolve_audience(
                _CHANGE_AGENTS, tenant_id, organisation,
                opted_out=await uow.campaigns.opted_out())
            batch = agents_batch_of(campaign_id)
            queued = await self._queue_call(uow, campaign, recipients, batch, now)
            if not queued:
                raise InvalidCampaign([f"Every change agent was already sent {campaign.name!r}. "
                                       "Nothing was sent again."])
            await uow.audit.record(_entry(actor, "campaign.sent_to_change_agents", campaign,
                                          now, recipients=queued, batch=batch))
            await uow.commit()
        return Broadcast(campaign, queued, batch)

    async def cancel(self, campaign_id: int, actor: str) -> CampaignStatus:
        """Call the campaign off: what its call has not sent yet never goes (kept on record,
        as cancelled); what was sent stays sent."""
        now = self._clock.now()
        async with self._uow() as uow:
            campaign = await _campaign(uow, campaign_id)
            check_cancellable(campaign)
            if not await uow.campaigns.move(campaign_id, CampaignState.CANCELLED,
                                            (CampaignState.DRAFT, CampaignState.SCHEDULED,
                                             CampaignState.OPEN)):
                check_cancellable(await _campaign(uow, campaign_id))
                raise _moved_on()
            called_off = sum([await uow.outbox.cancel_batch(batch, now) for batch in
                              (batch_of(campaign_id), agents_batch_of(campaign_id),
                               reminder_batch_of(campaign_id))])
            cancelled = await _campaign(uow, campaign_id)
            await uow.audit.record(_entry(actor, "campaign.cancelled", cancelled, now,
                                          called_off=called_off))
            status = await self._status(uow, cancelled)
            await uow.commit()
        return status

    async def status(self, campaign_id: int) -> CampaignStatus:
        """Where the campaign's call stands, with who could not be reached and why."""
        async with self._uow() as uow:
            return await self._status(uow, await _campaign(uow, campaign_id))

    async def resend_failed(self, campaign_id: int, actor: str) -> int:
        """Try again the calls of an open campaign that were given up, never those to people
        who blocked or removed the app; how many."""
        now = self._clock.now()
        async with self._uow() as uow:
            campaign = await _campaign(uow, campaign_id)
            check_resendable(campaign)
            again = await uow.outbox.retry_failed(batch_of(campaign_id), now)
            if again:
                await uow.campaign_timeline.follow_again(campaign_id)
                await uow.audit.record(_entry(actor, "campaign.resent", campaign, now,
                                              recipients=again))
                await uow.commit()
        return again

    async def stop_calls(self, caller: Caller) -> bool:
        """Stop campaign calls to the caller (never decision notices about their own ideas);
        True if they had not stopped them already."""
        return await self._opt(caller, out=True)

    async def resume_calls(self, caller: Caller) -> bool:
        """Send the caller campaign calls again; True if they had stopped them."""
        return await self._opt(caller, out=False)

    async def _opt(self, caller: Caller, *, out: bool) -> bool:
        now = self._clock.now()
        async with self._uow() as uow:
            changed = (await uow.campaigns.opt_out(caller.object_id, now) if out
                       else await uow.campaigns.opt_in(caller.object_id))
            if changed:
                await uow.audit.record(AuditEntry(
                    actor=caller.object_id,
                    action="campaign.opted_out" if out else "campaign.opted_in",
                    subject=f"person:{caller.object_id}", at=now, detail={}))
                await uow.commit()
        return changed

    async def installed_channels(self, limit: int) -> builtins.list[str]:
        """The team channels the bot is installed in (their conversation ids), the most
        recently heard from first: the channels a campaign may be sent to."""
        async with self._uow() as uow:
            return await uow.addresses.channels(limit)

    async def reach(self, campaign_id: int, tenant_id: str | None) -> int:
        """How many recipients its call would go to if sent now (opted-out people left out):
        what Send now asks to confirm. InvalidCampaign when it cannot be sent."""
        async with self._uow() as uow:
            campaign = await _campaign(uow, campaign_id)
            check_sendable(campaign, uk_day(self._clock.now()))
            return len(await self._recipients(uow, campaign, tenant_id))

    async def _checked(self, uow: UnitOfWork, request: CampaignRequest,
                       now: datetime) -> CampaignRequest:
        organisation = await self._organisation.read(uow)
        portfolios = None if organisation is None else {p.key for p in organisation.portfolios}
        return check_request(request, uk_day(now), portfolios)

    async def _recipients(self, uow: UnitOfWork, campaign: Campaign,
                          tenant_id: str | None) -> tuple[Recipient, ...]:
        return await recipients_of(uow, campaign, tenant_id, self._organisation)

    async def _queue_call(self, uow: UnitOfWork, campaign: Campaign,
                          recipients: tuple[Recipient, ...], batch: str, now: datetime) -> int:
        card = self._views.call_card(campaign)
        return await uow.outbox.enqueue_all([
            OutgoingMessage(recipient=r, kind=MessageKind.CAMPAIGN,
                            dedupe_key=message_key(batch, r), message=card, batch=batch)
            for r in recipients], now)

    async def _status(self, uow: UnitOfWork, campaign: Campaign) -> CampaignStatus:
        batch = batch_of(campaign.id)
        unreachable = tuple(Unreachable(recipient_text(r), reason)
                            for r, reason in await uow.outbox.unreachable_in(batch))
        return status_of(campaign, await uow.outbox.batch_progress(batch), unreachable)


_CHANGE_AGENTS = Audience(AudienceKind.CHANGE_AGENTS)


async def recipients_of(uow: UnitOfWork, campaign: Campaign, tenant_id: str | None,
                        organisation: OrganisationCache) -> tuple[Recipient, ...]:
    """Who the campaign's audience comes to now (those who stopped campaign calls left out),
    from one read of each source; InvalidCampaign when that is nobody."""
    audience = campaign.audience
    if audience.kind is AudienceKind.CHANNEL:
        installed = await uow.addresses.address(audience.target) is not None
        return resolve_audience(audience, tenant_id, None, channel_installed=installed)
    everyone = audience.kind is AudienceKind.EVERYONE
    return resolve_audience(
        audience, tenant_id, await organisation.read(uow),
        with_app=await uow.addresses.people_with_app() if everyone else (),
        opted_out=await uow.campaigns.opted_out())


def _moved_on() -> InvalidCampaign:
    return InvalidCampaign(["The campaign changed while this was asked (it was sent or "
                            "cancelled meanwhile). Nothing was changed."])


async def _campaign(uow: UnitOfWork, campaign_id: int) -> Campaign:
    campaign = await uow.campaigns.by_id(campaign_id)
    if campaign is None:
        raise InvalidCampaign([f"There is no campaign {campaign_id}. Nothing was changed."])
    return campaign


def _entry(actor: str, action: str, campaign: Campaign, at: datetime,
           **detail: object) -> AuditEntry:
    """The audit entry of a change to `campaign`, with what it was."""
    return AuditEntry(
        actor=actor, action=action, subject=f"campaign:{campaign.id}", at=at,
        detail={"key": campaign.key, "name": campaign.name, "state": campaign.state.value,
                "opens": campaign.opens.isoformat(), "closes": campaign.closes.isoformat(),
                "audience": str(campaign.audience),
                "audience_members": len(campaign.audience.members),
                "questions": len(campaign.questions), **detail})
