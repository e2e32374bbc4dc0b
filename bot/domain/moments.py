"""Days and moments people type (on the command line, for reports and passes), read once and
held to the years the portal can count in: a year past them would overflow the calendar
arithmetic of a due day or a reminder, so it is refused with a kind message instead."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

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


def parse_moment(text: str, *, field: str = "now", zone: tzinfo = UTC) -> datetime:
    """An ISO 8601 moment (a space may stand for the T), in `zone` unless it names its
    offset, as UTC; InvalidText otherwise. In the UK zone, a time the clocks skip in spring
    (01:30 on the last Sunday of March) reads as GMT, so 02:30 summer time; one they pass
    twice in autumn, as the first (summer time)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or not within_years(moment.date()):
        raise InvalidText(field, f"{quoted(text)} is not a moment: give one like "
                                 "2027-01-20T09:00.")
    return moment.replace(tzinfo=zone).astimezone(UTC) if moment.tzinfo is None else (
        moment.astimezone(UTC))
