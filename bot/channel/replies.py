"""Sending a turn's replies ourselves, with a retry, instead of through the SDK's msrest client.

msrest sends each reply once through `requests` in a thread pool and never retries a POST, so
a momentary 502 or 429 from the Bot Connector loses the answer a person is waiting for. The
adapter hands the turn's messages to `send_reply`, which sends them on the app's pooled
aiohttp session and retries transient failures briefly (the person is waiting, so briefly:
the outbox is where patient retries live).
"""

# botbuilder ships no type stubs; pyright reads the types from its source instead.
# pyright: reportMissingTypeStubs=false
from __future__ import annotations

import asyncio

import structlog
from botbuilder.schema import Activity, ResourceResponse

from bot.channel.activities import conversation_of
from bot.channel.messenger import BotConnectorMessenger
from bot.channel.serialization import activity_json
from bot.delivery.verdicts import SERVICE_URL_REFUSED, Verdict, classify
from bot.services.ports import SendResult

log = structlog.get_logger(__name__)

# Pauses before the second and third attempts; Retry-After is honoured up to the longest.
RETRY_PAUSES = (0.3, 1.0)
LONGEST_PAUSE = 3.0


class ReplyFailed(RuntimeError):
    """The Bot Connector would not take a reply, even after retrying."""

    def __init__(self, result: SendResult) -> None:
        super().__init__(f"the reply was refused: {result.status or 'network'} "
                         f"{result.error or ''}".strip())
        self.result = result

    @property
    def worth_an_apology(self) -> bool:
        """No point apologising into a chat that refuses messages (any 403, or an address the
        bot's token may not go to) or is throttled."""
        if self.result.status == 403 or self.result.error == SERVICE_URL_REFUSED:
            return False
        return classify(self.result.status) is not Verdict.THROTTLED


async def send_reply(messenger: BotConnectorMessenger, activity: Activity) -> ResourceResponse:
    """Send one reply, retrying a passing fault or a throttle twice; ReplyFailed otherwise."""
    body = activity_json(activity)
    result = SendResult(status=None)
    for attempt in range(len(RETRY_PAUSES) + 1):
        result = await messenger.post_reply(
            activity.service_url, conversation_of(activity).id, activity.reply_to_id, body
        )
        verdict = classify(result.status, result.error)
        if verdict is Verdict.SENT:
            # The SDK annotates `id: str = None`: None where Teams gave no id.
            return ResourceResponse(id=result.activity_id)  # pyright: ignore[reportArgumentType]
        if verdict not in (Verdict.RETRY, Verdict.THROTTLED) or attempt == len(RETRY_PAUSES):
            break
        pause = RETRY_PAUSES[attempt]
        if verdict is Verdict.THROTTLED:
            pause = min(LONGEST_PAUSE, result.retry_after or pause)
        log.warning("reply.retrying", status=result.status, error=result.error,
                    attempt=attempt + 1, in_seconds=pause)
        await asyncio.sleep(pause)
    raise ReplyFailed(result)
