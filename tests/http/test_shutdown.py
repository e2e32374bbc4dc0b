"""Stopping the service (a deploy, a scale-in) while a person's turn is still being answered."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from support.activities import personal_message
from support.bot_server import sqlite_only, start_bot
from support.connector import StandInConnector

from bot.config import Settings


async def test_a_turn_in_flight_at_shutdown_finishes_and_its_replies_arrive(
    database_url: str, connector: StandInConnector, clock
):
    connector.delay = 0.5  # each send takes half a second
    server, runner = await start_bot(Settings(database_url=database_url), connector.url,
                                     clock=clock)
    try:
        # A first message: the welcome, then the help card, half a second each.
        turn = asyncio.create_task(server.post(personal_message("help")))
        await connector.wait_for_arrivals(1)  # the welcome is being sent

        stopping = asyncio.create_task(runner.cleanup())
        await asyncio.sleep(0.3)
        assert not stopping.done()  # shutdown waits for the turn

        response = await turn

        assert response.status == 200
        welcome, answer = connector.delivered
        assert "welcome to the Improvement and Innovation Portal" in welcome.text_seen
        assert "What makes a good suggestion" in answer.text_seen
        await asyncio.wait_for(stopping, 10)
    finally:
        await server.session.close()
        await runner.cleanup()


@sqlite_only
async def test_no_new_request_is_taken_once_shutdown_has_begun(
    database_url: str, connector: StandInConnector, clock
):
    connector.delay = 1.0
    server, runner = await start_bot(Settings(database_url=database_url), connector.url,
                                     clock=clock)
    try:
        turn = asyncio.create_task(server.post(personal_message("hi")))
        await connector.wait_for_arrivals(1)
        stopping = asyncio.create_task(runner.cleanup())
        await asyncio.sleep(0.1)

        async with aiohttp.ClientSession() as newcomer:
            with pytest.raises(aiohttp.ClientConnectionError):
                await newcomer.post(f"{server.url}/api/messages", json=personal_message("hi"))

        assert (await turn).status == 200
        await asyncio.wait_for(stopping, 10)
    finally:
        await server.session.close()
        await runner.cleanup()
