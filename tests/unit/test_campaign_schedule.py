"""The rules of campaigns over time, by UK days: when a call may be scheduled, when a pass
sends it, reminds and closes, across UK midnight and the clock changes; and the UK moments the
command line reads."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.campaign_schedule import (
    call_closed,
    check_schedulable,
    closing_due,
    measured_seconds_left,
    reminder_due,
    send_due,
    uk_moment_text,
)
from bot.domain.campaigns import Audience, AudienceKind, Campaign, CampaignState, InvalidCampaign
from bot.domain.errors import InvalidText
from bot.domain.ideas import LONDON
from bot.domain.moments import parse_moment

CAMPAIGN = Campaign(
    id=4, key="star-fund", name="STAR fund", theme="Funding", description="Bids.",
    questions=(), opens=date(2026, 12, 1), closes=date(2026, 12, 18),
    audience=Audience(AudienceKind.EVERYONE), image_url=None, state=CampaignState.DRAFT,
    created_by="pmo", created_at=datetime(2026, 11, 1, tzinfo=UTC))
# Summer time: the clocks went forward on 28 March 2027 and go back on 31 October 2027.
SUMMER = dataclasses.replace(CAMPAIGN, opens=date(2027, 6, 1), closes=date(2027, 6, 18))


def uk(*parts: int) -> datetime:
    """A UK wall-clock moment, as UTC."""
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


def at(campaign: Campaign, **changes: object) -> Campaign:
    return dataclasses.replace(campaign, **changes)  # type: ignore[arg-type]


# Scheduling


def test_a_moment_to_come_on_or_before_the_closing_day_may_be_scheduled_again() -> None:
    now = uk(2026, 12, 6, 10, 0)
    check_schedulable(CAMPAIGN, uk(2026, 12, 8, 9, 0), now)
    check_schedulable(at(CAMPAIGN, state=CampaignState.SCHEDULED), uk(2026, 12, 18, 23, 59),
                      now)


@pytest.mark.parametrize("moment", [uk(2026, 12, 6, 10, 0), uk(2026, 12, 6, 9, 59),
                                    uk(2025, 1, 1, 0, 0)])
def test_a_schedule_that_is_not_to_come_is_refused_saying_when_it_is_now(
        moment: datetime) -> None:
    with pytest.raises(InvalidCampaign) as refused:
        check_schedulable(CAMPAIGN, moment, uk(2026, 12, 6, 10, 0))
    assert "has passed (it is 6 December 2026 at 10:00 now)" in str(refused.value)
    assert refused.value.problems[-1] == "Nothing was changed."


def test_the_closing_day_ends_at_uk_midnight_in_summer_time_too() -> None:
    now = uk(2027, 6, 1, 12, 0)
    # 23:30 UK on the closing day is 22:30 UTC: still within it.
    check_schedulable(SUMMER, uk(2027, 6, 18, 23, 30), now)
    # 00:30 UK the next day is 23:30 UTC on the closing day, yet after the campaign closed.
    late = uk(2027, 6, 19, 0, 30)
    assert late.day == 18
    with pytest.raises(InvalidCampaign, match="after the campaign closes on 18 June 2027"):
        check_schedulable(SUMMER, late, now)


@pytest.mark.parametrize("state", [CampaignState.OPEN, CampaignState.CLOSED,
                                   CampaignState.CANCELLED])
def test_only_an_unsent_campaign_may_be_scheduled(state: CampaignState) -> None:
    with pytest.raises(InvalidCampaign, match=f"is {state.value}; only a draft"):
        check_schedulable(at(CAMPAIGN, state=state), uk(2026, 12, 8, 9, 0),
                          uk(2026, 12, 6, 10, 0))


def test_a_scheduled_call_is_due_from_its_moment() -> None:
    scheduled = at(CAMPAIGN, state=CampaignState.SCHEDULED, scheduled_at=uk(2026, 12, 8, 9, 0))
    assert not send_due(scheduled, uk(2026, 12, 8, 8, 59, 59))
    assert send_due(scheduled, uk(2026, 12, 8, 9, 0))
    assert not send_due(at(scheduled, state=CampaignState.OPEN), uk(2026, 12, 9, 9, 0))


# Closing


@pytest.mark.parametrize(("campaign", "last_moment", "first_closed"), [
    # Winter: UK time is UTC.
    (CAMPAIGN, uk(2026, 12, 18, 23, 59, 59), uk(2026, 12, 19, 0, 0)),
    # Summer: the closing day ends at 23:00 UTC.
    (SUMMER, uk(2027, 6, 18, 23, 59, 59), uk(2027, 6, 19, 0, 0)),
    # The night the clocks go forward (the day is 23 hours long) and back (25 hours).
    (at(CAMPAIGN, closes=date(2027, 3, 28)), uk(2027, 3, 28, 23, 59), uk(2027, 3, 29, 0, 0)),
    (at(CAMPAIGN, closes=date(2027, 10, 31)), uk(2027, 10, 31, 23, 59),
     uk(2027, 10, 31, 23, 59) + timedelta(minutes=1)),
])
def test_an_open_campaign_closes_once_its_uk_closing_day_has_ended(
        campaign: Campaign, last_moment: datetime, first_closed: datetime) -> None:
    campaign = at(campaign, state=CampaignState.OPEN)
    assert not closing_due(campaign, last_moment)
    assert not call_closed(campaign, last_moment)
    assert closing_due(campaign, first_closed)
    assert call_closed(campaign, first_closed)  # its call reads closed before the pass runs


def test_a_clock_change_night_is_not_taken_for_the_next_day() -> None:
    # At 00:30 UTC on 28 March 2027 it is 00:30 GMT; at 23:30 UTC it is 00:30 BST on the 29th.
    campaign = at(CAMPAIGN, state=CampaignState.OPEN, closes=date(2027, 3, 28))
    assert not closing_due(campaign, datetime(2027, 3, 28, 22, 59, tzinfo=UTC))
    assert closing_due(campaign, datetime(2027, 3, 28, 23, 0, tzinfo=UTC))


def test_only_an_open_campaign_is_closed_but_a_cancelled_call_reads_closed() -> None:
    after = uk(2026, 12, 20, 9, 0)
    for state in (CampaignState.DRAFT, CampaignState.SCHEDULED, CampaignState.CLOSED,
                  CampaignState.CANCELLED):
        assert not closing_due(at(CAMPAIGN, state=state), after)
    assert call_closed(at(CAMPAIGN, state=CampaignState.CANCELLED), uk(2026, 12, 6, 9, 0))
    # A draft's call sent first to the change agents is open until its closing day.
    assert not call_closed(CAMPAIGN, uk(2026, 12, 6, 9, 0))


# Reminding


def test_the_reminder_is_due_from_two_uk_days_before_closing_until_it_closes() -> None:
    campaign = at(SUMMER, state=CampaignState.OPEN, remind_before_close=True)
    # 16 June begins at 23:00 UTC on the 15th.
    assert not reminder_due(campaign, uk(2027, 6, 15, 23, 59))
    assert reminder_due(campaign, uk(2027, 6, 16, 0, 0))
    assert reminder_due(campaign, uk(2027, 6, 18, 23, 59))  # a pass missed on the day
    assert not reminder_due(campaign, uk(2027, 6, 19, 0, 0))


def test_no_reminder_unless_asked_for_open_and_not_yet_sent() -> None:
    day = uk(2026, 12, 16, 9, 0)
    open_ = at(CAMPAIGN, state=CampaignState.OPEN, remind_before_close=True)
    assert reminder_due(open_, day)
    assert not reminder_due(at(open_, remind_before_close=False), day)
    assert not reminder_due(at(open_, state=CampaignState.CANCELLED), day)
    assert not reminder_due(at(open_, reminded_at=day - timedelta(hours=1)), day)


# Progress and words


def test_time_left_is_measured_from_the_pace_so_far() -> None:
    assert measured_seconds_left(9_000, 3_000, timedelta(seconds=60)) == 180
    assert measured_seconds_left(1, 3, timedelta(seconds=1)) == 1
    assert measured_seconds_left(100, 0, timedelta(seconds=30)) is None
    assert measured_seconds_left(100, 5, timedelta(0)) is None


def test_moments_are_written_and_read_in_uk_time() -> None:
    assert uk_moment_text(datetime(2027, 6, 8, 8, 0, tzinfo=UTC)) == "8 June 2027 at 09:00"
    assert parse_moment("2026-12-08 09:00", zone=LONDON) == datetime(2026, 12, 8, 9, 0,
                                                                      tzinfo=UTC)
    assert parse_moment("2027-06-08 09:00", zone=LONDON) == datetime(2027, 6, 8, 8, 0,
                                                                      tzinfo=UTC)
    assert parse_moment("2027-06-08T09:00+00:00", zone=LONDON) == datetime(
        2027, 6, 8, 9, 0, tzinfo=UTC)
    # The hour the clocks skip reads as GMT (02:30 summer time); the one they repeat, first.
    assert parse_moment("2027-03-28 01:30", zone=LONDON) == datetime(2027, 3, 28, 1, 30,
                                                                      tzinfo=UTC)
    assert parse_moment("2027-10-31 01:30", zone=LONDON) == datetime(2027, 10, 31, 0, 30,
                                                                      tzinfo=UTC)
    with pytest.raises(InvalidText, match="is not a moment"):
        parse_moment("next tuesday", field="at", zone=LONDON)
