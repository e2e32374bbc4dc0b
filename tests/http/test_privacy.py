"""A person's own business stays in their 1:1 chat: in a team channel (or a group chat) the bot
answers only help, the welcome and the feedback form; anything personal gets one short card in
the thread and the next step in the person's 1:1 chat. And the ways in, by role."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support.activities import personal_install
from support.bot_server import BotServer, sqlite_only
from support.chat import ChannelMember, Person, Reply, seed_idea
from support.connector import Received, StandInConnector
from support.decisions import card_invoke
from support.organisation import ALEX, MEGAN
from support.stored import stored
from support.tables import count, rows

from cards.decisions import REFRESH_VERB
from storage import tables

PRIVATE = "Let's do that in private"
CARRY_ON = "Let's carry on here"
FIRST_QUESTION = "Give your idea a short title"
SECRET_TITLE = "Rota swaps for the Tuesday late shift"  # what must never reach the channel
CONTRIBUTOR = "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"  # a person with no role


def alex_in_channel(bot: BotServer, connector: StandInConnector) -> ChannelMember:
    return ChannelMember(bot, connector, object_id=ALEX, name="Alex Wilber")


def megan_in_channel(bot: BotServer, connector: StandInConnector) -> ChannelMember:
    return ChannelMember(bot, connector, object_id=MEGAN, name="Megan Bowen")


async def private_chat_of(bot: BotServer, object_id: str) -> str:
    """The 1:1 chat the outbox opened (or found) for `object_id`."""
    personal = [a for a in (await stored(bot.engine)).addresses
                if a["kind"] == "personal" and a["object_id"] == object_id]
    assert len(personal) == 1, personal
    return personal[0]["conversation_id"]


async def messages_in_private(bot: BotServer, connector: StandInConnector, object_id: str,
                              expected: int) -> list[Received]:
    """The "carry on here" messages the outbox sent to `object_id`'s 1:1 chat, once `expected`
    of them are sent."""
    async def sent() -> int:
        return await count(bot.engine, tables.outbox, tables.outbox.c.object_id == object_id,
                           tables.outbox.c.dedupe_key.startswith("private:"),
                           tables.outbox.c.state == "sent")

    async with asyncio.timeout(5):
        while True:
            if await sent() >= expected:
                break
            await asyncio.sleep(0.02)
    return [r for r in connector.sent_to(await private_chat_of(bot, object_id))
            if CARRY_ON in r.text_seen]


def said_in(connector: StandInConnector, conversation_id: str) -> str:
    return "\n".join(r.text_seen for r in connector.sent_to(conversation_id))


@sqlite_only
@pytest.mark.parametrize("typed", ["new idea", "my ideas", "status IIP-2026-0001",
                                   "withdraw IIP-2026-0001", "my profile", "my queue",
                                   "triage", "search custody handovers"])
async def test_a_personal_command_in_a_channel_is_moved_to_the_1_1_chat(
    bot: BotServer, connector: StandInConnector, typed: str
):
    alex = alex_in_channel(bot, connector)
    await seed_idea(bot, alex, SECRET_TITLE)

    [reply] = await alex.say(typed)

    assert PRIVATE in reply
    assert reply.received.conversation_id == alex.conversation_id  # in the thread
    thread = said_in(connector, alex.conversation_id)
    for personal in (SECRET_TITLE, "IIP-2026-0001", "Alex", FIRST_QUESTION, "About you"):
        assert personal not in thread
    assert await count(bot.engine, tables.idea_drafts) == 0  # no draft started there
    [private] = await messages_in_private(bot, connector, ALEX, 1)
    assert CARRY_ON in private.text_seen
    audit = [a for a in (await stored(bot.engine)).audit_from_requests
             if a["action"] == "conversation.moved_to_private"]
    assert [(a["actor"], a["subject"]) for a in audit] == [
        (ALEX, "19:6848757105754c8981c67612732d9aa7@thread.tacv2")]


async def test_two_people_in_one_thread_never_share_a_submission_and_nothing_is_posted(
    bot: BotServer, connector: StandInConnector
):
    alex, megan = alex_in_channel(bot, connector), megan_in_channel(bot, connector)

    [to_alex] = await alex.say("new idea")
    [to_megan] = await megan.say("Digital pocket notebooks")  # would answer Alex's question
    [again] = await alex.say("Digital pocket notebooks")
    [pressed] = await megan.send_value({"action": "ideas.list"})  # a My ideas button

    assert PRIVATE in to_alex and PRIVATE in pressed
    assert "did not understand" in to_megan and "did not understand" in again
    assert await count(bot.engine, tables.idea_drafts) == 0
    assert FIRST_QUESTION not in said_in(connector, alex.conversation_id)
    # Each is told in their own 1:1 chat, with the step they asked for.
    [alex_private] = await messages_in_private(bot, connector, ALEX, 1)
    [megan_private] = await messages_in_private(bot, connector, MEGAN, 1)
    assert alex_private.conversation_id != megan_private.conversation_id
    assert "New idea" in Reply(alex_private).buttons
    assert "My ideas" in Reply(megan_private).buttons
    # The next step works there: Alex starts his idea in private.
    alex_alone = Person(bot, connector, object_id=ALEX, name="Alex Wilber",
                        tenant_id=alex.tenant_id, conversation_id=alex_private.conversation_id)
    question = await alex_alone.one_press(Reply(alex_private), "New idea")
    assert FIRST_QUESTION in question


async def test_asking_again_does_not_send_the_1_1_message_again(
    bot: BotServer, connector: StandInConnector
):
    alex = alex_in_channel(bot, connector)

    for _ in range(3):
        [reply] = await alex.say("my ideas")
        assert PRIVATE in reply

    assert await count(bot.engine, tables.outbox, tables.outbox.c.object_id == ALEX,
                       tables.outbox.c.dedupe_key.startswith("private:")) == 1


@sqlite_only
async def test_help_and_feedback_are_answered_in_the_channel_without_role_buttons(
    bot: BotServer, connector: StandInConnector
):
    alex = alex_in_channel(bot, connector)  # PMO and a business lead

    help_reply = await alex.one("help")
    form = await alex.one("feedback")

    assert "What makes a good suggestion" in help_reply
    assert "Triage" not in help_reply.buttons and "My queue" not in help_reply.buttons
    assert "Feedback on the portal bot" in form
    thanks = await alex.one_press(form, "Send feedback", rating="5", comment="Handy")
    assert "Thank you" in thanks
    assert await count(bot.engine, tables.outbox,
                       tables.outbox.c.dedupe_key.startswith("private:")) == 0


@sqlite_only
async def test_the_first_mention_in_a_channel_introduces_the_bot_not_a_personal_welcome(
    bot: BotServer, connector: StandInConnector
):
    alex = alex_in_channel(bot, connector)

    await alex.say("help")

    introduction, _help = connector.sent_to(alex.conversation_id)
    assert "The Improvement and Innovation Portal is here" in introduction.text_seen
    assert "1:1 chat" in introduction.text_seen and "new idea" in introduction.text_seen
    assert "Alex" not in introduction.text_seen


@sqlite_only
async def test_a_card_refresh_from_a_channel_shows_nothing_of_the_idea(
    bot: BotServer, connector: StandInConnector
):
    pat = Person(bot, connector, object_id=CONTRIBUTOR, name="Pat")
    reference = await seed_idea(bot, pat, SECRET_TITLE)
    [idea] = await rows(bot.engine, tables.ideas, tables.ideas.c.reference == reference)
    invoke = card_invoke(REFRESH_VERB, {"action": REFRESH_VERB, "idea": idea["id"]}, ALEX)
    channel = alex_in_channel(bot, connector)._channel_activity()
    invoke.update(conversation=channel["conversation"], channelData=channel["channelData"])

    response = await bot.post(invoke)

    assert response.status == 200
    card: dict[str, Any] = (await response.json())["value"]
    assert SECRET_TITLE not in str(card) and reference not in str(card)
    assert PRIVATE in str(card)


# The ways in: welcome, help and the unknown-text reply


def button_titles(reply: Reply) -> list[str]:
    return [a.get("title", "") for a in reply.card.get("actions", [])]


@pytest.mark.parametrize(("object_id", "expected"), [
    (ALEX, ["New idea", "My ideas", "My queue", "Triage"]),  # PMO and a business lead
    (MEGAN, ["New idea", "My ideas", "My queue"]),  # a business lead
    (CONTRIBUTOR, ["New idea", "My ideas"]),
])
async def test_the_welcome_on_install_offers_the_ways_in_by_role(
    bot: BotServer, connector: StandInConnector, object_id: str, expected: list[str]
):
    install = personal_install()
    install["from"]["aadObjectId"] = object_id

    await bot.post(install)

    [welcome] = await connector.wait_for(1)
    assert "Welcome to the Improvement and Innovation Portal" in welcome.text_seen
    assert button_titles(Reply(welcome)) == [*expected, "How it works", "Give feedback"]


@sqlite_only
async def test_the_welcome_buttons_start_an_idea_list_ideas_and_open_the_queues(
    bot: BotServer, connector: StandInConnector
):
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")
    await alex.say("hi")  # (the Person leaves welcomes out of its replies)
    [welcome] = [Reply(r) for r in connector.sent_to(alex.conversation_id)]

    assert "New idea" in welcome.buttons
    assert FIRST_QUESTION in await alex.one_press(welcome, "New idea")
    await alex.one("cancel")
    assert "You have not submitted any ideas yet" in await alex.one_press(welcome, "My ideas")
    queue = await alex.one_press(welcome, "My queue")
    triage = await alex.one_press(welcome, "Triage")
    for card in (queue, triage):
        assert "Only for the PMO" not in card and "awaiting" in card.text.lower()


@sqlite_only
async def test_help_offers_the_ways_in_by_role(bot: BotServer, connector: StandInConnector):
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")
    pat = Person(bot, connector, object_id=CONTRIBUTOR, name="Pat")

    alex_help = await alex.one("help")
    pat_help = await pat.one("help")

    assert {"New idea", "My ideas", "My queue", "Triage"} <= set(button_titles(alex_help))
    assert {"New idea", "My ideas"} <= set(button_titles(pat_help))
    assert not {"My queue", "Triage"} & set(button_titles(pat_help))


@sqlite_only
async def test_a_staff_button_pressed_by_a_contributor_is_a_polite_no(
    bot: BotServer, connector: StandInConnector
):
    pat = Person(bot, connector, object_id=CONTRIBUTOR, name="Pat")

    reply = await pat.one_value({"action": "staff.triage"})

    assert "PMO" in reply.text and "my ideas" in reply.text


@sqlite_only
async def test_the_unknown_text_reply_offers_a_new_idea(
    bot: BotServer, connector: StandInConnector
):
    pat = Person(bot, connector, object_id=CONTRIBUTOR, name="Pat")

    reply = await pat.one("what is this?")

    assert "did not understand" in reply
    assert FIRST_QUESTION in await pat.one_press(reply, "New idea")


async def test_a_place_in_the_submission_belongs_to_the_person_not_the_conversation(
    bot: BotServer, connector: StandInConnector
):
    """Dialog state is kept per person and conversation: two people whose messages name one
    conversation never continue each other's submission."""
    pat = Person(bot, connector, object_id=CONTRIBUTOR, name="Pat")
    other = Person(bot, connector, object_id=MEGAN, name="Megan Bowen",
                   conversation_id=pat.conversation_id)

    assert FIRST_QUESTION in await pat.one("new idea")
    to_other = await other.one("Digital pocket notebooks")
    to_pat = await pat.one("Digital pocket notebooks")

    assert "did not understand" in to_other
    assert "step 2 of" in to_pat.text  # Pat's title was taken: on to the problem
