"""Sending a campaign's call: when it may be sent, edited, cancelled or sent again to those it
failed, what its broadcast is called in the outbox, and how its progress reads.

A campaign's call goes out once, as one outbox batch (`batch_of`), one message per recipient
under a key that names both, so that no repeat of a send can ever reach anyone twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from bot.domain.campaigns import Campaign, CampaignState, InvalidCampaign
from bot.domain.ideas import LONDON
from bot.domain.outbox import BatchProgress, Recipient

# Teams' ceiling for one app in one tenant; what is left to send is estimated at this pace.
TEAMS_MESSAGES_PER_SECOND = 50
_SENDABLE = (CampaignState.DRAFT, CampaignState.SCHEDULED)


def batch_of(campaign_id: int) -> str:
    """The outbox batch of the campaign's call to its audience."""
    return f"campaign:{campaign_id}"


def agents_batch_of(campaign_id: int) -> str:
    """The outbox batch of the call sent first to the change agents, as a preview."""
    return f"campaign:{campaign_id}:agents"


def progress_key(campaign_id: int) -> str:
    """The key of the progress card in the chat of the PMO member who sent the campaign."""
    return f"campaign-progress:{campaign_id}"


def recipient_text(recipient: Recipient) -> str:
    """A recipient as the outbox keys and the status name it: a conversation id (a channel)
    or a person's Entra object id."""
    return recipient.conversation_id or recipient.object_id or ""


def message_key(batch: str, recipient: Recipient) -> str:
    """The de-duplication key of one recipient's message in a batch."""
    return f"{batch}:{recipient_text(recipient)}"


def check_sendable(campaign: Campaign, today: date) -> None:
    """Raise InvalidCampaign unless the campaign's call may be sent now: not sent before,
    not cancelled or closed, and not past its closing day."""
    if campaign.state in (CampaignState.CLOSED, CampaignState.CANCELLED):
        raise InvalidCampaign([f"{campaign.name!r} is {campaign.state.value}; only a draft or "
                               "scheduled campaign can be sent. Nothing was sent."])
    if campaign.sent_at is not None or campaign.state not in _SENDABLE:
        raise InvalidCampaign([_already_sent(campaign)])
    if campaign.closes < today:
        raise InvalidCampaign([
            f"{campaign.name!r} closed on {campaign.closes:%d %B %Y}; a call that has closed "
            "cannot be sent. Edit its closing day first. Nothing was sent."])


def _already_sent(campaign: Campaign) -> str:
    if campaign.sent_at is None:
        return f"{campaign.name!r} was already sent; a campaign's call goes out once."
    by = f" by {campaign.sent_by}" if campaign.sent_by else ""
    sent = campaign.sent_at.astimezone(LONDON)
    return (f"{campaign.name!r} was already sent on {sent:%d %B %Y} at {sent:%H:%M}{by}; a "
            "campaign's call goes out once. Nothing was sent again.")


def check_editable(campaign: Campaign) -> None:
    """Raise InvalidCampaign unless the campaign may still be edited (a draft, or scheduled)."""
    if campaign.state not in _SENDABLE:
        raise InvalidCampaign([f"{campaign.name!r} is {campaign.state.value}; only a draft or "
                               "scheduled campaign can be edited. Nothing was changed."])


def check_cancellable(campaign: Campaign) -> None:
    """Raise InvalidCampaign when the campaign has already ended (closed or cancelled)."""
    if campaign.state in (CampaignState.CLOSED, CampaignState.CANCELLED):
        raise InvalidCampaign([f"{campaign.name!r} is already {campaign.state.value}. "
                               "Nothing was changed."])


def check_resendable(campaign: Campaign) -> None:
    """Raise InvalidCampaign unless the campaign is open: failures are sent again only while
    the call still stands."""
    if campaign.state is not CampaignState.OPEN:
        raise InvalidCampaign([f"{campaign.name!r} is {campaign.state.value}; failed calls are "
                               "sent again only while a campaign is open. Nothing was sent."])


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A call queued: to how many recipients, in which outbox batch."""

    campaign: Campaign
    recipients: int
    batch: str


@dataclass(frozen=True, slots=True)
class Unreachable:
    """A recipient the call could not reach and never will by trying again (they blocked or
    removed the app, or their chat is gone), with the reason Teams gave."""

    recipient: str
    reason: str


@dataclass(frozen=True, slots=True)
class CampaignStatus:
    """Where a campaign's call stands. `failed` counts every message given up (the
    unreachable among them, listed in `unreachable`); `pending` those still to send or to
    try again; `cancelled` those called off with the campaign."""

    state: CampaignState
    recipients: int
    sent: int
    failed: int
    pending: int
    unreachable: tuple[Unreachable, ...] = ()
    cancelled: int = 0
    # How long what is pending takes at the pace measured so far, once there is one.
    measured_seconds_left: int | None = None

    @property
    def finished(self) -> bool:
        return self.pending == 0

    @property
    def seconds_left(self) -> int:
        """About how long what is pending takes: at the measured pace, or else at Teams'
        ceiling (the outbox sends near it)."""
        if self.measured_seconds_left is not None:
            return self.measured_seconds_left
        return math.ceil(self.pending / TEAMS_MESSAGES_PER_SECOND)

    @property
    def resendable(self) -> int:
        """How many failed that may be tried again (never those who blocked the app)."""
        return self.failed - len(self.unreachable)


def status_of(campaign: Campaign, progress: BatchProgress,
              unreachable: tuple[Unreachable, ...]) -> CampaignStatus:
    """The campaign's status from its batch's counts."""
    return CampaignStatus(
        state=campaign.state, recipients=campaign.recipients or progress.total,
        sent=progress.sent, failed=progress.dead,
        pending=progress.pending + progress.sending + progress.failing,
        unreachable=unreachable, cancelled=progress.cancelled)


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    """One campaign in the PMO's list: how many its call reached, how many ideas it brought."""

    campaign: Campaign
    reached: int
    ideas_received: int


@dataclass(frozen=True, slots=True)
class CampaignOverview:
    """Every campaign with its numbers, and how many people have stopped campaign calls."""

    campaigns: list[CampaignSummary]
    opted_out: int
