"""The per-person turn limit, applied before a turn touches the database.

A turn over the limit stores nothing (not even the sender's address). A message is answered
with a polite card, once per run of refusals; a button press (invoke) with an error the card
shows. One log line per person per run. Activities from Teams itself (installs, members
added) are not limited. The limit is per process: several replicas each allow it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import structlog
from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from bot.channel.activities import card_activity, invoke_error_activity, object_id_of
from bot.channel.turns import TurnOutcome, note_turn
from bot.domain.turn_limits import Admission, TurnLimiter
from cards.slow_down import SLOW_DOWN, slow_down_card

log = structlog.get_logger(__name__)

LIMITED_TYPES = frozenset({ActivityTypes.message, ActivityTypes.invoke})


class TurnLimit(Middleware):
    def __init__(self, limiter: TurnLimiter, now: Callable[[], float] = time.monotonic) -> None:
        self._limiter = limiter
        self._now = now

    async def on_turn(self, context: TurnContext,
                      logic: Callable[[], Awaitable[None]]) -> None:
        activity = context.activity
        sender = _sender(activity)
        if activity.type not in LIMITED_TYPES or sender is None:
            await logic()
            return
        admission = self._limiter.admit(sender, self._now())
        if admission is Admission.ADMITTED:
            await logic()
            return
        note_turn(TurnOutcome.REFUSED)
        if admission is Admission.REFUSED:
            log.warning("turn.limited", sender=sender, activity_type=activity.type,
                        conversation=activity.conversation.id if activity.conversation else None)
        await _refuse(context, answer=admission is Admission.REFUSED)


def _sender(activity: Activity) -> str | None:
    """Whom to count: the Entra object id, or Teams' id for a sender without one."""
    return object_id_of(activity) or getattr(activity.from_property, "id", None) or None


async def _refuse(context: TurnContext, *, answer: bool) -> None:
    if context.activity.type == ActivityTypes.invoke:
        # An invoke must be answered every time, or Teams reports a failure of its own.
        await context.send_activity(invoke_error_activity(429, "TooManyRequests", SLOW_DOWN))
    elif answer:
        await context.send_activity(card_activity(slow_down_card()))
