"""The day and time the PMO chose on a campaign's Schedule form, read as a UK moment.

The card's Input.Date sends yyyy-mm-dd and its Input.Time HH:MM, both in UK local time. A day
or time that is not one (a client that shows a plain text box, a slip) is not forged data: it
becomes an UnreadableMoment whose problems say kindly what to put right. The clocks' changes
are read as parse_moment reads them; whether the moment may be chosen (still to come, on or
before the closing day) is the campaign's rule, checked by the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.domain.campaign_form import day_of
from bot.domain.errors import InvalidText
from bot.domain.ideas import LONDON
from bot.domain.moments import parse_moment, quoted

# What the card's inputs send: a day of ten characters, a time of five (some clients add
# seconds).
DAY_LENGTH = 10
TIME_LENGTH = 8
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


@dataclass(frozen=True, slots=True)
class UnreadableMoment:
    """A day and time from the Schedule form that name no moment: why, in kind words."""

    problems: tuple[str, ...]


def chosen_moment(day: str, time: str) -> datetime | UnreadableMoment:
    """The UK day (yyyy-mm-dd) and time (HH:MM) as a moment in UTC, or why they are not one."""
    problems: list[str] = []
    found = day_of(day, "sending", problems)
    time = time.strip()
    if not time:
        problems.append("Please choose the time to send it.")
    elif not _TIME.match(time):
        problems.append(f"The time {quoted(time)} is not a time of day. Please choose it with "
                        "the time picker, like 09:00.")
    if problems or found is None:
        return UnreadableMoment(tuple(problems))
    try:
        return parse_moment(f"{found.isoformat()} {time}", field="at", zone=LONDON)
    except InvalidText:  # a day outside the years the portal counts in
        return UnreadableMoment((f"The sending day {quoted(day.strip())} is not one a call "
                                 "can be sent on. Please choose a day still to come.",))
