"""How long to stay quiet when Teams says so, bounded whatever it says.

A 429 carries Retry-After, in seconds or as an HTTP date; it holds a whole tenant, so a value
that cannot be read, or one of days (or `inf`), must not stop every notification: it is read
strictly and clamped. A 403 that refuses the bot itself pauses its tenant, for longer each time
it is refused again, and no longer once a send there goes through.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# The longest one 429 may hold a tenant's messages, unless IIP_OUTBOX_MAX_RETRY_AFTER says
# otherwise.
MAX_RETRY_AFTER_SECONDS = 300.0
# A 429 whose Retry-After is missing or unreadable holds the tenant this long.
DEFAULT_RETRY_AFTER_SECONDS = 5.0
# A 429 never means "again at once": that would hammer a connector that said to stop.
SHORTEST_HOLD_SECONDS = 1.0
# A tenant whose connector refuses the bot itself is paused this long, doubling to the longest.
FIRST_PAUSE_SECONDS = 60.0
LONGEST_PAUSE_SECONDS = 3600.0

# Whole seconds (a fraction is tolerated), nothing else: no sign, exponent, inf or nan.
_DELAY_SECONDS = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,6})?")
_LONGEST_HEADER = 100  # an HTTP date is 29 characters


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After in seconds, from either of its forms (delay-seconds, or an HTTP date as
    of `now`); None when it is missing or cannot be read. A date already past is 0."""
    text = (value or "").strip()
    if not text or len(text) > _LONGEST_HEADER:
        return None
    if _DELAY_SECONDS.fullmatch(text):
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # "-0000": UTC, its source unknown
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def hold_seconds(retry_after: float | None,
                 longest: float = MAX_RETRY_AFTER_SECONDS) -> float:
    """How long a 429 holds its tenant: Retry-After, at least a second and at most `longest`;
    DEFAULT_RETRY_AFTER_SECONDS when there was none to read."""
    if retry_after is None or not math.isfinite(retry_after) or retry_after < 0:
        seconds = DEFAULT_RETRY_AFTER_SECONDS
    else:
        seconds = max(SHORTEST_HOLD_SECONDS, retry_after)
    return min(seconds, longest)


class TenantPauses:
    """Pauses of tenants whose Bot Connector refuses the bot itself (a tenant-wide 403)."""

    def __init__(self, first: float = FIRST_PAUSE_SECONDS,
                 longest: float = LONGEST_PAUSE_SECONDS) -> None:
        self._first = first
        self._longest = longest
        self._until: dict[str, float] = {}
        self._next: dict[str, float] = {}

    def refused(self, tenant: str, now: float) -> float | None:
        """The bot was refused in `tenant` at `now`: the length of the pause this starts, or
        None when one is on already (the sends that were under way when it began)."""
        if self._until.get(tenant, 0.0) > now:
            return None
        length = self._next.get(tenant, self._first)
        self._until[tenant] = now + length
        self._next[tenant] = min(self._longest, length * 2)
        return length

    def until(self, tenant: str) -> float:
        """When the tenant's pause ends (0 when it has none)."""
        return self._until.get(tenant, 0.0)

    def recovered(self, tenant: str) -> None:
        """A send to the tenant went through: the next refusal pauses it from the start."""
        if tenant in self._next:
            del self._next[tenant]
            self._until.pop(tenant, None)
