"""PostgreSQL goes away in the middle of a turn: what is answered, and that nothing is lost.

The bot reaches its database through a proxy that the test cuts, at the moment the bot sends a
chosen statement, or before the activity arrives. Teams redelivers an activity answered 5xx;
one answered 200 is gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support.activities import (
    BOT_ADDED_TO_TEAM,
    CARD_EXECUTE,
    CHANNEL_INSTALL,
    card_submit,
    personal_install,
    personal_message,
    teams_payload,
)
from support.bot_server import BotServer, serving
from support.connector import StandInConnector
from support.db_proxy import DatabaseProxy, database_proxy
from support.logs import events
from support.stored import stored

from bot.config import Settings

postgres_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
pytestmark = postgres_only

NOT_SAVED = "nothing you sent was saved. Please try again"
FEEDBACK = {"action": "feedback.send", "comment": "The form lost my words once; not again.",
            "rating": "4", "may_contact": "true"}
# Where a turn may lose its database: before it starts, while it records the sender's address,
# and after that, while it queues the welcome.
CUTS = [None, b"INSERT INTO conversation_addresses", b"INSERT INTO outbox"]
CUT_IDS = ["before-the-turn", "recording-the-address", "queueing-the-welcome"]


@pytest.fixture
async def proxy_and_bot(database_url: str, connector: StandInConnector, clock
                        ) -> AsyncIterator[tuple[DatabaseProxy, BotServer]]:
    async with database_proxy(database_url) as (proxy, proxied_url), \
            serving(Settings(database_url=proxied_url), connector.url, clock=clock) as bot:
        yield proxy, bot


def cut(proxy: DatabaseProxy, when: bytes | None) -> None:
    if when is None:
        proxy.cut()
    else:
        proxy.cut_when(when)


async def welcomes(connector: StandInConnector, conversation_id: str) -> list[str]:
    """The welcomes that reached the chat, after a moment for any duplicate to arrive."""
    await asyncio.sleep(0.3)
    return [r.text_seen for r in connector.sent_to(conversation_id)
            if "Welcome to the Improvement and Innovation Portal" in r.text_seen
            or "The Improvement and Innovation Portal is here" in r.text_seen]


@pytest.mark.parametrize("when", CUTS, ids=CUT_IDS)
async def test_an_install_is_answered_503_and_its_retry_welcomes_once(
    proxy_and_bot, connector: StandInConnector, engine: AsyncEngine, logs, when
):
    proxy, bot = proxy_and_bot
    install = personal_install()
    chat = install["conversation"]["id"]
    cut(proxy, when)

    refused = await bot.post(install)

    assert proxy.is_cut
    assert refused.status == 503
    assert refused.headers["Retry-After"]
    assert events(logs, "turn.database_unavailable")
    proxy.restore()
    retried = await bot.post(install)  # Teams sends it again
    assert retried.status == 200
    await connector.wait_for_conversation(chat, 1)
    assert len(await welcomes(connector, chat)) == 1
    saved = await stored(engine)
    assert saved.address(chat)["kind"] == "personal"
    assert [a["action"] for a in saved.audit_from_requests] == ["conversation.first_contact"]


@pytest.mark.parametrize("name", [BOT_ADDED_TO_TEAM, CHANNEL_INSTALL],
                         ids=["bot-added-to-team", "installation-update"])
async def test_a_team_install_is_answered_503_and_kept_by_its_retry(
    proxy_and_bot, connector: StandInConnector, engine: AsyncEngine, name: str
):
    proxy, bot = proxy_and_bot
    activity = teams_payload(name)
    channel = activity["conversation"]["id"]
    proxy.cut_when(b"INSERT INTO conversation_addresses")

    assert (await bot.post(activity)).status == 503

    proxy.restore()
    assert (await bot.post(activity)).status == 200
    assert (await stored(engine)).address(channel)["kind"] == "channel"
    expected = 1 if name == BOT_ADDED_TO_TEAM else 0  # an installationUpdate says nothing
    if expected:
        await connector.wait_for_conversation(channel, 1)
    assert len(await welcomes(connector, channel)) == expected


async def test_a_typed_message_is_told_it_was_not_saved(
    proxy_and_bot, connector: StandInConnector, engine: AsyncEngine
):
    proxy, bot = proxy_and_bot
    message = personal_message("I have an idea about the custody suite rota")
    proxy.cut()

    response = await bot.post(message)

    assert response.status == 200  # a person is waiting: they are told, not Teams
    [apology] = await connector.wait_for(1)
    assert NOT_SAVED in apology.text_seen
    assert "I have an idea about the custody suite rota" in apology.text_seen
    proxy.restore()
    assert (await stored(engine)).nothing_from_requests


async def test_feedback_comes_back_as_its_form_with_the_words_kept(
    proxy_and_bot, connector: StandInConnector, engine: AsyncEngine
):
    proxy, bot = proxy_and_bot
    chat = personal_message(None)["conversation"]["id"]
    await bot.post(personal_message("feedback"))  # welcome and the form
    await connector.wait_for_conversation(chat, 2)
    proxy.cut_when(b"INSERT INTO feedback")

    response = await bot.post(card_submit(FEEDBACK, reply_to="1:form-1"))

    assert response.status == 200
    form = (await connector.wait_for_conversation(chat, 3))[2]
    assert "your feedback was not saved" in form.text_seen
    assert form.inputs["comment"] == FEEDBACK["comment"]
    assert form.inputs["rating"] == "4"
    assert form.inputs["may_contact"] == "true"
    proxy.restore()
    assert (await stored(engine)).feedback == []

    # Sent again from that form once the database is back: stored, and thanked.
    await bot.post(card_submit(FEEDBACK, reply_to="1:form-1"))
    thanks = (await connector.wait_for_conversation(chat, 4))[3]
    assert "Thank you for your feedback" in thanks.text_seen
    [row] = (await stored(engine)).feedback
    assert row["comment"] == FEEDBACK["comment"]


async def test_a_button_press_is_answered_with_an_error_the_card_shows(proxy_and_bot):
    proxy, bot = proxy_and_bot
    proxy.cut()

    response = await bot.post(teams_payload(CARD_EXECUTE))

    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 500
    assert body["type"] == "application/vnd.microsoft.error"
    assert NOT_SAVED in body["value"]["message"]
