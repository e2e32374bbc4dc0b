"""When the Bot Connector misbehaves while the bot replies in a turn.

Replies go through our own sender (bot/channel/replies.py), not the SDK's msrest client,
which tried each reply once and never retried a POST. A passing fault or a throttle is
retried briefly, so the person still gets their answer; a refusal (403) is not retried and no
apology is pushed into a chat that refuses messages. In every case the service answers Teams
200, the failure is logged once, and the next message works.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from support.activities import personal_message
from support.bot_server import BotServer, sqlite_only
from support.connector import BAD_GATEWAY, BLOCKED, TOO_MANY, Fault, StandInConnector
from support.logs import events

from bot.channel.replies import RETRY_PAUSES

pytestmark = sqlite_only

CHAT = personal_message(None)["conversation"]["id"]
HELP = "What makes a good suggestion"
SORRY = "Sorry, something went wrong on my side"


async def known_person(bot: BotServer, connector: StandInConnector) -> int:
    """Megan has said hello before (so no welcome is due); returns requests so far."""
    await bot.post(personal_message("hi"))
    return len(await connector.wait_for(1))


@pytest.mark.parametrize("fault", [
    BAD_GATEWAY, Fault(503, {"Retry-After": "1"}), Fault(504), Fault(500), Fault(412),
], ids=["502", "503", "504", "500", "412"])
async def test_a_passing_server_error_is_retried_and_the_answer_arrives(
    bot: BotServer, connector: StandInConnector, logs, fault: Fault
):
    before = await known_person(bot, connector)
    connector.fail_next(fault)

    response = await bot.post(personal_message("help"))

    assert response.status == 200
    failed, answer = connector.received[before:]
    assert failed.status == fault.status and HELP in failed.text_seen
    assert answer.status == 200 and HELP in answer.text_seen
    assert SORRY not in "".join(r.text_seen for r in connector.received)
    [retrying] = events(logs, "reply.retrying")
    assert retrying["status"] == fault.status
    assert events(logs, "turn.failed") == events(logs, "turn.reply_failed") == []


async def test_throttling_is_waited_out_and_the_answer_arrives(
    bot: BotServer, connector: StandInConnector, logs
):
    """429 with Retry-After: 1. The reply waits that second, then goes."""
    before = await known_person(bot, connector)
    connector.fail_next(TOO_MANY)
    started = time.monotonic()

    response = await bot.post(personal_message("help"))

    assert response.status == 200
    assert time.monotonic() - started >= 1.0
    throttled, answer = connector.received[before:]
    assert throttled.status == 429 and answer.status == 200 and HELP in answer.text_seen
    assert events(logs, "reply.retrying")[0]["in_seconds"] == 1.0


@pytest.mark.turn_fails
async def test_a_fault_that_persists_gives_up_after_a_few_tries_with_an_apology(
    bot: BotServer, connector: StandInConnector, logs
):
    before = await known_person(bot, connector)
    connector.fail_next(BAD_GATEWAY, times=len(RETRY_PAUSES) + 1)

    response = await bot.post(personal_message("help"))

    assert response.status == 200
    *attempts, apology = connector.received[before:]
    assert [a.status for a in attempts] == [502] * (len(RETRY_PAUSES) + 1)
    assert apology.status == 200 and SORRY in apology.text_seen
    [failed] = events(logs, "turn.reply_failed")
    assert failed["conversation"] == CHAT and "502" in failed["reason"]


@pytest.mark.turn_fails
async def test_a_person_who_blocked_the_bot_gets_nothing_and_the_bot_carries_on(
    bot: BotServer, connector: StandInConnector, logs
):
    before = await known_person(bot, connector)
    connector.fail_next(BLOCKED)

    response = await bot.post(personal_message("help"))

    assert response.status == 200
    await asyncio.sleep(0.3)
    # One attempt: a refusal is not retried, and no apology is pushed at a blocked chat.
    assert [r.status for r in connector.received[before:]] == [403]
    [failed] = events(logs, "turn.reply_failed")
    assert "403" in failed["reason"]

    # Once unblocked, their next message is answered as usual.
    response = await bot.post(personal_message("help"))

    assert response.status == 200
    answer = (await connector.wait_for(before + 2))[-1]
    assert answer.status == 200 and HELP in answer.text_seen


@pytest.mark.turn_fails
@pytest.mark.parametrize("fault, tries", [
    (BAD_GATEWAY, len(RETRY_PAUSES) + 1), (TOO_MANY, len(RETRY_PAUSES) + 1), (BLOCKED, 1),
], ids=["502", "429", "403"])
async def test_the_next_message_after_a_failure_is_answered(
    bot: BotServer, connector: StandInConnector, fault: Fault, tries: int
):
    await known_person(bot, connector)
    connector.fail_next(fault, times=tries)
    await bot.post(personal_message("help"))

    response = await bot.post(personal_message("feedback"))

    assert response.status == 200
    form = connector.received[-1]
    assert form.status == 200
    assert "Feedback on the portal bot" in form.text_seen


async def test_a_passing_fault_on_the_first_reply_still_welcomes_the_person(
    bot: BotServer, connector: StandInConnector
):
    connector.fail_next(BAD_GATEWAY)

    await bot.post(personal_message("help"))

    delivered = [r.text_seen for r in connector.delivered]
    assert len(delivered) == 2
    assert "welcome to the Improvement and Innovation Portal" in delivered[0]
    assert HELP in delivered[1]


async def test_a_slow_connector_delays_the_answer_to_teams_but_loses_nothing(
    bot: BotServer, connector: StandInConnector
):
    """Teams' request is answered only once the reply has been accepted, so a connector that
    takes a second per send holds each turn's HTTP request open for that long."""
    before = await known_person(bot, connector)
    connector.delay = 1.0
    started = time.monotonic()

    response = await bot.post(personal_message("help"))

    elapsed = time.monotonic() - started
    assert response.status == 200
    assert 1.0 <= elapsed < 3.0
    [answer] = connector.delivered[before:]  # already there when Teams got its 200
    assert HELP in answer.text_seen


async def test_slow_sends_for_different_people_overlap(
    bot: BotServer, connector: StandInConnector
):
    """Each person's reply waits for the connector, not for other people's replies."""
    people = [personal_message("hi", conversation={"conversationType": "personal",
                                                   "id": f"a:person-{n}"}) for n in range(4)]
    for person in people:
        person["from"] = {**person["from"], "id": f"29:person-{people.index(person)}"}
    connector.delay = 1.0
    started = time.monotonic()

    responses = await asyncio.gather(*(bot.post(person) for person in people))

    assert [r.status for r in responses] == [200] * 4
    assert time.monotonic() - started < 2.5  # not 4 x 1 s one after another
    assert len(connector.delivered) == 4
