"""Stopping the service (a deploy, a scale-in) while a person's turn is still being answered."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import aiohttp
import pytest
from support.activities import personal_message
from support.bot_server import sqlite_only, start_bot
from support.connector import StandInConnector
from support.invokes import until

from bot.config import Settings
from bot.domain.campaigns import Audience, AudienceKind, CampaignRequest


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


async def test_the_campaign_pass_runs_as_the_service_starts_and_its_loops_stop_with_it(
    database_url: str, connector: StandInConnector, clock
):
    first, runner = await start_bot(Settings(database_url=database_url), connector.url,
                                    clock=clock)
    try:
        await first.post(personal_message("hi"))  # Megan has the app
        campaigns = first.services.campaigns
        campaign = await campaigns.create(CampaignRequest(
            name="Night shifts", theme="Shifts", description="Ideas for night shifts.",
            opens=date(2026, 11, 2), closes=date(2026, 12, 18),
            audience=Audience(AudienceKind.EVERYONE)), "system:test")
        await campaigns.schedule(campaign.id, clock.now() + timedelta(minutes=5),
                                 "system:test")
    finally:
        await first.session.close()
        await runner.cleanup()
    clock.advance(minutes=5)  # the service was down when the call was due

    server, runner = await start_bot(Settings(database_url=database_url), connector.url,
                                     clock=clock)
    try:
        # Due while the service was down (the first one could not have sent it yet): sent by
        # the pass the service makes as it starts.
        await until(lambda: any("Ideas for night shifts." in r.text_seen
                                for r in connector.received))
        # Stopping does not wait out the loops' 10 s between passes.
        await asyncio.wait_for(runner.cleanup(), 5)
    finally:
        await server.session.close()
        await runner.cleanup()
