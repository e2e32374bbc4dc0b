"""The two-month promise: when it falls due, what keeps it, and each idea's state."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.moves import Move
from bot.domain.sla import (
    KEEPING_MOVES,
    Event,
    FirstResponse,
    Promise,
    SlaState,
    keeps_promise,
    promise_of,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


SUBMITTED = at("2026-10-20T09:00")  # due 20 December 2026


@pytest.mark.parametrize(("submitted", "due"), [
    ("2026-10-20T09:00", date(2026, 12, 20)),
    ("2026-12-31T10:00", date(2027, 2, 28)),  # no 31 February: the month's last day
    ("2027-12-31T10:00", date(2028, 2, 29)),  # a leap year's last day of February
    ("2026-11-30T23:30", date(2027, 1, 30)),  # 23:30 UTC is still 30 November in London
    ("2026-06-30T23:30", date(2026, 9, 1)),  # but in summer time it is 1 July there
    ("2027-03-28T00:30", date(2027, 5, 28)),  # the night the clocks go forward
    ("2026-10-25T00:30", date(2026, 12, 25)),  # and the night they go back
])
def test_the_promise_falls_due_two_calendar_months_on_in_the_uk(submitted: str,
                                                                due: date) -> None:
    assert Promise(at(submitted)).due == due


def test_an_answer_sent_by_the_end_of_the_due_day_keeps_it() -> None:
    late_evening = at("2026-12-20T23:59")  # GMT in December: still the 20th in London
    promise = Promise(SUBMITTED, FirstResponse(late_evening))
    assert promise.state(at("2027-01-31T12:00")) is SlaState.KEPT
    assert Promise(SUBMITTED, FirstResponse(at("2026-12-21T00:00"))).state(
        at("2027-01-31T12:00")) is SlaState.BREACHED


def test_an_unanswered_idea_is_open_until_its_due_day_ends_then_breached() -> None:
    promise = Promise(SUBMITTED)
    assert promise.state(at("2026-12-20T23:59")) is SlaState.OPEN
    assert promise.state(at("2026-12-21T00:00")) is SlaState.BREACHED
    assert promise.days_left(at("2026-11-29T10:00")) == 21
    assert promise.days_left(at("2026-12-22T10:00")) == -2


def test_a_notice_that_could_not_be_delivered_keeps_it_unreachable() -> None:
    promise = Promise(SUBMITTED, FirstResponse(at("2026-11-01T10:00"), reachable=False))
    assert promise.state(at("2027-01-01T00:00")) is SlaState.KEPT_UNREACHABLE
    assert promise.state(at("2027-01-01T00:00")).kept


def test_a_past_month_is_judged_as_it_stood_then() -> None:
    promise = Promise(SUBMITTED, FirstResponse(at("2026-12-01T10:00")))
    assert promise.state(at("2026-11-30T10:00")) is SlaState.OPEN
    assert promise.state(at("2026-12-01T10:00")) is SlaState.KEPT


def test_withdrawn_before_any_answer_is_not_counted_but_withdrawn_too_late_is_a_breach() -> None:
    early = Promise(SUBMITTED, withdrawn_at=at("2026-11-02T10:00"))
    assert early.state(at("2027-03-01T00:00")) is SlaState.NOT_APPLICABLE
    assert early.state(at("2026-11-01T00:00")) is SlaState.OPEN
    late = Promise(SUBMITTED, withdrawn_at=at("2026-12-24T10:00"))
    assert late.state(at("2027-03-01T00:00")) is SlaState.BREACHED


def test_only_substantive_notices_keep_the_promise() -> None:
    assert {Move.APPROVE, Move.DECLINE, Move.DECLINE_AT_TRIAGE, Move.DEFER,
                             Move.ESCALATE, Move.ASK, Move.UPDATE} == KEEPING_MOVES
    for move in (Move.ALLOCATE, Move.REALLOCATE, Move.REVISIT, Move.REOPEN, Move.DELIVER):
        assert not keeps_promise(move.value)
    assert not keeps_promise("submitted")
    assert keeps_promise(Move.UPDATE.value)


def test_the_promise_is_derived_from_the_history_and_the_notices_sent() -> None:
    allocated = Event(at("2026-10-21T10:00"), Move.ALLOCATE.value,
                      FirstResponse(at("2026-10-21T10:01")))
    asked = Event(at("2026-11-03T10:00"), Move.ASK.value)  # its notice not sent yet
    approved = Event(at("2026-11-04T10:00"), Move.APPROVE.value,
                     FirstResponse(at("2026-11-04T10:02")))
    promise = promise_of(SUBMITTED, [allocated, asked, approved])
    assert promise.first_response == FirstResponse(at("2026-11-04T10:02"))
    assert promise.state(at("2026-11-05T00:00")) is SlaState.KEPT


def test_the_first_notice_sent_counts_not_the_first_button_pressed() -> None:
    pressed_first = Event(at("2026-11-03T10:00"), Move.UPDATE.value,
                          FirstResponse(at("2026-11-06T09:00")))  # held back, sent later
    pressed_second = Event(at("2026-11-04T10:00"), Move.DEFER.value,
                           FirstResponse(at("2026-11-04T10:01")))
    promise = promise_of(SUBMITTED, [pressed_first, pressed_second])
    assert promise.first_response == FirstResponse(at("2026-11-04T10:01"))


def test_a_reopen_starts_a_new_clock() -> None:
    declined = Event(at("2026-11-01T10:00"), Move.DECLINE_AT_TRIAGE.value,
                     FirstResponse(at("2026-11-01T10:01")))
    reopened = Event(at("2027-01-15T10:00"), Move.REOPEN.value)
    promise = promise_of(SUBMITTED, [declined, reopened])
    assert promise == Promise(at("2027-01-15T10:00"))
    assert promise.due == date(2027, 3, 15)
    assert promise.state(at("2027-02-01T00:00")) is SlaState.OPEN


def test_a_withdrawal_after_an_answer_leaves_the_promise_kept() -> None:
    updated = Event(at("2026-11-01T10:00"), Move.UPDATE.value,
                    FirstResponse(at("2026-11-01T10:01")))
    withdrawn = Event(at("2026-11-02T10:00"), "withdrawn")
    promise = promise_of(SUBMITTED, [updated, withdrawn])
    assert promise.state(at("2027-01-01T00:00")) is SlaState.KEPT
