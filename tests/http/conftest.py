"""HTTP tests: the real service on loopback, real Teams payloads, a stand-in connector."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.bot_server import BotServer, start_bot
from support.connector import StandInConnector

from bot.config import Settings


@pytest.fixture
async def connector() -> AsyncIterator[StandInConnector]:
    async with StandInConnector() as connector:
        yield connector


@pytest.fixture
async def bot(database_url: str, connector: StandInConnector, clock) -> AsyncIterator[BotServer]:
    """The bot, anonymous as in local runs, on a fresh database holding the demo organisation."""
    server, runner = await start_bot(Settings(database_url=database_url), connector.url,
                                     clock=clock)
    try:
        yield server
    finally:
        await server.session.close()
        await runner.cleanup()
