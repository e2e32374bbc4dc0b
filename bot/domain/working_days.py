"""Working days in England and Wales, and the quiet hours when reminders wait.

The bank holidays come from outside (the composition root hands in a well-kept list): this
module only counts with them. Days and hours are read in UK time, across both clock changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.ideas import LONDON

SATURDAY = 5


def _no_bank_holidays(_day: date) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """Monday to Friday, less the bank holidays that `is_bank_holiday` names."""

    is_bank_holiday: Callable[[date], bool] = _no_bank_holidays

    def is_working(self, day: date) -> bool:
        return day.weekday() < SATURDAY and not self.is_bank_holiday(day)

    def back(self, day: date, count: int) -> date:
        """The `count`th working day counting back from `day` (itself the first, if it is a
        working day). Whatever falls before it lies more than `count - 1` working days back."""
        found = 0
        while True:
            if self.is_working(day):
                found += 1
                if found >= count:
                    return day
            day -= timedelta(days=1)

    def first_of_week(self, day: date) -> date | None:
        """The first working day of `day`'s week (Monday to Sunday); None if it has none."""
        monday = day - timedelta(days=day.weekday())
        return next((monday + timedelta(days=n) for n in range(7)
                     if self.is_working(monday + timedelta(days=n))), None)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """When reminders are not delivered (UK time): from `start` to `end` every night (none when
    they are equal), and all weekend if `weekends`."""

    start: time = time(20, 0)
    end: time = time(7, 0)
    weekends: bool = True

    def is_quiet(self, moment: datetime) -> bool:
        local = moment.astimezone(LONDON)
        if self.weekends and local.weekday() >= SATURDAY:
            return True
        now = local.time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start > self.end:  # across midnight
            return now >= self.start or now < self.end
        return self.start <= now < self.end

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment` itself when reminders may be delivered then, else the next moment they may
        be (UTC, as every moment the outbox stores)."""
        candidate = moment
        for _ in range(10):  # a night, a weekend, a night: never more than a few steps
            if not self.is_quiet(candidate):
                return candidate
            local = candidate.astimezone(LONDON)
            day = local.date()
            if self.weekends and local.weekday() >= SATURDAY:
                day += timedelta(days=7 - local.weekday())
                candidate = _at(day, self.end if self.start != self.end else time(0))
                continue
            if local.time().replace(tzinfo=None) >= self.end:
                day += timedelta(days=1)
            candidate = _at(day, self.end)
        raise AssertionError("quiet hours never end")


def _at(day: date, moment: time) -> datetime:
    """`moment` on `day`, UK time, as UTC."""
    return datetime.combine(day, moment, tzinfo=LONDON).astimezone(UTC)
