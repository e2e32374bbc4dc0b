"""The per-person turn limit: generous to a person, firm with a script, bounded in memory."""

from __future__ import annotations

from bot.domain.turn_limits import Admission, TurnLimiter


def test_a_burst_is_admitted_then_turns_come_back_at_the_rate() -> None:
    limiter = TurnLimiter(per_minute=30, burst=10)

    burst = [limiter.admit("megan", 0.0) for _ in range(10)]

    assert burst == [Admission.ADMITTED] * 10
    assert limiter.admit("megan", 0.0) is Admission.REFUSED
    assert limiter.admit("megan", 1.0) is Admission.REFUSED_AGAIN  # half a turn earned
    assert limiter.admit("megan", 2.0) is Admission.ADMITTED       # one turn every 2 s


def test_only_the_first_refusal_of_a_run_is_to_be_answered() -> None:
    limiter = TurnLimiter(per_minute=6, burst=1)
    assert limiter.admit("script", 0.0) is Admission.ADMITTED

    refusals = [limiter.admit("script", 0.1 * n) for n in range(1, 50)]

    assert refusals == [Admission.REFUSED] + [Admission.REFUSED_AGAIN] * 48
    assert limiter.admit("script", 10.0) is Admission.ADMITTED
    assert limiter.admit("script", 10.0) is Admission.REFUSED  # a new run: told again


def test_each_person_has_their_own_limit() -> None:
    limiter = TurnLimiter(per_minute=1, burst=2)
    for _ in range(2):
        limiter.admit("script", 0.0)

    assert limiter.admit("script", 0.0) is Admission.REFUSED
    assert limiter.admit("megan", 0.0) is Admission.ADMITTED


def test_people_idle_long_enough_to_be_full_again_are_forgotten() -> None:
    limiter = TurnLimiter(per_minute=30, burst=10)  # full again after 20 s
    for n in range(1000):
        limiter.admit(f"person-{n}", 0.0)
    assert len(limiter) == 1000

    limiter.admit("megan", 20.0)

    assert len(limiter) == 1


def test_memory_never_holds_more_than_the_cap() -> None:
    limiter = TurnLimiter(per_minute=30, burst=10, max_people=100)

    for n in range(10_000):
        limiter.admit(f"person-{n}", 0.0)

    assert len(limiter) == 100
