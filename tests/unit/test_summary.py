"""The summary's words and its reading of the promise (bot.domain.summary)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.ideas import DeclineReason, FirstResponse, Status
from bot.domain.sla import Promise
from bot.domain.summary import (
    STATUS_KEYS,
    TAKEN_FORWARD,
    SlaFigure,
    SlaSummary,
    Summary,
    sla_figure,
    status_key,
    status_key_label,
)

SUBMITTED = datetime(2026, 8, 3, 10, tzinfo=UTC)  # due 3 October 2026


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_status_keys_are_the_issues_in_its_order():
    assert STATUS_KEYS == (
        "submitted", "business_assessment", "escalated", "approved", "delivered", "deferred",
        "declined_in_progress", "declined_already_exists", "declined_duplicate",
        "declined_not_viable", "withdrawn")
    assert status_key(Status.DECLINED, DeclineReason.DUPLICATE) == "declined_duplicate"
    assert status_key(Status.APPROVED, None) == "approved"
    assert status_key_label("declined_in_progress") == "Declined (in progress already)"
    assert status_key_label("business_assessment") == "Business assessment"
    assert {Status.APPROVED, Status.ESCALATED, Status.DELIVERED} == TAKEN_FORWARD


@pytest.mark.parametrize(("promise", "as_of", "decided_unrecorded", "expected"), [
    # Not due yet: the due day is after the summary's day, answered or not.
    (Promise(SUBMITTED), "2026-10-02T22:59", False, None),  # 23:59 on 2 October in the UK
    (Promise(SUBMITTED, FirstResponse(at("2026-08-10T10:00"))), "2026-09-01T00:00", False,
     None),
    # Answered by the due day, reachable or not: kept.
    (Promise(SUBMITTED, FirstResponse(at("2026-10-03T22:00"))), "2026-10-04T00:00", False,
     SlaFigure.KEPT),  # 23:00 in the UK, still 3 October
    (Promise(SUBMITTED, FirstResponse(at("2026-08-10T10:00"), reachable=False)),
     "2026-12-01T00:00", False, SlaFigure.KEPT),
    # Answered after it: breached; not answered by the summary's moment: breached, on the
    # due day itself too.
    (Promise(SUBMITTED, FirstResponse(at("2026-10-03T23:00"))), "2026-12-01T00:00", False,
     SlaFigure.BREACHED),  # midnight in the UK: 4 October
    (Promise(SUBMITTED, FirstResponse(at("2026-11-05T10:00"))), "2026-10-10T00:00", False,
     SlaFigure.BREACHED),
    (Promise(SUBMITTED), "2026-10-02T23:00", False, SlaFigure.BREACHED),  # 3 Oct in the UK
    # Withdrawn before any answer, by the due day: not due at all; after it: breached.
    (Promise(SUBMITTED, None, at("2026-08-15T10:00")), "2026-12-01T00:00", False, None),
    (Promise(SUBMITTED, None, at("2026-10-05T10:00")), "2026-12-01T00:00", False,
     SlaFigure.BREACHED),
    # Imported, decided, no first-response time: not recorded; answered, it is judged.
    (Promise(SUBMITTED), "2026-12-01T00:00", True, SlaFigure.NOT_RECORDED),
    (Promise(SUBMITTED, FirstResponse(at("2026-08-10T10:00"))), "2026-12-01T00:00", True,
     SlaFigure.KEPT),
])
def test_where_a_summary_counts_a_promise(promise, as_of, decided_unrecorded, expected):
    assert sla_figure(promise, at(as_of), decided_unrecorded=decided_unrecorded) is expected


def test_compliance_leaves_out_what_was_not_recorded():
    assert SlaSummary(due=10, kept=5, breached=2, not_recorded=3).compliance == 5 / 7
    assert SlaSummary(due=3, not_recorded=3).compliance is None
    assert SlaSummary().as_json() == {"due": 0, "kept": 0, "breached": 0, "not_recorded": 0,
                                      "compliance": None}


def test_the_json_has_every_status_and_sorted_breakdowns():
    summary = Summary(as_of=at("2026-10-10T22:59:59.999999"), portfolio=None, total=3,
                      by_status={"approved": 2, "declined_duplicate": 1},
                      sla=SlaSummary(due=1, kept=1),
                      by_portfolio={"b": 1, "a": 2}, taken_forward=2)
    figures = summary.as_json()
    assert figures["as_of"] == "2026-10-10T22:59:59.999999+00:00"
    assert list(figures["by_status"]) == list(STATUS_KEYS)
    assert figures["by_status"]["declined_duplicate"] == 1
    assert list(figures["by_portfolio"]) == ["a", "b"]
    assert (figures["by_category"], figures["by_campaign"]) == ({}, {})
    assert figures["median_days_to_decision"] is None
