"""Letting a send through at the pace a Pacer allows: wait a moment, or say it is a long wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.delivery.pacing import Pacer

# A send that must wait this long or more is put back in the outbox rather than waited for.
LONG_WAIT_SECONDS = 1.0

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Booking:
    """A send let through, booked with the pacer at `at` (monotonic seconds)."""

    tenant: str
    conversation: str
    at: float


class Gate:
    """One pacer's turnstile. A short wait is slept through; a long one (a busy conversation,
    or a tenant Teams told to wait) is handed back, so that the caller puts the message back
    for later and the rest of its work, other tenants included, does not wait with it."""

    def __init__(self, pacer: Pacer, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Sleep = asyncio.sleep, long_wait: float = LONG_WAIT_SECONDS) -> None:
        self._pacer = pacer
        self._monotonic = monotonic
        self._sleep = sleep
        self._long_wait = long_wait

    async def admit(self, tenant: str, conversation: str) -> Booking | float:
        """The booking once a send to (tenant, conversation) may go, booked with the pacer as
        gone; otherwise the seconds it would have to wait, a long wait, with nothing booked."""
        while True:
            now = self._monotonic()
            wait = self._pacer.wait(tenant, conversation, now)
            if wait <= 0:
                self._pacer.record(tenant, conversation, now)
                return Booking(tenant, conversation, now)
            if wait >= self._long_wait:
                return wait
            await self._sleep(wait)

    def release(self, booking: Booking) -> None:
        """The send booked did not go (it was put back): its place in the pace is free again.
        Kept, it would hold back sends that do go, as if Teams had counted it."""
        self._pacer.unrecord(booking.tenant, booking.conversation, booking.at)

    def prune(self) -> None:
        """Forget the conversations and tenants that have been quiet (see Pacer.prune)."""
        self._pacer.prune(self._monotonic())
