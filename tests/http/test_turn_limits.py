"""One person sending far faster than a person types: a polite answer, nothing stored, one log
line; everyone else is served as usual."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from support.activities import CARD_EXECUTE, personal_install, teams_payload
from support.bot_server import BotServer, serving
from support.chat import Person
from support.connector import StandInConnector
from support.logs import events
from support.stored import stored

from bot.config import Settings

SLOW_DOWN = "You are sending messages faster than I can take them in"
THANKS = "Thank you for your feedback"
FEEDBACK = {"action": "feedback.send", "comment": "Flooding the PMO.", "rating": "4"}
BURST = 3


@pytest.fixture
async def limited_bot(database_url: str, connector: StandInConnector, clock
                      ) -> AsyncIterator[BotServer]:
    """The bot with a tight limit: three turns, then one a minute (the test takes seconds)."""
    settings = Settings(database_url=database_url, turns_per_minute=1, turn_burst=BURST)
    async with serving(settings, connector.url, clock=clock, limit_turns=True) as server:
        yield server


async def test_a_feedback_flood_is_answered_once_and_not_stored(
    limited_bot: BotServer, connector: StandInConnector, logs
):
    script = Person(limited_bot, connector)
    admitted = [await script.send_value({**FEEDBACK, "comment": f"Flood {n}"}, f"1:form-{n}")
                for n in range(BURST)]
    assert all(THANKS in reply for [reply] in admitted)
    audit_before = len((await stored(limited_bot.engine)).audit)

    refused = await script.send_value({**FEEDBACK, "comment": "Flood 3"}, "1:form-3")
    quiet = [await script.send_value({**FEEDBACK, "comment": f"Flood {n}"}, f"1:form-{n}")
             for n in range(4, 10)]

    [answer] = refused
    assert SLOW_DOWN in answer
    assert quiet == [[]] * 6  # told once; the rest are set aside without a word
    saved = await stored(limited_bot.engine)
    assert [row["comment"] for row in saved.feedback] == [f"Flood {n}" for n in range(BURST)]
    assert len(saved.audit) == audit_before
    [line] = events(logs, "turn.limited")
    assert line["sender"] == script.object_id


async def test_someone_else_is_served_while_one_person_is_held_back(
    limited_bot: BotServer, connector: StandInConnector
):
    script = Person(limited_bot, connector)
    for _ in range(BURST + 1):
        await script.say("help")

    colleague = Person(limited_bot, connector, object_id="c0ffee00-0000-4000-8000-000000000001",
                       name="Adele Vance")
    assert "What makes a good suggestion" in await colleague.one("help")
    assert SLOW_DOWN in script.last


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_button_press_over_the_limit_gets_an_error_the_card_shows(
    limited_bot: BotServer, connector: StandInConnector
):
    press = teams_payload(CARD_EXECUTE)
    for _ in range(BURST):
        await limited_bot.post(press)

    responses = [await limited_bot.post(press) for _ in range(2)]

    for response in responses:  # an invoke is answered every time
        assert response.status == 200
        body = await response.json()
        assert (body["statusCode"], body["type"]) == (429, "application/vnd.microsoft.error")
        assert SLOW_DOWN in body["value"]["message"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_installs_are_never_limited(limited_bot: BotServer, connector: StandInConnector):
    install = personal_install()
    chat = install["conversation"]["id"]
    for n in range(BURST + 2):  # Teams, not the person, sends these
        response = await limited_bot.post({**install, "id": f"f:install-{n}"})
        assert response.status == 200

    await connector.wait_for_conversation(chat, BURST + 2)
    await asyncio.sleep(0.2)
    assert not [r for r in connector.sent_to(chat) if SLOW_DOWN in r.text_seen]
