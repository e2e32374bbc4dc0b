"""The soak benchmark's arithmetic (tests/bench/soak_figures.py): the figures it reports and
judges its targets by."""

import math

from bench.soak_figures import growth_after_warmup, percentile_ms


def test_the_p99_of_a_hundred_turns_is_the_second_slowest():
    turns = [n / 1000 for n in range(1, 101)]  # 1 ms to 100 ms, in seconds

    assert percentile_ms(turns[::-1], 0.99) == 99.0
    assert percentile_ms(turns, 0.5) == 50.0
    assert percentile_ms(turns, 1.0) == 100.0


def test_a_percentile_of_one_turn_is_that_turn_and_of_none_is_not_a_number():
    assert percentile_ms([0.2], 0.99) == 200.0
    assert math.isnan(percentile_ms([], 0.99))


def test_growth_counts_from_after_the_warm_up_not_from_the_start():
    # 100 MB at start, 200 MB once warmed up at 60 s, then flat to the end.
    samples = [(t, 100 if t < 60 else 200) for t in range(0, 300)]

    assert growth_after_warmup(samples, warm_until=60, window=30) == 0.0


def test_steady_growth_after_the_warm_up_is_reported_in_percent():
    samples = [(t, 1000 + max(0, t - 60)) for t in range(0, 301)]  # +1 a second after 60 s

    growth = growth_after_warmup(samples, warm_until=60, window=10)

    # From the median of 60-69 s (1004.5) to that of the last 10 s, 291-300 (1235.5).
    assert round(growth, 2) == round((1235.5 - 1004.5) / 1004.5 * 100, 2)


def test_one_moment_of_high_memory_does_not_decide_the_growth():
    samples = [(t, 500) for t in range(0, 120)]
    samples[-3] = (117, 900)  # a passing peak in the last window

    assert growth_after_warmup(samples, warm_until=60, window=10) == 0.0


def test_without_samples_after_the_warm_up_there_is_no_growth_to_report():
    samples = [(t, 500) for t in range(0, 30)]

    assert math.isnan(growth_after_warmup(samples, warm_until=60, window=10))
