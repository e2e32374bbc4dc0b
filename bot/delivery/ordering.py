"""Each chat's messages in the order they were queued, however their sends fare.

Sends to one conversation go one at a time, each after the one before it is done; sends to
different conversations go side by side. A message put back for later (a fault, a 429, a busy
chat) holds back the later messages to its conversation, which go back too rather than
overtake it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.services.ports import Clock

# A send returns when the next message to its conversation may go: None at once, or the time
# it was itself put back until.
Send = Callable[[], Awaitable[datetime | None]]
# Puts a message back until the time given (the one before it was put back until then), and
# returns when the next may go, as a send does.
PutBack = Callable[[datetime], Awaitable[datetime | None]]


class ChatOrder:
    """Lines sends up per conversation, and remembers which conversations are held back."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tasks: set[asyncio.Task[datetime | None]] = set()
        self._tails: dict[str, asyncio.Task[datetime | None]] = {}
        # Conversations whose earliest unsent message was put back: (its id, until when).
        self._held_back: dict[str, tuple[int, datetime]] = {}

    def held_back_until(self, conversation_id: str, delivery_id: int,
                        claimed_at: datetime) -> datetime | None:
        """Until when this message, claimed at `claimed_at`, must wait for an earlier one to
        the same conversation that was put back for later; None when it may go now.

        A message claimed once the earlier one was due again need not wait: a claim takes a
        chat's due messages in the order they were first owed, and none of a chat whose
        messages another worker holds, so the earlier one came with it, or was sent before.
        Only one claimed before then waits, and goes back to be claimed again with it. Waiting
        for the earlier one to come back to this worker instead stalled a chat for as long as
        another worker's claims of it lasted."""
        held = self._held_back.get(conversation_id)
        if held is None or delivery_id < held[0]:
            return None
        held_id, until = held
        if delivery_id == held_id or claimed_at >= until:
            del self._held_back[conversation_id]
            return None
        return max(until, self._clock.now())

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
        """Forget held-back messages that are due: they hold nothing back any more."""
        now = self._clock.now()
        for conversation in [c for c, (_, until) in self._held_back.items() if until <= now]:
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
