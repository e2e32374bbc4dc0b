"""What a person sees when a turn fails on our side."""

from __future__ import annotations

import structlog
from botbuilder.core import TurnContext
from botbuilder.schema import ActivityTypes

from bot.channel.activities import card_activity, conversation_id_of
from bot.channel.outage import answer_database_outage
from bot.channel.replies import ReplyFailed
from bot.channel.turns import TurnOutcome, note_turn
from cards.notices import failure_card
from storage.outage import database_unavailable

log = structlog.get_logger(__name__)


async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    """Log the failure once, and apologise to the person if they were waiting for an answer."""
    activity = turn_context.activity
    note_turn(TurnOutcome.ERROR)
    if not isinstance(error, ReplyFailed) and database_unavailable(error):
        await answer_database_outage(turn_context, error)
        return
    if isinstance(error, ReplyFailed):
        log.error("turn.reply_failed", activity_type=activity.type,
                  conversation=conversation_id_of(activity), reason=str(error))
        if not error.worth_an_apology:
            return
    else:
        log.error("turn.failed", activity_type=activity.type,
                  conversation=conversation_id_of(activity), exc_info=error)
    if activity.type == ActivityTypes.message:
        try:
            await turn_context.send_activity(card_activity(failure_card()))
        except Exception as send_error:  # the connector may be what failed; never raise here
            log.error("turn.apology_failed", error=type(send_error).__name__)
