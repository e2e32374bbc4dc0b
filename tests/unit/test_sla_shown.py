"""What the promise's columns say, pure: a notice's outcome as a first response, where an
idea stands on its cards (the contributor's and the staff's), the month report's arithmetic,
and the report command's `--as-of`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from support.promises import tally

from bot.cli_promise import as_of_moment
from bot.domain.errors import InvalidText
from bot.domain.ideas import FirstResponse, IdeaSummary, Status
from bot.domain.moments import parse_moment
from bot.domain.sla import IdeaPromise, Promise, Recorded, Shown, first_response_of, standing
from bot.services.reports import SlaCounts, parse_month
from cards.promise import contributor_fact, staff_fact


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


SUBMITTED = at("2026-10-20T09:00")  # due 20 December 2026
IDEA = IdeaSummary("IIP-2026-0042", "Notebooks", Status.BUSINESS_ASSESSMENT, None, SUBMITTED,
                   SUBMITTED, due_on=date(2026, 12, 20))


def test_a_notice_counts_when_sent_or_from_its_first_attempt_when_given_up_on() -> None:
    owed, tried, sent = at("2026-11-01T09:00"), at("2026-11-01T09:01"), at("2026-11-01T09:02")
    assert first_response_of(sent, False, tried, owed) == FirstResponse(sent)
    assert first_response_of(None, True, tried, owed) == FirstResponse(tried, reachable=False)
    # Given up on by a replica that did not record attempts: from when it was owed.
    assert first_response_of(None, True, None, owed) == FirstResponse(owed, reachable=False)
    assert first_response_of(None, False, tried, owed) is None  # still being tried


@pytest.mark.parametrize(("idea", "today", "shown", "contributor", "staff"), [
    (IDEA, date(2026, 12, 20), Shown.DUE, ("Update due by", "20 December 2026"),
     ("Update due by", "20 December 2026")),
    (IDEA, date(2026, 12, 21), Shown.OVERDUE, ("Update due by", "20 December 2026"),
     ("Update overdue since", "21 December 2026")),
    (replace(IDEA, first_response=FirstResponse(at("2026-12-20T23:30"))), date(2027, 1, 5),
     Shown.ANSWERED, ("Answered on", "20 December 2026"),
     ("Answered on", "20 December 2026")),
    (replace(IDEA, status=Status.DECLINED,
             first_response=FirstResponse(at("2027-03-03T10:00"), reachable=False)),
     date(2027, 4, 1), Shown.ANSWERED_LATE, ("Answered on", "3 March 2027"),
     ("Answered on", "3 March 2027, late (it was due by 20 December 2026); it could not be "
                     "delivered: the contributor cannot be reached in Teams")),
])
def test_where_an_idea_stands_on_each_card(idea: IdeaSummary, today: date, shown: Shown,
                                           contributor: tuple[str, str],
                                           staff: tuple[str, str]) -> None:
    found = standing(idea, today)
    assert found is not None and found.shown is shown
    fact = contributor_fact(idea)
    assert fact is not None and (fact.title, fact.value) == contributor
    fact = staff_fact(idea, today)
    assert fact is not None and (fact.title, fact.value) == staff


def test_nothing_is_said_of_a_decided_idea_whose_notice_is_not_sent_yet() -> None:
    decided = replace(IDEA, status=Status.APPROVED)
    assert standing(decided, date(2027, 1, 5)) is None
    assert contributor_fact(decided) is None and staff_fact(decided, None) is None
    # A row written by a replica on older code has no due day: the submission's is used.
    assert replace(IDEA, due_on=None).promise_due == date(2026, 12, 20)


def test_the_month_report_arithmetic() -> None:
    def idea(response: str | None, reachable: bool = True,
             withdrawn: str | None = None) -> IdeaPromise:
        first = FirstResponse(at(response), reachable) if response else None
        promise = Promise(SUBMITTED, first, at(withdrawn) if withdrawn else None)
        return IdeaPromise(1, "IIP-2026-0001", "p", Recorded(promise.due, first), promise)

    ideas = [idea("2026-10-27T10:00"), idea("2026-10-30T10:00", reachable=False),
             idea("2027-01-10T10:00"), idea(None), idea(None, withdrawn="2026-10-21T10:00")]
    assert tally(ideas, at("2027-02-01T00:00")) == SlaCounts(
        due=4, kept=1, kept_unreachable=1, breached=2, open=0,
        median_days_to_first_response=10.0)
    assert tally(ideas, at("2027-02-01T00:00")).compliance == 0.5
    before = tally(ideas, at("2026-11-01T00:00"))
    assert (before.open, before.breached, before.compliance) == (2, 0, 1.0)
    assert tally([], at("2027-02-01T00:00")).compliance is None
    assert SlaCounts(due=2, open=2).compliance is None  # nothing judged yet


def test_months_and_moments_on_the_command_line() -> None:
    assert parse_month("2026-10") == (date(2026, 10, 1), date(2026, 10, 31))
    assert parse_month("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
    for wrong in ("2026-13", "2026-1", "October", "2026-10-01", ""):
        with pytest.raises(InvalidText):
            parse_month(wrong)
    now = at("2026-12-06T04:00")
    assert as_of_moment(None, now) == now
    # A day is judged at its very end, UK time (summer time here: 23:00 UTC).
    assert as_of_moment("2026-07-31", now) == datetime(2026, 7, 31, 22, 59, 59, 999999,
                                                       tzinfo=UTC)
    assert as_of_moment("2026-12-01T17:00", now) == at("2026-12-01T17:00")
    with pytest.raises(InvalidText):
        as_of_moment("yesterday", now)


@pytest.mark.parametrize("wrong", ["9999-12", "0001-01", "9" * 5000])
def test_a_month_past_the_years_the_calendar_can_count_is_refused_kindly(wrong: str) -> None:
    """9999-12 ends in the year 10000, which no date holds: refused, not a crash; and a long
    mistake is quoted short."""
    with pytest.raises(InvalidText) as refused:
        parse_month(wrong)
    assert len(str(refused.value)) < 100


@pytest.mark.parametrize("wrong", ["9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59",
                                   "2026-13-01", "x" * 10_000])
def test_a_moment_past_the_years_the_calendar_can_count_is_refused_kindly(wrong: str) -> None:
    now = at("2026-12-06T04:00")
    with pytest.raises(InvalidText) as refused:
        as_of_moment(wrong, now)
    assert len(str(refused.value)) < 120
    with pytest.raises(InvalidText):
        parse_moment(wrong)
