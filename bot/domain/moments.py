"""Days and moments people type (on the command line, for reports and passes), read once and
held to the years the portal can count in: a year past them would overflow the calendar
arithmetic of a due day or a reminder, so it is refused with a kind message instead."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.errors import InvalidText

EARLIEST_YEAR = 1900
LATEST_YEAR = 9000
# What a message quotes of text it refused: enough to recognise it, never a screenful.
QUOTED = 40


def within_years(day: date) -> bool:
    return EARLIEST_YEAR <= day.year <= LATEST_YEAR


def quoted(text: str) -> str:
    """`text` as a refusal quotes it, cut short when it is long."""
    return repr(text if len(text) <= QUOTED else f"{text[:QUOTED]}…")


def parse_moment(text: str, *, field: str = "now") -> datetime:
    """An ISO 8601 moment, UTC unless it names its offset; InvalidText otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or not within_years(moment.date()):
        raise InvalidText(field, f"{quoted(text)} is not a moment: give one like "
                                 "2027-01-20T09:00.")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
