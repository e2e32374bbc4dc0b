"""Campaigns over time: when a call may be scheduled, and what the campaign pass owes each
campaign at a moment (its scheduled send, its reminder two days before it closes, its closing),
all by UK calendar days, summer time or not.

Each rule is a pure function of the campaign and the moment; the pass (bot.services) makes each
thing happen once, with a conditional update in the transaction that queues it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.campaigns import Campaign, CampaignState, InvalidCampaign
from bot.domain.ideas import LONDON, uk_day

# How many UK days before its closing day a campaign's reminder goes (if the PMO asked for one).
REMIND_DAYS_BEFORE = 2
# How often the campaign pass runs at most apart. It wakes sooner for a scheduled call it
# knows of, so that a call scheduled before the last pass goes at its moment; one scheduled
# since (on any replica) goes at most this late. The outbox's worker is woken as it commits.
CAMPAIGN_PASS_SECONDS = 10.0
# The PMO's progress card is redrawn at most this often, and only when its counts changed.
PROGRESS_EVERY = timedelta(seconds=10)

_SCHEDULABLE = (CampaignState.DRAFT, CampaignState.SCHEDULED)


def uk_moment_text(moment: datetime) -> str:
    """A moment as the PMO reads it: UK time, like "8 December 2026 at 09:00"."""
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def check_schedulable(campaign: Campaign, at: datetime, now: datetime) -> None:
    """Raise InvalidCampaign unless the campaign's call may be scheduled for `at`: a draft (or
    scheduled already: it is moved), `at` still to come, and on or before its closing day."""
    if campaign.state not in _SCHEDULABLE or campaign.sent_at is not None:
        raise InvalidCampaign([f"{campaign.name!r} is {campaign.state.value}; only a draft or "
                               "a scheduled campaign can be scheduled. Nothing was changed."])
    problems: list[str] = []
    if at <= now:
        problems.append(f"{uk_moment_text(at)} has passed (it is {uk_moment_text(now)} now). "
                        "Please choose a moment still to come.")
    if uk_day(at) > campaign.closes:
        problems.append(f"{uk_moment_text(at)} is after the campaign closes on "
                        f"{campaign.closes.day} {campaign.closes:%B %Y}. Please choose an "
                        "earlier moment, or edit its closing day first.")
    if problems:
        raise InvalidCampaign([*problems, "Nothing was changed."])


def send_due(campaign: Campaign, now: datetime) -> bool:
    """A scheduled campaign whose moment has come."""
    return (campaign.state is CampaignState.SCHEDULED and campaign.scheduled_at is not None
            and campaign.scheduled_at <= now)


def closing_due(campaign: Campaign, now: datetime) -> bool:
    """An open campaign whose closing day (UK) has ended."""
    return campaign.state is CampaignState.OPEN and campaign.closes < uk_day(now)


def call_closed(campaign: Campaign, now: datetime) -> bool:
    """Whether the campaign's call no longer takes ideas: closed or called off, or its closing
    day (UK) has ended though the pass has not closed it yet."""
    return (campaign.state in (CampaignState.CLOSED, CampaignState.CANCELLED)
            or campaign.closes < uk_day(now))


def reminder_day(campaign: Campaign) -> date:
    return campaign.closes - timedelta(days=REMIND_DAYS_BEFORE)


def reminder_due(campaign: Campaign, now: datetime) -> bool:
    """An open campaign that asked for a reminder, not yet reminded, from two UK days before
    its closing day until it closes (a pass missed on the day, the service being down, still
    reminds on a later day before the close)."""
    today = uk_day(now)
    return (campaign.state is CampaignState.OPEN and campaign.remind_before_close
            and campaign.reminded_at is None
            and reminder_day(campaign) <= today <= campaign.closes)


def reminder_batch_of(campaign_id: int) -> str:
    """The outbox batch of the reminder sent before a campaign closes."""
    return f"campaign:{campaign_id}:reminder"


def summary_key(campaign_id: int, object_id: str) -> str:
    """The key of one PMO member's summary of a campaign that closed."""
    return f"campaign-summary:{campaign_id}:{object_id}"


@dataclass(frozen=True, slots=True)
class ClosingSummary:
    """What the PMO learns when a campaign closes: the ideas it brought (in all, and by
    portfolio: its name and count, the most first), how many its call reached, and how many
    people have stopped campaign calls."""

    campaign: Campaign
    ideas: int
    by_portfolio: tuple[tuple[str, int], ...]
    reached: int
    opted_out: int


def measured_seconds_left(pending: int, done: int, elapsed: timedelta) -> int | None:
    """How long what is pending takes at the pace measured so far (`done` messages sent or
    given up in `elapsed`); None before anything is done."""
    seconds = elapsed.total_seconds()
    if done <= 0 or seconds <= 0:
        return None
    return math.ceil(pending * seconds / done)
