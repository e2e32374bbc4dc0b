"""How many turns one person may take: a token bucket each, in bounded memory.

A person holds up to `burst` turns and earns them back at `per_minute`; past that a turn is
refused. Only the first refusal of a run is to be answered and logged (a script that floods
gets one reply, not one per message); the run ends when a turn is admitted again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum


class Admission(Enum):
    ADMITTED = "admitted"
    REFUSED = "refused"            # the first refusal since the last admitted turn: say so
    REFUSED_AGAIN = "refused again"  # already told: refuse quietly


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    told: bool = False


class TurnLimiter:
    """Per-key token buckets; `now` is any monotonic clock in seconds.

    Someone whose bucket has filled up again is forgotten (they would start full anyway), so
    memory holds only those active in the last `burst / per_minute` minutes, and never more
    than `max_people` (the longest idle go first)."""

    def __init__(self, per_minute: float, burst: int, max_people: int = 50_000) -> None:
        if per_minute <= 0 or burst < 1 or max_people < 1:
            raise ValueError("per_minute and burst must be positive")
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._max = max_people
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def admit(self, key: str, now: float) -> Admission:
        self._forget_idle(now)
        bucket = self._buckets.pop(key, None) or _Bucket(tokens=self._burst, updated=now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets[key] = bucket  # the most recently seen go last
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.told = False
            return Admission.ADMITTED
        if bucket.told:
            return Admission.REFUSED_AGAIN
        bucket.told = True
        return Admission.REFUSED

    def _forget_idle(self, now: float) -> None:
        refill = self._burst / self._rate
        while self._buckets:
            key, oldest = next(iter(self._buckets.items()))
            if len(self._buckets) < self._max and now - oldest.updated < refill:
                return
            del self._buckets[key]
