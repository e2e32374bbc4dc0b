"""When the Bot Connector misbehaves while the bot replies in a turn.

Replies in a turn go through the SDK's msrest client, which sends each reply with one POST
and never retries a POST: urllib3 2.x ignores msrest's `method_whitelist`, so only its default
idempotent methods (no POST) are retried, and 429 is not in msrest's retry list anyway. These
tests pin down what a person sees when that single attempt fails: the service still answers
Teams 200, the failure is logged once, and the next message works.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from support.activities import personal_message
from support.bot_server import BotServer, sqlite_only
from support.connector import BAD_GATEWAY, BLOCKED, TOO_MANY, Fault, StandInConnector
from support.logs import events

pytestmark = sqlite_only

CHAT = personal_message(None)["conversation"]["id"]
HELP = "What makes a good suggestion"
SORRY = "Sorry, something went wrong on my side"


async def known_person(bot: BotServer, connector: StandInConnector) -> int:
    """Megan has said hello before (so no welcome is due); returns requests so far."""
    await bot.post(personal_message("hi"))
    return len(await connector.wait_for(1))


def only_failure(logs, exception: str) -> dict:
    [failed] = events(logs, "turn.failed")
    assert failed["log_level"] == "error"
    assert type(failed["exc_info"]).__name__ == exception
    assert failed["conversation"] == CHAT
    return failed


@pytest.mark.turn_fails
@pytest.mark.parametrize("fault", [
    BAD_GATEWAY, Fault(503, {"Retry-After": "1"}), Fault(504), Fault(500),
], ids=["502", "503", "504", "500"])
async def test_a_server_error_loses_the_reply_and_the_person_gets_an_apology(
    bot: BotServer, connector: StandInConnector, logs, fault: Fault
):
    before = await known_person(bot, connector)
    connector.fail_next(fault)

    response = await bot.post(personal_message("help"))

    assert response.status == 200
    attempt, apology = (await connector.wait_for(before + 2))[before:]
    assert attempt.status == fault.status and HELP in attempt.text_seen
    assert apology.status == 200 and SORRY in apology.text_seen
    await asyncio.sleep(0.3)
    assert len(connector.received) == before + 2  # one attempt only: no retry of the reply
    only_failure(logs, "ErrorResponseException")
    assert events(logs, "turn.apology_failed") == []


@pytest.mark.turn_fails
async def test_throttling_is_not_waited_out_the_reply_is_lost(
    bot: BotServer, connector: StandInConnector, logs
):
    """429 with Retry-After: 1. The reply is not retried after a second; the apology goes at
    once and, the conversation being throttled still, is refused too."""
    before = await known_person(bot, connector)
    connector.fail_next(TOO_MANY, times=2)

    response = await bot.post(personal_message("help"))

    assert response.status == 200
    attempt, apology = (await connector.wait_for(before + 2))[before:]
    assert attempt.status == 429 and HELP in attempt.text_seen
    assert apology.status == 429 and SORRY in apology.text_seen
    assert connector.delivered[before:] == []  # Megan sees nothing at all
    await asyncio.sleep(1.2)  # past the Retry-After: still no second attempt
    assert len(connector.received) == before + 2
    only_failure(logs, "ErrorResponseException")
    [apology_failed] = events(logs, "turn.apology_failed")
    assert apology_failed["error"] == "ErrorResponseException"


@pytest.mark.turn_fails
async def test_a_person_who_blocked_the_bot_gets_nothing_and_the_bot_carries_on(
    bot: BotServer, connector: StandInConnector, logs
):
    before = await known_person(bot, connector)
    connector.fail_next(BLOCKED, times=2)  # the reply, then the apology

    response = await bot.post(personal_message("help"))

    assert response.status == 200
    assert [r.status for r in (await connector.wait_for(before + 2))[before:]] == [403, 403]
    only_failure(logs, "ErrorResponseException")
    assert len(events(logs, "turn.apology_failed")) == 1

    # Once unblocked, their next message is answered as usual.
    response = await bot.post(personal_message("help"))

    assert response.status == 200
    answer = (await connector.wait_for(before + 3))[-1]
    assert answer.status == 200 and HELP in answer.text_seen


@pytest.mark.turn_fails
@pytest.mark.parametrize("fault", [BAD_GATEWAY, TOO_MANY, BLOCKED], ids=["502", "429", "403"])
async def test_the_next_message_after_a_failure_is_answered(
    bot: BotServer, connector: StandInConnector, fault: Fault
):
    before = await known_person(bot, connector)
    connector.fail_next(fault)
    await bot.post(personal_message("help"))
    await connector.wait_for(before + 2)

    response = await bot.post(personal_message("feedback"))

    assert response.status == 200
    form = (await connector.wait_for(before + 3))[-1]
    assert form.status == 200
    assert "Feedback on the portal bot" in form.text_seen
    assert SORRY not in form.text_seen


@pytest.mark.turn_fails
async def test_a_lost_first_reply_loses_the_welcome_for_good(
    bot: BotServer, connector: StandInConnector
):
    """The address is stored before the welcome is sent, so if that send fails the person is
    no longer new at their next message and is never welcomed (current behaviour)."""
    connector.fail_next(BAD_GATEWAY)
    await bot.post(personal_message("help"))
    lost_welcome, apology = await connector.wait_for(2)
    assert "welcome to the Improvement and Innovation Portal" in lost_welcome.text_seen
    assert SORRY in apology.text_seen

    await bot.post(personal_message("help"))

    [answer] = (await connector.wait_for(3))[2:]
    assert HELP in answer.text_seen


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
