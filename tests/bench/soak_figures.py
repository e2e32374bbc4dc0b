"""The soak's arithmetic, kept apart so that it can be checked on its own: percentiles of turn
times, and a process's memory growth after its warm-up."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile_ms(seconds: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of times in seconds, in milliseconds (nan when none)."""
    if not seconds:
        return float("nan")
    ordered = sorted(seconds)
    # The smallest value at or above `fraction` of them (the 1e-9: 0.99 * 100 is 99.00000001).
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered) - 1e-9)))
    return ordered[rank - 1] * 1000


def growth_after_warmup(samples: Sequence[tuple[float, int]], warm_until: float,
                        window: float) -> float:
    """How much a process's resident memory grew, in percent, from just after its warm-up to
    the end of the run: the median of the samples (time, bytes) in the `window` seconds from
    `warm_until`, against the median of those in the last `window` seconds. A median, so
    that one garbage collector's moment does not decide it; nan without samples on both
    sides."""
    after = [rss for at, rss in samples if warm_until <= at < warm_until + window]
    if not samples or not after:
        return float("nan")
    end = samples[-1][0]
    last = [rss for at, rss in samples if at > end - window and at >= warm_until]
    start = statistics.median(after)
    return (statistics.median(last) - start) / start * 100
