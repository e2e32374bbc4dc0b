"""Each chat's messages in the order they were queued, however their sends fare.

Sends to one conversation go one at a time, each after the one before it is done; sends to
different conversations go side by side. A message put back for later (a fault, a 429, a busy
chat) holds back the later messages to its conversation, which go back too rather than
overtake it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.services.ports import Clock

# A send returns when the next message to its conversation may go: None at once, or the time
# it was itself put back until.
Send = Callable[[], Awaitable[datetime | None]]
# Puts a message back until the time given (the one before it was put back until then), and
# returns when the next may go, as a send does.
PutBack = Callable[[datetime], Awaitable[datetime | None]]

# How soon to look again for a held-back message that is due but not yet back in hand.
LOOK_AGAIN = timedelta(seconds=1)


class ChatOrder:
    """Lines sends up per conversation, and remembers which conversations are held back."""

    def __init__(self, clock: Clock, lease: timedelta) -> None:
        self._clock = clock
        # A held-back message due longer ago than a claim's lease has been taken by another
        # worker, or given up: it no longer holds its conversation back.
        self._lease = lease
        self._tasks: set[asyncio.Task[datetime | None]] = set()
        self._tails: dict[str, asyncio.Task[datetime | None]] = {}
        # Conversations whose earliest unsent message was put back: (its id, until when).
        self._held_back: dict[str, tuple[int, datetime]] = {}

    def held_back_until(self, conversation_id: str, delivery_id: int) -> datetime | None:
        """Until when this message must wait for an earlier one to the same conversation that
        was put back for later; None when it may go now."""
        held = self._held_back.get(conversation_id)
        if held is None or delivery_id < held[0]:
            return None
        held_id, until = held
        now = self._clock.now()
        if delivery_id == held_id or now >= until + self._lease:
            # It is back; or so long overdue that another worker must have taken it.
            del self._held_back[conversation_id]
            return None
        # Until it is due (then both are claimed together, in order); if it is due already
        # but not back here yet, look again shortly.
        return until if now < until else now + LOOK_AGAIN

    def hold_back(self, conversation_id: str, delivery_id: int, until: datetime) -> None:
        """This message was put back until `until`: later ones to the conversation wait."""
        held = self._held_back.get(conversation_id)
        if held is None or delivery_id <= held[0]:
            self._held_back[conversation_id] = (delivery_id, until)

    def forget(self, delivery_id: int) -> None:
        """This message was given up, or put back before its conversation was known: later
        ones need not wait for it."""
        self._held_back = {c: held for c, held in self._held_back.items()
                           if held[0] != delivery_id}

    def prune(self) -> None:
        """Forget held-back messages so long overdue that another worker must have them."""
        overdue = self._clock.now() - self._lease
        for conversation in [c for c, (_, until) in self._held_back.items() if until <= overdue]:
            del self._held_back[conversation]

    def start(self, conversation_id: str, delivery_id: int, send: Send,
              put_back: PutBack) -> asyncio.Task[datetime | None]:
        """Send in the background, after any earlier send to the same conversation; put the
        message back instead if that one was put back."""
        previous = self._tails.get(conversation_id)
        task = asyncio.create_task(self._in_turn(previous, send, put_back))
        self._tasks.add(task)
        self._tails[conversation_id] = task

        def finished(done: asyncio.Task[datetime | None]) -> None:
            until = None if done.cancelled() or done.exception() is not None else done.result()
            if until is not None:
                self.hold_back(conversation_id, delivery_id, until)
            self._tasks.discard(done)
            if self._tails.get(conversation_id) is done:
                del self._tails[conversation_id]

        task.add_done_callback(finished)
        return task

    async def drain(self) -> None:
        """Until every send started so far is done."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    @staticmethod
    async def _in_turn(previous: asyncio.Task[datetime | None] | None, send: Send,
                       put_back: PutBack) -> datetime | None:
        behind = None
        if previous is not None:
            await asyncio.wait({previous})
            if not previous.cancelled() and previous.exception() is None:
                behind = previous.result()
        if behind is not None:
            return await put_back(behind)
        return await send()
