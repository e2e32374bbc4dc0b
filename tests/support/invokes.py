"""Pressing staff card buttons over HTTP as Teams does, and waiting for what the outbox then
sends: the answer card of an `adaptiveCard/action` invoke, and the cards reaching each chat."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from bot.domain.ideas import IdeaDetail
from bot.domain.lifecycle import Move
from support.bot_server import BotServer
from support.connector import StandInConnector
from support.decisions import actor, card_invoke, chat_of, press_data

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


async def invoke(bot: BotServer, who: str | None, verb: Any, data: Any,
                 **options: Any) -> dict[str, Any]:
    """Press a card button as `who`; the card Teams puts in place of the pressed one."""
    activity = card_invoke(verb, data, who, name=actor(who).name if who else "Someone",
                           **options)
    response = await bot.post(activity)
    assert response.status == 200, (response.status, await response.text())
    assert response.content_type == "application/json"
    body = await response.json()
    assert body["statusCode"] == 200 and body["type"] == ADAPTIVE_CARD, body
    card = body["value"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    return card


async def press(bot: BotServer, who: str, idea: IdeaDetail, move: Move, **fields: Any
                ) -> dict[str, Any]:
    return await invoke(bot, who, move.value, press_data(idea, move, **fields))


async def until(condition, within: float = 5.0) -> None:
    """Wait for the outbox worker to have done something: `condition()` (maybe awaitable)."""
    async with asyncio.timeout(within):
        while True:
            result = condition()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.02)


def cards_to(connector: StandInConnector, object_id: str, reference: str,
             method: str | None = None) -> list[Any]:
    """What reached `object_id`'s chat about `reference` (not replies to what they typed)."""
    return [r for r in connector.received
            if r.conversation_id == chat_of(object_id) and reference in r.text_seen
            and (method is None or r.method == method) and "/activities/1:" not in r.path]
