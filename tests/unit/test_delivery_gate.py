"""The one pacing helper: a short wait is slept through, a long one handed back, with a fake
monotonic clock and a fake sleep (nothing here waits for real time)."""

from __future__ import annotations

import pytest
from support.delivery import FakeTime

from bot.delivery.gate import LONG_WAIT_SECONDS, Booking, Gate
from bot.delivery.pacing import Pacer, Window, conversation_windows, tenant_windows

TENANT = "tenant-a"


def gate_for(pacer: Pacer, time: FakeTime) -> Gate:
    return Gate(pacer, time.monotonic, time.sleep)


async def test_a_send_the_pace_allows_goes_at_once_and_is_booked() -> None:
    time, pacer = FakeTime(), Pacer()
    gate = gate_for(pacer, time)

    for _ in range(7):
        assert isinstance(await gate.admit(TENANT, "a:chat"), Booking)

    assert time.slept == []
    # Seven were booked at this instant: the eighth must wait for the first to be 1 s old.
    assert pacer.wait(TENANT, "a:chat", time.now) == pytest.approx(1.0)


async def test_a_short_wait_is_slept_through_then_the_send_is_booked() -> None:
    time = FakeTime()
    pacer = Pacer(tenant=tenant_windows(50), conversation=[Window(1, 0.5)])
    gate = gate_for(pacer, time)
    await gate.admit(TENANT, "a:chat")

    assert isinstance(await gate.admit(TENANT, "a:chat"), Booking)

    assert time.slept == [pytest.approx(0.5)]
    assert pacer.wait(TENANT, "a:chat", time.now) == pytest.approx(0.5)  # booked at 1000.5


async def test_after_a_sleep_the_pace_is_asked_again() -> None:
    """Another send to the chat may have gone while this one slept: it waits its turn again."""
    time = FakeTime()
    pacer = Pacer(tenant=tenant_windows(50), conversation=[Window(1, 0.3)])
    gate = gate_for(pacer, time)
    await gate.admit(TENANT, "a:chat")
    time.while_asleep.append(lambda: pacer.record(TENANT, "a:chat", time.now))

    assert isinstance(await gate.admit(TENANT, "a:chat"), Booking)

    assert time.slept == [pytest.approx(0.3), pytest.approx(0.3)]
    assert time.now == pytest.approx(1000.6)


async def test_a_long_wait_is_handed_back_and_nothing_is_booked() -> None:
    time = FakeTime()
    pacer = Pacer(tenant=tenant_windows(50), conversation=[Window(1, 5.0)])
    gate = gate_for(pacer, time)
    await gate.admit(TENANT, "a:chat")

    assert await gate.admit(TENANT, "a:chat") == pytest.approx(5.0)

    assert time.slept == []
    time.now += 5.0  # had the refused send been booked, this one would wait five more
    assert isinstance(await gate.admit(TENANT, "a:chat"), Booking)
    assert time.slept == []


async def test_a_wait_of_exactly_the_long_wait_is_handed_back() -> None:
    time = FakeTime()
    pacer = Pacer(tenant=tenant_windows(50), conversation=[Window(1, LONG_WAIT_SECONDS)])
    gate = gate_for(pacer, time)
    await gate.admit(TENANT, "a:chat")

    assert await gate.admit(TENANT, "a:chat") == pytest.approx(LONG_WAIT_SECONDS)
    assert isinstance(await Gate(pacer, time.monotonic, time.sleep, long_wait=2.0).admit(
        TENANT, "a:chat"), Booking)
    assert time.slept == [pytest.approx(LONG_WAIT_SECONDS)]


async def test_a_429_hold_is_handed_back_at_booking_and_at_departure_alike() -> None:
    time = FakeTime()
    pacer = Pacer()
    booking, departure = gate_for(pacer, time), gate_for(pacer.twin(), time)
    pacer.hold(TENANT, until=time.now + 30.0)

    assert await booking.admit(TENANT, "a:chat") == pytest.approx(30.0)
    assert await departure.admit(TENANT, "a:other") == pytest.approx(30.0)
    # Only that tenant is held.
    assert isinstance(await departure.admit("tenant-b", "b:chat"), Booking)


async def test_a_short_hold_is_waited_out_rather_than_handed_back() -> None:
    time = FakeTime()
    pacer = Pacer()
    pacer.hold(TENANT, until=time.now + 0.25)

    assert isinstance(await gate_for(pacer, time).admit(TENANT, "a:chat"), Booking)
    assert time.slept == [pytest.approx(0.25)]


async def test_prune_forgets_quiet_conversations_as_of_the_gates_clock() -> None:
    time = FakeTime(start=0.0)
    pacer = Pacer(tenant=tenant_windows(50), conversation=conversation_windows(7))
    gate = gate_for(pacer, time)
    await gate.admit(TENANT, "a:quiet")
    time.now = 3600.5

    gate.prune()

    assert "a:quiet" not in pacer._conversations._sends


async def test_a_booking_released_frees_its_place_in_the_pace() -> None:
    """A send booked that did not go (put back behind a 429 in its chat) holds nothing back."""
    time = FakeTime()
    pacer = Pacer(tenant=tenant_windows(50), conversation=[Window(2, 30.0)])
    gate = gate_for(pacer, time)
    sent = await gate.admit(TENANT, "a:chat")
    unsent = await gate.admit(TENANT, "a:chat")
    assert isinstance(sent, Booking) and isinstance(unsent, Booking)
    assert await gate.admit(TENANT, "a:chat") == pytest.approx(30.0)

    gate.release(unsent)

    assert isinstance(await gate.admit(TENANT, "a:chat"), Booking)
    assert await gate.admit(TENANT, "a:chat") == pytest.approx(30.0)  # the one sent still counts
