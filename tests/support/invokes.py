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
from support.decisions import chat_of, invoke, press_data


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
