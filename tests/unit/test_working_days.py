"""Working days in England and Wales (the real bank holidays, from the holidays package) and
the quiet hours reminders wait out, across weekends and both clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.app import working_days_of_england_and_wales
from bot.domain.ideas import LONDON
from bot.domain.working_days import QuietHours, WorkingDays

CALENDAR = working_days_of_england_and_wales()


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 12, 24), True),
    (date(2026, 12, 25), False),  # Christmas Day, a Friday
    (date(2026, 12, 26), False),  # a Saturday
    (date(2026, 12, 28), False),  # Boxing Day, observed on the Monday
    (date(2027, 3, 26), False),  # Good Friday
    (date(2027, 3, 29), False),  # Easter Monday
    (date(2027, 3, 30), True),
    (date(2027, 8, 30), False),  # the late summer bank holiday
])
def test_bank_holidays_and_weekends_are_not_working_days(day: date, working: bool) -> None:
    assert CALENDAR.is_working(day) is working


def test_counting_back_skips_christmas() -> None:
    # Tuesday 29 December 2026: the 29th, 24th, 23rd, 22nd, 21st and then Friday the 18th.
    assert CALENDAR.back(date(2026, 12, 29), 6) == date(2026, 12, 18)
    assert CALENDAR.back(date(2027, 1, 20), 1) == date(2027, 1, 20)
    assert CALENDAR.back(date(2027, 1, 23), 1) == date(2027, 1, 22)  # a Saturday


def test_the_first_working_day_of_a_week() -> None:
    assert CALENDAR.first_of_week(date(2027, 3, 31)) == date(2027, 3, 30)  # after Easter Monday
    assert CALENDAR.first_of_week(date(2027, 1, 24)) == date(2027, 1, 18)
    assert WorkingDays(lambda _d: True).first_of_week(date(2027, 1, 20)) is None


def uk(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


QUIET = QuietHours()


@pytest.mark.parametrize(("moment", "allowed"), [
    (uk(2027, 1, 20, 12), uk(2027, 1, 20, 12)),  # a Wednesday noon: at once
    (uk(2027, 1, 20, 20), uk(2027, 1, 21, 7)),  # from 20:00, the next morning
    (uk(2027, 1, 21, 6, 59), uk(2027, 1, 21, 7)),
    (uk(2027, 1, 22, 19, 59), uk(2027, 1, 22, 19, 59)),
    (uk(2027, 1, 22, 21), uk(2027, 1, 25, 7)),  # Friday night: Monday morning
    (uk(2027, 1, 23, 12), uk(2027, 1, 25, 7)),  # a Saturday
    # Saturday before the clocks go forward (28 March 2027): 07:00 BST is 06:00 UTC.
    (uk(2027, 3, 27, 10), datetime(2027, 3, 29, 6, tzinfo=UTC)),
    # The night the clocks go back (31 October 2027 is a Sunday; take the Thursday before
    # and the Monday after): 07:00 BST is 06:00 UTC, 07:00 GMT is 07:00 UTC.
    (uk(2027, 10, 28, 22), datetime(2027, 10, 29, 6, tzinfo=UTC)),
    (uk(2027, 11, 1, 1), datetime(2027, 11, 1, 7, tzinfo=UTC)),
])
def test_quiet_hours_move_a_reminder_to_the_next_allowed_time(moment: datetime,
                                                               allowed: datetime) -> None:
    assert QUIET.next_allowed(moment) == allowed


def test_quiet_hours_can_be_turned_off_or_kept_to_weekends() -> None:
    nights_only = QuietHours(time(20), time(7), weekends=False)
    assert nights_only.next_allowed(uk(2027, 1, 23, 12)) == uk(2027, 1, 23, 12)
    never = QuietHours(time(0), time(0), weekends=False)
    assert never.next_allowed(uk(2027, 1, 23, 23)) == uk(2027, 1, 23, 23)
    weekends = QuietHours(time(0), time(0), weekends=True)
    assert weekends.next_allowed(uk(2027, 1, 23, 23)) == uk(2027, 1, 25, 0)
