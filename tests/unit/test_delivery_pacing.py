"""The pacer keeps the bot under Teams' rate limits, with time passed in as plain numbers.

Teams allows a bot, per conversation, 7 sends a second, 8 in 2 seconds, 60 in 30 seconds and
1,800 an hour; per tenant about 50 a second. A greedy sender that always asks the pacer first
must never exceed any of them, and must not be held back more than they require.
"""

from __future__ import annotations

import random

import pytest

from bot.delivery.pacing import (
    Pacer,
    Window,
    conversation_windows,
    safe_conversation_windows,
    safe_tenant_windows,
    tenant_windows,
)

TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"


def greedy_sends(pacer: Pacer, count: int, conversations: list[str], tenant: str = TENANT,
                 start: float = 1000.0) -> list[float]:
    """Send `count` messages round-robin to `conversations` as fast as the pacer allows;
    the time of each send."""
    now = start
    times: list[float] = []
    for n in range(count):
        conversation = conversations[n % len(conversations)]
        wait = pacer.wait(tenant, conversation, now)
        assert wait >= 0
        now += wait
        # The wait the pacer gave is enough: asking again at that moment says "go".
        assert pacer.wait(tenant, conversation, now) == pytest.approx(0, abs=1e-9)
        pacer.record(tenant, conversation, now)
        times.append(now)
    return times


def most_in_any_window(times: list[float], seconds: float) -> int:
    """The largest number of sends in any half-open window (t - seconds, t]."""
    return max(sum(1 for u in times if t - seconds < u <= t) for t in times)


def test_one_conversation_never_exceeds_any_teams_limit() -> None:
    pacer = Pacer()

    times = greedy_sends(pacer, 130, ["a:chat"])

    assert most_in_any_window(times, 1.0) <= 7
    assert most_in_any_window(times, 2.0) <= 8
    assert most_in_any_window(times, 30.0) <= 60


def test_seven_a_second_then_the_eighth_waits_for_the_first_to_leave_the_second() -> None:
    pacer = Pacer()
    for n in range(7):
        assert pacer.wait(TENANT, "a:chat", 10.0 + n * 0.01) == 0
        pacer.record(TENANT, "a:chat", 10.0 + n * 0.01)

    # The eighth may go once the first (at 10.00) is a full second old.
    assert pacer.wait(TENANT, "a:chat", 10.5) == pytest.approx(0.5)
    assert pacer.wait(TENANT, "a:chat", 11.0) == 0


def test_eight_in_two_seconds_holds_the_ninth_even_when_the_last_second_had_room() -> None:
    pacer = Pacer()
    sends = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1.5]  # 7 in the first second, 1 more later
    for at in sends:
        assert pacer.wait(TENANT, "a:chat", at) == 0
        pacer.record(TENANT, "a:chat", at)

    # In the last second (0.7, 1.7] there was one send, but 8 in the last two seconds:
    # the ninth waits until the send at 0.0 is two seconds old.
    assert pacer.wait(TENANT, "a:chat", 1.7) == pytest.approx(0.3)
    assert pacer.wait(TENANT, "a:chat", 2.0) == 0


def test_sixty_in_thirty_seconds_then_the_sixty_first_waits() -> None:
    pacer = Pacer()

    times = greedy_sends(pacer, 61, ["a:chat"], start=0.0)

    # 8 per 2 seconds lets 60 go in under 15 seconds; the 61st waits for the first to be 30 s old.
    assert times[59] < 15.0
    assert times[60] == pytest.approx(times[0] + 30.0)


def test_an_hour_allows_1800_sends_to_one_conversation() -> None:
    pacer = Pacer()

    times = greedy_sends(pacer, 1801, ["a:chat"], start=0.0)

    assert most_in_any_window(times[-200:], 30.0) <= 60
    assert times[1800] == pytest.approx(times[0] + 3600.0)


def test_conversations_are_paced_apart() -> None:
    pacer = Pacer()
    for n in range(7):
        pacer.record(TENANT, "a:busy", n * 0.01)

    assert pacer.wait(TENANT, "a:busy", 0.1) > 0
    assert pacer.wait(TENANT, "a:quiet", 0.1) == 0


def test_fifty_a_second_per_tenant_across_conversations() -> None:
    pacer = Pacer()
    conversations = [f"a:chat-{n}" for n in range(200)]

    times = greedy_sends(pacer, 200, conversations, start=0.0)

    assert most_in_any_window(times, 1.0) == 50
    assert times[49] == 0.0  # the first fifty go at once
    assert times[50] == pytest.approx(1.0)
    # Another tenant is not slowed by this one.
    assert pacer.wait(OTHER_TENANT, "b:chat", times[-1]) == 0


def test_a_lower_tenant_rate_from_the_settings() -> None:
    pacer = Pacer(tenant=tenant_windows(5), conversation=conversation_windows(7))

    times = greedy_sends(pacer, 20, [f"a:{n}" for n in range(20)], start=0.0)

    assert most_in_any_window(times, 1.0) == 5
    assert times[-1] == pytest.approx(3.0)


def test_a_429_hold_pauses_only_that_tenant() -> None:
    pacer = Pacer()
    pacer.record(TENANT, "a:chat", 100.0)

    pacer.hold(TENANT, until=130.0)

    assert pacer.tenant_wait(TENANT, 100.0) == pytest.approx(30.0)
    assert pacer.wait(TENANT, "a:other-chat", 110.0) == pytest.approx(20.0)
    assert pacer.wait(OTHER_TENANT, "b:chat", 100.0) == 0
    assert pacer.wait(TENANT, "a:other-chat", 130.0) == 0


def test_a_shorter_hold_does_not_shorten_a_longer_one() -> None:
    pacer = Pacer()
    pacer.hold(TENANT, until=60.0)
    pacer.hold(TENANT, until=20.0)

    assert pacer.tenant_wait(TENANT, 10.0) == pytest.approx(50.0)


def test_prune_forgets_quiet_conversations_and_tenants_but_not_busy_ones() -> None:
    pacer = Pacer()
    pacer.record(TENANT, "a:quiet", 0.0)
    for n in range(7):
        pacer.record(TENANT, "a:busy", 3600.0 + n * 0.01)
    pacer.hold(OTHER_TENANT, until=10.0)

    pacer.prune(3600.5)

    remembered = pacer._conversations._sends  # what a broadcast to thousands would keep
    assert "a:quiet" not in remembered
    assert "a:busy" in remembered
    assert OTHER_TENANT not in pacer._held_until
    # Forgetting must not loosen the limit on a conversation that is still busy.
    assert pacer.wait(TENANT, "a:busy", 3600.5) == pytest.approx(0.5)


def test_prune_keeps_a_conversation_that_sent_within_the_hour() -> None:
    pacer = Pacer()
    for n in range(60):
        pacer.record(TENANT, "a:chat", n * 0.5)

    pacer.prune(1000.0)

    assert "a:chat" in pacer._conversations._sends


def test_custom_windows() -> None:
    pacer = Pacer(tenant=[Window(2, 1.0)], conversation=[Window(100, 1.0)])
    pacer.record(TENANT, "a:1", 0.0)
    pacer.record(TENANT, "a:2", 0.0)

    assert pacer.wait(TENANT, "a:3", 0.25) == pytest.approx(0.75)


def test_a_twin_has_the_same_limits_and_holds_but_none_of_the_history() -> None:
    pacer = Pacer(tenant=tenant_windows(5), conversation=conversation_windows(7))
    for n in range(7):
        pacer.record(TENANT, "a:chat", n * 0.01)
    pacer.hold(OTHER_TENANT, until=100.0)

    twin = pacer.twin()

    assert twin.wait(TENANT, "a:chat", 0.1) == 0
    # A tenant Teams told to wait is held whichever of the two is asked, and from then on.
    assert twin.held_for(OTHER_TENANT, 0.0) == pytest.approx(100.0)
    twin.hold(TENANT, until=50.0)
    assert pacer.held_for(TENANT, 10.0) == pytest.approx(40.0)
    twin.hold(OTHER_TENANT, until=30.0)  # a shorter hold does not shorten it for either
    assert pacer.held_for(OTHER_TENANT, 0.0) == pytest.approx(100.0)
    times = greedy_sends(twin, 20, [f"a:{n}" for n in range(20)], start=0.0)
    assert most_in_any_window(times, 1.0) == 5
    assert pacer.wait(TENANT, "a:chat", 0.1) > 0  # the original keeps its own


def test_a_chat_handed_over_keeps_its_limits_with_the_sends_made_elsewhere() -> None:
    """Another worker sent 50 to the chat in the last 25 seconds: this one may send 10 more
    until the first of those leaves the 30-second window, not 60."""
    pacer = Pacer()
    theirs = [n * 0.5 for n in range(50)]  # 0.0 .. 24.5
    pacer.sent_elsewhere("a:chat", theirs)

    mine = greedy_sends(pacer, 20, ["a:chat"], start=25.0)

    together = sorted(theirs + mine)
    assert most_in_any_window(together, 30.0) == 60
    assert most_in_any_window(together, 2.0) <= 8
    assert mine[9] < 30.0 <= mine[10]  # the eleventh waits for the first of theirs to leave
    # Another chat knows nothing of them.
    assert pacer.wait(TENANT, "a:other", 25.0) == 0


def test_what_is_learned_of_a_chat_replaces_what_was_known_and_ages_out() -> None:
    pacer = Pacer()
    pacer.sent_elsewhere("a:chat", [float(n) * 0.1 for n in range(8)])
    assert pacer.wait(TENANT, "a:chat", 1.0) > 0

    pacer.sent_elsewhere("a:chat", [])
    assert pacer.wait(TENANT, "a:chat", 1.0) == 0

    pacer.sent_elsewhere("a:chat", [0.0])
    pacer.prune(31.0)
    pacer.sent_elsewhere("a:busy", [29.0])
    pacer.prune(31.0)
    assert pacer.twin()._others.sends == {"a:busy": [29.0]}  # the quiet one is forgotten


def test_workers_sending_at_once_each_keep_their_share_of_a_tenants_rate() -> None:
    pacer = Pacer()  # 50 a second per tenant
    pacer.share_tenant_rate(2)

    times = greedy_sends(pacer, 100, [f"a:chat-{n}" for n in range(100)], start=0.0)

    assert most_in_any_window(times, 1.0) == 25
    # Once the other worker stops, this one has the whole rate again.
    pacer.share_tenant_rate(1)
    alone = greedy_sends(pacer, 100, [f"a:more-{n}" for n in range(100)], start=times[-1] + 1)
    assert most_in_any_window(alone, 1.0) == 50


def test_shares_of_the_safe_tenant_windows_add_up_to_the_limit() -> None:
    """Three workers, each keeping its share of the tenant's safe windows (the rate, the rate
    over a second and a little, and the shortest gap between sends), send at most the rate
    together in any second."""
    workers = [Pacer(tenant=safe_tenant_windows(50)) for _ in range(3)]
    for worker in workers:
        worker.share_tenant_rate(3)

    times = sorted(t for n, worker in enumerate(workers) for t in greedy_sends(
        worker, 80, [f"a:{n}-{m}" for m in range(80)], start=0.0))

    assert most_in_any_window(times, 1.0) <= 50
    assert most_in_any_window(times, 1.0) >= 45  # and not much less


def test_a_busy_chat_paced_with_a_margin_keeps_teams_limits_as_its_sends_arrive() -> None:
    """Sends arrive a little after they are booked, some later than others: with each window
    kept a margin longer, a chat filled to its limits stays within them as Teams counts."""
    pacer = Pacer(conversation=safe_conversation_windows(7))

    booked = greedy_sends(pacer, 150, ["a:chat"])
    jitter = random.Random(7)
    arrived = sorted(t + jitter.uniform(0.0, 0.04) for t in booked)

    # Kept without the margin, these arrived as 8 in a second, 13 in two and 66 in thirty.
    for sends, seconds in ((7, 1.0), (8, 2.0), (60, 30.0)):
        assert most_in_any_window(arrived, seconds) <= sends
    assert booked[-1] - booked[0] < 67  # and hardly slower: 150 in 66.25 s, not 66
