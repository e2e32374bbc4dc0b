"""What is not a Teams activity is refused at the door: a 4xx, nothing stored, one log line."""

from __future__ import annotations

import json

import pytest
from support.activities import BOT_ADDED_TO_TEAM, CARD_EXECUTE, personal_message, teams_payload
from support.bot_server import BotServer, sqlite_only
from support.connector import StandInConnector
from support.logs import events
from support.stored import stored

pytestmark = sqlite_only


def without(field: str) -> bytes:
    activity = personal_message("help", serviceUrl="http://127.0.0.1:9/")
    del activity[field]
    return json.dumps(activity).encode()


def with_fields(**fields) -> bytes:
    activity = personal_message("help", serviceUrl="http://127.0.0.1:9/")
    activity.update(fields)
    return json.dumps(activity).encode()


def team_added_with_team_id(team_id: str) -> bytes:
    activity = teams_payload(BOT_ADDED_TO_TEAM)
    activity["serviceUrl"] = "http://127.0.0.1:9/"
    activity["channelData"]["team"]["id"] = team_id
    return json.dumps(activity).encode()


# Found by the fuzz (test_messages_fuzz): a team id holding a lone surrogate, once stored,
# failed the turn.
LONE_SURROGATE_IN_A_TEAM_ID = team_added_with_team_id("19:\udfffzFLSDFWsesfzcmKArqKJ@thread.tacv2")
OVER_256_KB = with_fields(text="x" * (256 * 1024))

REFUSALS = [
    # (id, body, content type, status, reason logged)
    ("not-json", b"{not json", "application/json", 400, "the body is not JSON"),
    ("empty-body", b"", "application/json", 400, "the body is not JSON"),
    ("not-utf-8", b'{"type": "message\xff"}', "application/json", 400, "the body is not JSON"),
    ("json-list", b"[1, 2]", "application/json", 400, "the body is not a JSON object"),
    ("json-string", b'"help"', "application/json", 400, "the body is not a JSON object"),
    ("json-null", b"null", "application/json", 400, "the body is not a JSON object"),
    ("text-plain", with_fields(), "text/plain", 415, "expected application/json"),
    ("unknown-charset", b"\x00", "application/json; charset=no-such-charset", 415,
     "expected JSON in UTF-8"),
    ("latin-1-charset", with_fields(), "application/json; charset=latin-1", 415,
     "expected JSON in UTF-8"),
    ("form-encoded", b"type=message", "application/x-www-form-urlencoded", 415,
     "expected application/json"),
    ("no-content-type", with_fields(), None, 415, "expected application/json"),
    ("over-256-kb", OVER_256_KB, "application/json", 413, "the body is larger than 256 KB"),
    ("unknown-type", with_fields(type="poke"), "application/json", 400,
     "unsupported activity type 'poke'"),
    ("no-type", without("type"), "application/json", 400, "the activity has no type"),
    ("no-from", without("from"), "application/json", 400, "the activity has no from.id"),
    ("no-conversation", without("conversation"), "application/json", 400,
     "the activity has no conversation.id"),
    ("no-recipient", without("recipient"), "application/json", 400,
     "the activity has no recipient.id"),
    ("empty-from-id", with_fields(**{"from": {"id": ""}}), "application/json", 400,
     "the activity has no from.id"),
    ("no-service-url", without("serviceUrl"), "application/json", 400,
     "the activity has no serviceUrl"),
    ("odd-service-url", with_fields(serviceUrl="file:///etc/passwd"), "application/json", 400,
     "the activity has no serviceUrl"),
    ("no-channel-id", with_fields(channelId=None), "application/json", 400,
     "the activity has no channelId"),
    ("lone-surrogate-in-an-id", LONE_SURROGATE_IN_A_TEAM_ID, "application/json", 400,
     "the activity holds text that is not Unicode (a lone surrogate)"),
    ("lone-surrogate-in-text", with_fields(text="help \udfff"), "application/json", 400,
     "the activity holds text that is not Unicode (a lone surrogate)"),
    # Found by the fuzz: the SDK read the id of each member added, and a null one failed
    # the turn.
    ("null-member-added", with_fields(type="conversationUpdate", membersAdded=[None]),
     "application/json", 400, "the activity's membersAdded is not a list of members with ids"),
    ("member-removed-without-id", with_fields(type="conversationUpdate",
                                              membersRemoved=[{"name": "Megan"}]),
     "application/json", 400, "the activity's membersRemoved is not a list of members with ids"),
    ("bad-timestamp", with_fields(timestamp="yesterday"), "application/json", 400,
     "the activity does not match the Bot Framework schema"),
    ("entities-not-a-list", with_fields(entities="x"), "application/json", 400,
     "the activity does not match the Bot Framework schema"),
]


@pytest.mark.parametrize(("body", "content_type", "status", "reason"),
                         [pytest.param(*case[1:], id=case[0]) for case in REFUSALS])
async def test_a_request_that_is_not_an_activity_is_refused(
    bot: BotServer, connector: StandInConnector, logs,
    body: bytes, content_type: str | None, status: int, reason: str,
):
    response = await bot.post_raw(body, content_type=content_type)

    assert response.status == status
    assert (await response.json()) == {"error": reason}
    refused = events(logs, "request.refused")
    assert len(refused) == 1
    assert refused[0]["status"] == status
    assert refused[0]["reason"] == reason
    assert refused[0]["log_level"] == "warning"
    assert len([e for e in logs if e.get("log_level") in ("warning", "error")]) == 1
    assert (await stored(bot.engine)).nothing_from_requests
    assert connector.arrivals == 0


async def test_the_service_still_answers_after_refusing(
    bot: BotServer, connector: StandInConnector
):
    await bot.post_raw(b"{not json")
    await bot.post_raw(OVER_256_KB)

    response = await bot.post(personal_message("help"))

    assert response.status == 200
    sent = await connector.wait_for(2)
    assert "What makes a good suggestion" in sent[1].text_seen


async def test_a_body_just_under_the_limit_is_accepted(
    bot: BotServer, connector: StandInConnector
):
    activity = personal_message("")
    activity["text"] = "x" * (250 * 1024)

    response = await bot.post(activity)

    assert response.status == 200


@pytest.mark.parametrize("value", [
    None,
    {"trigger": "manual"},
    {"action": {"type": "Action.Submit", "data": {}}},
    "not an object",
], ids=["no-value", "no-action", "not-execute", "string"])
async def test_a_malformed_card_invoke_gets_the_sdk_error_answer_not_a_crash(
    bot: BotServer, connector: StandInConnector, value
):
    """Answered before the turn, which would first record the conversation (the fuzz found
    "no-action" storing a first contact)."""
    activity = teams_payload(CARD_EXECUTE)
    activity["value"] = value

    response = await bot.post(activity)

    assert response.status == 400
    body = await response.json()
    assert body["statusCode"] == 400
    assert body["type"] == "application/vnd.microsoft.error"
    assert body["value"]["code"] in ("BadRequest", "NotSupported")
    assert body["value"]["message"]
    assert connector.arrivals == 0
    assert (await stored(bot.engine)).nothing_from_requests
