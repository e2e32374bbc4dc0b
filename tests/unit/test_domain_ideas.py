"""Idea references and the two-month promise."""

from datetime import UTC, date, datetime

import pytest

from bot.domain.ideas import (
    DeclineReason,
    IdeaSummary,
    Status,
    add_months,
    find_reference,
    format_reference,
    update_due,
)


def test_references_are_quotable_and_found_in_what_people_type():
    assert format_reference(2026, 42) == "IIP-2026-0042"
    assert format_reference(2026, 12345) == "IIP-2026-12345"
    assert find_reference("status iip-2026-0042 please") == "IIP-2026-0042"
    assert find_reference("status IIP-2026-42") is None
    assert find_reference("withdraw") is None


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 1, 15), 2, date(2026, 3, 15)),
    (date(2025, 12, 31), 2, date(2026, 2, 28)),
    (date(2027, 12, 31), 2, date(2028, 2, 29)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
])
def test_calendar_months_keep_the_day_or_take_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_the_promise_is_two_calendar_months_in_uk_time():
    # 23:30 UTC on 31 May is already 1 June in London (BST).
    assert update_due(datetime(2026, 5, 31, 23, 30, tzinfo=UTC)) == date(2026, 8, 1)
    assert update_due(datetime(2026, 1, 10, 9, 0, tzinfo=UTC)) == date(2026, 3, 10)


def test_only_undecided_ideas_show_a_due_date_and_declines_say_why():
    submitted = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    open_idea = IdeaSummary("IIP-2026-0001", "t", Status.SUBMITTED, None, submitted, submitted)
    declined = IdeaSummary("IIP-2026-0002", "t", Status.DECLINED, DeclineReason.DUPLICATE,
                           submitted, submitted)

    assert open_idea.update_due == date(2026, 3, 10)
    assert declined.update_due is None
    assert declined.status_label == "Declined: duplicate"
