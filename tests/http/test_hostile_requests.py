"""Crafted requests that once crashed a turn or reached a 500: each now gets a clear answer.

Before authentication a body the bot cannot read is a 4xx. After it, card data and text are
checked where they become values: a reply that says what was wrong, never a failed turn (the
`logs` fixture fails any test whose turn failed) and never an HTTP 5xx (`never_a_server_error`).
"""

from __future__ import annotations

import json
import zlib

import pytest
from support.activities import personal_install, personal_message
from support.bot_server import BotServer, sqlite_only
from support.chat import Person
from support.connector import StandInConnector
from support.decisions import card_invoke, press_data, submit_idea
from support.organisation import ALEX
from support.stored import stored
from support.tables import rows

from bot.domain.lifecycle import Move
from storage import tables

HUGE_NUMBER = "9" * 5000


# Before authentication: the body itself

def nested(depth: int) -> bytes:
    return b'{"type": "message", "value": ' + b"[" * depth + b"]" * depth + b"}"


@sqlite_only
@pytest.mark.parametrize(("body", "headers", "status"), [
    (nested(50_000), {}, 400),
    (nested(200), {}, 400),
    (json.dumps(personal_message("help")).encode(), {"Content-Encoding": "gzip"}, 415),
    (json.dumps(personal_message("help")).encode(), {"Content-Encoding": "deflate"}, 415),
    (zlib.compress(json.dumps(personal_message("help")).encode()),
     {"Content-Encoding": "deflate"}, 415),
], ids=["nested-50000-deep", "nested-200-deep", "gzip-header-plain-body",
        "deflate-header-plain-body", "deflate-body"])
async def test_a_body_the_bot_cannot_read_is_a_4xx(
    bot: BotServer, connector: StandInConnector, body: bytes, headers: dict, status: int,
):
    response = await bot.post_raw(body, headers=headers)

    assert response.status == status
    assert "error" in await response.json()
    assert (await stored(bot.engine)).nothing_from_requests


# After authentication: values from Teams and from card data

def with_channel_data(**fields) -> dict:
    activity = personal_message("help")
    activity["channelData"] = {**activity["channelData"], **fields}
    return activity


def with_sender(**fields) -> dict:
    activity = personal_message("help")
    activity["from"] = {**activity["from"], **fields}
    return activity


TOO_LONG = "x" * 1000


@pytest.mark.parametrize(("activity", "reason"), [
    (with_channel_data(team={"id": 12345}), "channelData.team.id is not text"),
    (with_channel_data(tenant={"id": ["72f988bf-86f1-41af-91ab-2d7cd011db47"]}),
     "channelData.tenant.id is not text"),
    (with_sender(aadObjectId=42), "from.aadObjectId is not text"),
    (with_sender(name={"first": "Megan"}), "from.name is not text"),
    (personal_message("help", conversation={"id": "a:" + TOO_LONG}),
     "conversation.id is longer than 256 characters"),
    (with_sender(id="29:" + TOO_LONG), "from.id is longer than 200 characters"),
    (with_sender(aadObjectId=TOO_LONG), "from.aadObjectId is longer than 64 characters"),
    (with_sender(name=TOO_LONG), "from.name is longer than 200 characters"),
    (with_channel_data(team={"id": "19:" + TOO_LONG}),
     "channelData.team.id is longer than 256 characters"),
    (personal_message("help", replyToId=TOO_LONG), "replyToId is longer than 200 characters"),
    (personal_message("help", id=TOO_LONG), "id is longer than 128 characters"),
    (with_sender(name="Mal\x00lory"), "from.name holds control characters"),
    (with_channel_data(team="a team"), "channelData does not match the Teams schema"),
    (with_channel_data(onBehalfOf={"id": 1}), "channelData does not match the Teams schema"),
    (personal_message("help", channelData=["tenant"]), "channelData is not an object"),
], ids=["team-id-number", "tenant-id-list", "object-id-number", "name-object",
        "long-conversation", "long-from-id", "long-object-id", "long-name", "long-team-id",
        "long-reply-to", "long-activity-id", "nul-in-name", "team-not-an-object",
        "on-behalf-of-not-a-list", "channel-data-a-list"])
async def test_an_id_of_the_wrong_shape_or_length_is_refused_before_the_turn(
    bot: BotServer, connector: StandInConnector, activity: dict, reason: str,
):
    response = await bot.post(activity)

    assert response.status == 400
    assert (await response.json()) == {"error": f"the activity's {reason}"}
    assert (await stored(bot.engine)).nothing_from_requests
    assert connector.arrivals == 0


@sqlite_only
async def test_a_conversation_update_without_channel_data_is_refused(
    bot: BotServer, connector: StandInConnector,
):
    """The SDK's Teams handler reads a conversationUpdate's channelData: without one, the
    turn failed."""
    activity = personal_install()
    del activity["channelData"]

    response = await bot.post(activity)

    assert response.status == 400
    assert (await response.json()) == {"error": "the activity has no channelData"}
    assert connector.arrivals == 0


@pytest.mark.parametrize(("text", "answer"), [
    ("status IIP-2026-99999999999999999999", "My ideas"),
    ("withdraw IIP-2026-1234567890", "My ideas"),
    # Longer than any command: not read as one.
    (f"status IIP-2026-{HUGE_NUMBER}", "Sorry, I did not understand that."),
], ids=["twenty-digits", "ten-digits", "five-thousand-digits"])
async def test_a_reference_with_too_many_digits_is_not_one(
    bot: BotServer, connector: StandInConnector, text: str, answer: str,
):
    megan = Person(bot, connector)

    reply = await megan.one(text)

    assert answer in reply, reply.text


@pytest.mark.parametrize("page", [2**62, -2**62, 10**30, "2", 1.5, True, [1]])
async def test_a_forged_page_number_shows_a_real_page(
    bot: BotServer, connector: StandInConnector, page,
):
    megan = Person(bot, connector)
    await megan.say("hi")

    [reply] = await megan.send_value({"action": "ideas.list", "page": page})
    assert "My ideas" in reply, reply.text


@pytest.mark.parametrize("rating", [[1], {"value": "5"}, 5, True])
async def test_a_rating_that_is_not_one_offered_is_asked_again(
    bot: BotServer, connector: StandInConnector, rating,
):
    megan = Person(bot, connector)
    await megan.say("hi")

    [reply] = await megan.send_value({"action": "feedback.send", "rating": rating,
                                      "comment": "The bot is handy."})

    assert "Please choose one of the ratings offered." in reply, reply.text
    assert await rows(bot.engine, tables.feedback) == []


async def test_a_duplicate_of_with_thousands_of_digits_is_asked_again(
    bot: BotServer, connector: StandInConnector,
):
    idea = await submit_idea(bot.services)
    data = press_data(idea, Move.DECLINE_AT_TRIAGE, reason="duplicate",
                      duplicate_of=f"IIP-2026-{HUGE_NUMBER}", message="Already suggested.")

    response = await bot.post(card_invoke(Move.DECLINE_AT_TRIAGE.value, data, ALEX))

    assert response.status == 200
    body = await response.json()
    assert "Please give the reference of the original idea" in json.dumps(body)
    [stored_idea] = await rows(bot.engine, tables.ideas)
    assert stored_idea["status"] == "submitted"


@sqlite_only
@pytest.mark.parametrize("value", [{"anything": "at all"}, "text", [1, 2], None])
@pytest.mark.parametrize("name", ["composeExtension/query", "composeExtension/fetchTask",
                                  "task/fetch", "task/submit", "no/such/invoke",
                                  "signin/verifyState", "signin/tokenExchange", "config/fetch",
                                  "actionableMessage/executeAction", "healthCheck", ""])
async def test_an_invoke_the_bot_does_not_handle_gets_a_proper_answer(
    bot: BotServer, connector: StandInConnector, name: str, value,
):
    activity = card_invoke("approve", {}, ALEX)
    activity["name"] = name
    activity["value"] = value

    response = await bot.post(activity)

    assert response.status == 200, (response.status, await response.text())
    assert connector.arrivals == 0
