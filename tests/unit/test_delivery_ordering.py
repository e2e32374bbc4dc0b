"""Each chat's messages in order: sends are callables the test controls, the clock is fixed,
and nothing waits for real time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest

from bot.delivery.ordering import ChatOrder


class Script:
    """Sends that record what happened, each finishing when the test says so."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self._gates: dict[str, asyncio.Event] = {}
        self._outcomes: dict[str, datetime | Exception | None] = {}

    def send(self, name: str, *, outcome: datetime | Exception | None = None,
             held: bool = False) -> Callable[[], Awaitable[datetime | None]]:
        """A send named `name`; `held` ones wait for `finish(name)`."""
        if held:
            self._gates[name] = asyncio.Event()
        self._outcomes[name] = outcome

        async def send() -> datetime | None:
            self.events.append(f"{name} started")
            if name in self._gates:
                await self._gates[name].wait()
            self.events.append(f"{name} done")
            result = self._outcomes[name]
            if isinstance(result, Exception):
                raise result
            return result

        return send

    def put_back(self, name: str) -> Callable[[datetime], Awaitable[datetime | None]]:
        async def put_back(until: datetime) -> datetime | None:
            self.events.append(f"{name} put back until {until:%H:%M:%S}")
            return until

        return put_back

    def finish(self, name: str) -> None:
        self._gates[name].set()


async def settle() -> None:
    """Let every task that can run, run (a turn of the loop, not a wait for time)."""
    for _ in range(10):
        await asyncio.sleep(0)


@pytest.fixture
def order(clock) -> ChatOrder:
    return ChatOrder(clock)


async def test_one_chats_sends_go_one_at_a_time_in_the_order_started(order) -> None:
    script = Script()
    for n, name in enumerate(["receipt", "status", "notice"], start=1):
        order.start("a:alex", n, script.send(name, held=name == "receipt"),
                    script.put_back(name))
    await settle()

    assert script.events == ["receipt started"]
    script.finish("receipt")
    await order.drain()
    assert script.events == ["receipt started", "receipt done", "status started", "status done",
                             "notice started", "notice done"]


async def test_different_chats_go_side_by_side(order) -> None:
    script = Script()
    order.start("a:alex", 1, script.send("alex", held=True), script.put_back("alex"))
    order.start("a:blake", 2, script.send("blake"), script.put_back("blake"))
    await settle()

    assert script.events == ["alex started", "blake started", "blake done"]
    script.finish("alex")
    await order.drain()


async def test_a_message_behind_one_put_back_goes_back_too_rather_than_overtake(order,
                                                                                clock) -> None:
    script = Script()
    later = clock.now() + timedelta(seconds=30)
    order.start("a:alex", 1, script.send("receipt", outcome=later), script.put_back("receipt"))
    order.start("a:alex", 2, script.send("status"), script.put_back("status"))
    order.start("a:alex", 3, script.send("notice"), script.put_back("notice"))
    await order.drain()

    assert script.events == ["receipt started", "receipt done",
                             "status put back until 09:30:30", "notice put back until 09:30:30"]
    # The conversation stays held back for the earliest, until it is due.
    assert order.held_back_until("a:alex", 4, clock.now()) == later


async def test_a_send_that_crashed_neither_blocks_nor_holds_back_the_next(order,
                                                                         clock) -> None:
    script = Script()
    task = order.start("a:alex", 1, script.send("receipt", outcome=RuntimeError("bug")),
                       script.put_back("receipt"))
    order.start("a:alex", 2, script.send("status"), script.put_back("status"))
    await order.drain()

    assert isinstance(task.exception(), RuntimeError)
    assert script.events == ["receipt started", "receipt done", "status started", "status done"]
    assert order.held_back_until("a:alex", 3, clock.now()) is None


async def test_a_chat_is_free_again_once_its_last_send_is_done(order) -> None:
    script = Script()
    order.start("a:alex", 1, script.send("receipt"), script.put_back("receipt"))
    await order.drain()
    order.start("a:alex", 2, script.send("status"), script.put_back("status"))
    await order.drain()

    assert order._tails == {}
    assert script.events[-2:] == ["status started", "status done"]


def test_later_messages_wait_for_the_earliest_put_back(order, clock) -> None:
    until = clock.now() + timedelta(seconds=30)
    order.hold_back("a:alex", 5, until)

    assert order.held_back_until("a:alex", 4, clock.now()) is None  # queued before it: not held
    assert order.held_back_until("a:blake", 9, clock.now()) is None  # another chat: not held
    assert order.held_back_until("a:alex", 6, clock.now()) == until
    assert order.held_back_until("a:alex", 7, clock.now()) == until


def test_the_held_back_message_itself_goes_and_frees_its_chat(order, clock) -> None:
    order.hold_back("a:alex", 5, clock.now() + timedelta(seconds=30))

    assert order.held_back_until("a:alex", 5, clock.now()) is None
    assert order.held_back_until("a:alex", 6, clock.now()) is None


def test_a_message_claimed_once_the_held_one_was_due_goes_at_once(order, clock) -> None:
    """The claim that took it took the earlier one first, or another worker sent that one
    before: waiting for it to come back to this worker stalled the chat."""
    until = clock.now() + timedelta(seconds=30)
    order.hold_back("a:alex", 5, until)
    clock.advance(seconds=31)

    assert order.held_back_until("a:alex", 6, claimed_at=until) is None
    assert order.held_back_until("a:alex", 7, claimed_at=until) is None


def test_a_message_claimed_before_the_held_one_was_due_goes_back_to_be_claimed_with_it(
        order, clock) -> None:
    claimed = clock.now()
    order.hold_back("a:alex", 5, clock.now() + timedelta(seconds=30))
    clock.advance(seconds=31)

    assert order.held_back_until("a:alex", 6, claimed) == clock.now()


def test_pruning_forgets_the_chats_whose_put_back_message_is_due(order, clock) -> None:
    order.hold_back("a:alex", 5, clock.now() + timedelta(seconds=10))
    order.hold_back("a:blake", 6, clock.now() + timedelta(seconds=60))
    clock.advance(seconds=10)

    order.prune()

    assert list(order._held_back) == ["a:blake"]


def test_the_earliest_put_back_is_the_one_that_holds(order, clock) -> None:
    soon, later = clock.now() + timedelta(seconds=10), clock.now() + timedelta(seconds=60)
    order.hold_back("a:alex", 5, soon)
    order.hold_back("a:alex", 7, later)  # a later message does not replace it
    assert order.held_back_until("a:alex", 8, clock.now()) == soon

    order.hold_back("a:alex", 3, later)  # an earlier one does
    assert order.held_back_until("a:alex", 4, clock.now()) == later


def test_a_message_given_up_no_longer_holds_its_chat(order, clock) -> None:
    order.hold_back("a:alex", 5, clock.now() + timedelta(seconds=30))
    order.hold_back("a:blake", 6, clock.now() + timedelta(seconds=30))

    order.forget(5)

    assert order.held_back_until("a:alex", 9, clock.now()) is None
    assert order.held_back_until("a:blake", 9, clock.now()) is not None

