"""The progress card of a campaign's call, redrawn in place in the chat of the PMO member who
sent it: while the call is sending, and once more with the final counts.

A redraw is an update of the card already sent (Outbox.replace_cards), claimed at most once
every PROGRESS_EVERY across replicas (a conditional update of the campaign's row), and keyed by
its counts, so that a redraw whose counts did not change queues nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from bot.domain.campaign_schedule import PROGRESS_EVERY, measured_seconds_left
from bot.domain.campaign_sending import CampaignStatus, progress_key
from bot.domain.campaigns import Campaign
from bot.domain.messages import CardMessage
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.campaigns import CampaignService
from bot.services.ports import Clock, UnitOfWorkFactory


def redraw_key(campaign_id: int, status: CampaignStatus) -> str:
    """The key of one redraw of the progress card: its counts (the same counts, one redraw)."""
    return (f"{progress_key(campaign_id)}:{status.sent}:{status.failed}:{status.pending}:"
            f"{status.cancelled}")


class ProgressWatcher:
    """Redraws the progress cards that are followed (`redraw`, every few seconds)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, campaigns: CampaignService,
                 card: Callable[[Campaign, CampaignStatus], CardMessage],
                 tenant_id: str | None = None, every: timedelta = PROGRESS_EVERY) -> None:
        self._uow = uow
        self._clock = clock
        self._campaigns = campaigns
        self._card = card
        self._tenant_id = tenant_id
        self._every = every

    async def redraw(self) -> int:
        """Redraw each followed progress card whose turn it is; how many were redrawn."""
        async with self._uow() as uow:
            followed = await uow.campaign_timeline.followed()
        drawn = 0
        for campaign, follower in followed:
            drawn += await self._redraw(campaign, follower)
        return drawn

    async def _redraw(self, campaign: Campaign, follower: str) -> int:
        status = await self._campaigns.status(campaign.id)
        now = self._clock.now()
        if campaign.sent_at is not None:
            status = replace(status, measured_seconds_left=measured_seconds_left(
                status.pending, status.sent + status.failed, now - campaign.sent_at))
        async with self._uow() as uow:
            if not await uow.campaign_timeline.claim_redraw(campaign.id, now, self._every,
                                                            final=status.finished):
                return 0
            card = self._card(replace(campaign, state=status.state), status)
            await uow.outbox.replace_cards({progress_key(campaign.id): OutgoingMessage(
                recipient=Recipient.person(follower, self._tenant_id),
                kind=MessageKind.CAMPAIGN, dedupe_key=redraw_key(campaign.id, status),
                message=card)}, now)
            await uow.commit()
        return 1
