"""How many times a message is tried, and how long it waits between tries after a fault."""

from __future__ import annotations

import random

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0


def backoff_seconds(attempt: int, rng: random.Random | None = None, *,
                    base: float | None = None, cap: float | None = None) -> float:
    """How long to wait before attempt `attempt + 1`: exponential, capped, with jitter.

    The jitter spreads retries over the second half of the window so that messages that
    failed together do not all come back together. `base` and `cap` default to
    BACKOFF_BASE_SECONDS and BACKOFF_CAP_SECONDS.
    """
    base = BACKOFF_BASE_SECONDS if base is None else base
    cap = BACKOFF_CAP_SECONDS if cap is None else cap
    ceiling = min(cap, base * 2 ** min(max(0, attempt - 1), 64))
    return ceiling * (0.5 + 0.5 * (rng or random).random())
