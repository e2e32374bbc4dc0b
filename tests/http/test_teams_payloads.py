"""Every real Teams payload, POSTed to /api/messages, and what a person then sees."""

from __future__ import annotations

import asyncio

import pytest
from support.activities import (
    BOT_ADDED_TO_TEAM,
    CARD_EXECUTE,
    CHANNEL_INSTALL,
    CHANNEL_MENTION,
    MESSAGE_BACK,
    PERSONAL_INSTALL,
    fixture_names,
    personal_install,
    personal_message,
    teams_payload,
)
from support.bot_server import DEMO_ORGANISATION, BotServer, sqlite_only
from support.connector import StandInConnector
from support.stored import stored

from bot.services.organisation import read_organisation_file

WELCOME = "welcome to the Improvement and Innovation Portal"
INTRODUCTION = "The Improvement and Innovation Portal is here"  # a shared conversation's welcome
DID_NOT_UNDERSTAND = "Sorry, I did not understand that"
NO_LONGER_AVAILABLE = "That button belongs to a card I can no longer act on"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


async def nothing_more_sent(connector: StandInConnector, expected: int) -> None:
    """Give a stray send time to arrive, then check there was none beyond `expected`."""
    await asyncio.sleep(0.2)
    assert len(connector.received) == expected, [r.text_seen[:80] for r in connector.received]


@pytest.mark.parametrize("name", fixture_names())
async def test_every_payload_is_accepted_and_its_address_kept(
    bot: BotServer, connector: StandInConnector, name: str
):
    activity = teams_payload(name)

    response = await bot.post(activity)

    assert 200 <= response.status < 300, await response.text()
    saved = await stored(bot.engine)
    assert len(saved.addresses) == 1
    address = saved.addresses[0]
    assert address["tenant_id"] == activity["channelData"]["tenant"]["id"]
    assert ";messageid=" not in address["conversation_id"]
    assert address["service_url"] == connector.url
    assert address["bot_id"] == activity["recipient"]["id"]
    assert address["removed_at"] is None
    assert [a["action"] for a in saved.audit_from_requests] == ["conversation.first_contact"]


@sqlite_only
async def test_a_first_personal_message_is_welcomed_then_answered(
    bot: BotServer, connector: StandInConnector
):
    activity = personal_message("Hello Teams TestBot")  # the payload's own text

    response = await bot.post(activity)

    assert response.status == 200
    welcome, answer = await connector.wait_for(2)
    assert f"Hello Megan, {WELCOME}" in welcome.text_seen
    assert "Type **help** to see what I can do" in answer.text_seen
    for sent in (welcome, answer):
        assert sent.conversation_id == activity["conversation"]["id"]
        assert sent.path.endswith(f"/activities/{activity['id']}")  # a reply to the message
        assert sent.summary and sent.body["attachments"][0]["contentType"] == ADAPTIVE_CARD
    address = (await stored(bot.engine)).address(activity["conversation"]["id"])
    assert address["kind"] == "personal"
    assert address["tenant_id"] == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert address["object_id"] == "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"
    assert address["user_id"] == activity["from"]["id"]


async def test_help_shows_the_pmo_contact_of_the_loaded_organisation(
    bot: BotServer, connector: StandInConnector
):
    await bot.post(personal_message("hi"))
    await connector.wait_for(1)

    response = await bot.post(personal_message("Help!"))

    assert response.status == 200
    sent = await connector.wait_for(2)
    help_text = sent[1].text_seen
    assert "What makes a good suggestion" in help_text
    assert "Contact the PMO team" in help_text
    assert read_organisation_file(DEMO_ORGANISATION).pmo_contact in help_text
    await nothing_more_sent(connector, 2)  # no second welcome for someone already known


@sqlite_only
async def test_feedback_on_first_contact_shows_the_welcome_then_the_form(
    bot: BotServer, connector: StandInConnector
):
    response = await bot.post(personal_message("feedback"))

    assert response.status == 200
    welcome, form = await connector.wait_for(2)
    assert WELCOME in welcome.text_seen
    assert "Feedback on the portal bot" in form.text_seen
    assert set(form.inputs) == {"rating", "comment", "may_contact"}
    assert form.inputs["comment"] is None
    assert "Send feedback" in form.text_seen


@sqlite_only
async def test_a_channel_mention_is_answered_in_its_thread(
    bot: BotServer, connector: StandInConnector
):
    activity = teams_payload(CHANNEL_MENTION)  # "<at>ridotest</at> reply to thread"

    response = await bot.post(activity)

    assert response.status == 200
    sent = await connector.wait_for(2)
    assert INTRODUCTION in sent[0].text_seen
    assert DID_NOT_UNDERSTAND in sent[1].text_seen
    for reply in sent:  # in the thread the mention started, not a new post
        assert reply.conversation_id == activity["conversation"]["id"]
        assert reply.path.endswith(f"/activities/{activity['id']}")
    channel_id = "19:6848757105754c8981c67612732d9aa7@thread.tacv2"
    address = (await stored(bot.engine)).address(channel_id)
    assert address["kind"] == "channel"
    assert address["team_id"] == activity["channelData"]["team"]["id"]
    assert address["tenant_id"] == "50612dbb-0237-4969-b378-8d42590f9c00"
    assert address["object_id"] is None and address["user_id"] is None  # a channel is shared


@sqlite_only
async def test_the_mention_is_not_read_as_part_of_the_command(
    bot: BotServer, connector: StandInConnector
):
    activity = teams_payload(CHANNEL_MENTION)
    activity["text"] = "<at>ridotest</at> help"

    response = await bot.post(activity)

    assert response.status == 200
    sent = await connector.wait_for(2)
    assert "What makes a good suggestion" in sent[1].text_seen


@sqlite_only
async def test_adding_the_bot_to_a_team_posts_the_channel_welcome(
    bot: BotServer, connector: StandInConnector
):
    activity = teams_payload(BOT_ADDED_TO_TEAM)

    response = await bot.post(activity)

    assert response.status == 200
    [posted] = await connector.wait_for(1)
    assert INTRODUCTION in posted.text_seen
    assert posted.summary == "The Improvement and Innovation Portal has been added to this team"
    assert posted.conversation_id == "19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2"
    await nothing_more_sent(connector, 1)
    address = (await stored(bot.engine)).address(posted.conversation_id)
    assert address["kind"] == "channel"
    assert address["team_id"] == "19:zFLSDFWsesfzcmKArqKJ-65aOXJz@sgf462H2wz41@thread.tacv2"
    assert address["tenant_id"] == "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f"


async def test_installing_the_app_for_a_person_welcomes_them_once(
    bot: BotServer, connector: StandInConnector
):
    install = personal_install()

    response = await bot.post(install)

    assert response.status == 200
    [welcome] = await connector.wait_for(1)
    assert "Welcome to the Improvement and Innovation Portal" in welcome.text_seen
    assert welcome.conversation_id == install["conversation"]["id"]

    # Their first message in that chat is answered without a second welcome.
    await bot.post(personal_message("help", conversation=install["conversation"]))
    sent = await connector.wait_for(2)
    assert "What makes a good suggestion" in sent[1].text_seen
    await nothing_more_sent(connector, 2)
    # Nobody was looked up on the Bot Connector (the SDK would GET each added member).
    assert [r.method for r in connector.received] == ["POST", "POST"]


@sqlite_only
async def test_the_documented_personal_install_with_placeholder_ids_sends_nothing(
    bot: BotServer, connector: StandInConnector
):
    """Verbatim, the doc's recipient id ("28:<BOT ID>") is not the bot member it adds
    ("28:f5d48856-..."), so the bot does not see itself added: it stays quiet, and still
    records the chat."""
    response = await bot.post(teams_payload(PERSONAL_INSTALL))

    assert response.status == 200
    await nothing_more_sent(connector, 0)
    assert (await stored(bot.engine)).address("***")["kind"] == "personal"


@sqlite_only
async def test_a_channel_install_records_the_channel_and_says_nothing(
    bot: BotServer, connector: StandInConnector
):
    activity = teams_payload(CHANNEL_INSTALL)

    response = await bot.post(activity)

    assert response.status == 200
    await nothing_more_sent(connector, 0)
    saved = await stored(bot.engine)
    address = saved.address("19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2")
    assert address["kind"] == "channel"
    assert address["team_id"] == activity["channelData"]["team"]["id"]
    assert address["tenant_id"] == "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f"
    assert [a["action"] for a in saved.audit_from_requests] == ["conversation.first_contact"]


@sqlite_only
async def test_a_message_back_without_a_card_action_is_read_as_typed_text(
    bot: BotServer, connector: StandInConnector
):
    """Its `value` ({"property": ...}) names no card action, so its text is what counts."""
    activity = teams_payload(MESSAGE_BACK)

    response = await bot.post(activity)

    assert response.status == 200
    sent = await connector.wait_for(2)
    assert INTRODUCTION in sent[0].text_seen
    assert DID_NOT_UNDERSTAND in sent[1].text_seen
    # The payload names no conversationType; its channelData says it is a channel thread.
    address = (await stored(bot.engine)).address("19:malejcou081i20ojmlcau0@thread.skype")
    assert address["kind"] == "channel"
    assert address["team_id"] == "19:12d021jdoijsaeoaue0u@thread.skype"


@sqlite_only
async def test_an_unknown_universal_action_is_answered_with_a_replacement_card(
    bot: BotServer, connector: StandInConnector
):
    activity = teams_payload(CARD_EXECUTE)  # Action.Execute with no verb the bot knows

    response = await bot.post(activity)

    assert response.status == 200
    assert response.content_type == "application/json"
    body = await response.json()
    assert body["statusCode"] == 200
    assert body["type"] == ADAPTIVE_CARD
    card = body["value"]
    assert card["type"] == "AdaptiveCard"
    assert NO_LONGER_AVAILABLE in str(card)
    await nothing_more_sent(connector, 0)  # the answer is the invoke response, not a message
    address = (await stored(bot.engine)).address(activity["conversation"]["id"])
    assert address["object_id"] == "c5e99701-2a32-49c1-a660-4629ceeb8c61"
    assert address["tenant_id"] == "56653e9d-2158-46ee-90d7-675c39642038"
