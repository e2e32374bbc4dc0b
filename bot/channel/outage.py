"""A turn the database could not take: who is told what, decided per kind of activity.

A message's sender is waiting, so they hear at once that nothing was saved (feedback comes back
as its form, their words kept). A button press (invoke) is answered with an error the card
shows. Anything else (an install, a member added, an uninstall) has no one waiting: Teams is
answered 503 and sends it again, so the address and the welcome are not lost.
"""

from __future__ import annotations

import structlog
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes

from bot.channel.activities import card_activity, invoke_error_activity, submitted_values
from cards.actions import CardAction
from cards.base import CardMessage
from cards.outage import NOT_SAVED, feedback_not_saved_card, not_saved_card
from cards.requests import feedback_form_of

log = structlog.get_logger(__name__)


class RetryLater(Exception):
    """The activity was not stored: ask the channel to deliver it again (HTTP 503)."""


async def answer_database_outage(turn_context: TurnContext, error: BaseException) -> None:
    """Tell whoever waits that nothing was saved, or raise RetryLater for Teams to resend."""
    activity = turn_context.activity
    log.error("turn.database_unavailable", activity_type=activity.type,
              conversation=activity.conversation.id if activity.conversation else None,
              error=type(error).__name__)
    if activity.type == ActivityTypes.message:
        try:
            await turn_context.send_activity(card_activity(_apology_for(activity)))
        except Exception as send_error:  # the connector may be down too; never raise here
            log.error("turn.apology_failed", error=type(send_error).__name__)
        return
    if activity.type == ActivityTypes.invoke:
        await turn_context.send_activity(
            invoke_error_activity(500, "DatabaseUnavailable", NOT_SAVED))
        return
    raise RetryLater(activity.type) from error


def _apology_for(activity: Activity) -> CardMessage:
    values = submitted_values(activity)
    if values is not None and values.get("action") == CardAction.SEND_FEEDBACK:
        return feedback_not_saved_card(feedback_form_of(values))
    return not_saved_card(activity.text if values is None else None)
