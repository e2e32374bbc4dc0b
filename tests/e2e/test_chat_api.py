"""A person's first conversations with the bot, through the Teams Playground's own API.

The Playground sends the bot real Teams activities and hosts the connector its replies go to;
these tests do what its chat page does (install, type, press a button) without a browser,
and read what the bot sends from the page's WebSocket stream.
"""

from __future__ import annotations

import tomllib

import aiohttp
import pytest
from support.bot_server import DEMO_ORGANISATION
from support.playground_client import BotMessage, PlaygroundClient
from support.playground_stack import Stack

pytestmark = pytest.mark.e2e

ALEX_OBJECT_ID = "00000000-0000-0000-0000-0000000000020"
HELP_HEADING = "How the Improvement and Innovation Portal works"
FORM_HEADING = "Feedback on the portal bot"


def problems_on(card: BotMessage) -> list[str]:
    """The texts a card shows in its warning colour."""
    return [e.get("text", "") for e in card.card.get("body", []) if e.get("color") == "Attention"]


async def test_the_current_user_is_the_one_the_demo_organisation_names(chat: PlaygroundClient):
    assert chat.current_user.aad_object_id == ALEX_OBJECT_ID
    assert chat.current_user.name == "Alex Wilber"


async def test_installing_the_app_welcomes_the_person(chat: PlaygroundClient):
    await chat.install()

    welcome = await chat.card_headed("Welcome")

    assert welcome.conversation_id == chat.personal_chat_id
    assert "Improvement and Innovation Portal" in welcome.heading
    assert "**help**" in welcome.text_seen and "**feedback**" in welcome.text_seen
    assert [a["title"] for a in welcome.card["actions"]] == [
        "New idea", "My ideas", "My queue", "Triage", "How it works", "Give feedback"]


async def test_help_explains_the_portal_and_gives_the_pmo_contact(chat: PlaygroundClient):
    contact = tomllib.loads(DEMO_ORGANISATION.read_text(encoding="utf-8"))["pmo"]["contact"]

    await chat.say("help")

    card = await chat.card_headed(HELP_HEADING)
    assert "What makes a good suggestion" in card.text_seen
    assert contact in card.text_seen
    titles = [a["title"] for a in card.card["actions"]]
    assert titles == ["New idea", "My ideas", "My queue", "Triage",
                      "Frequently asked questions", "Give feedback"]


async def test_feedback_is_thanked_and_stored_as_from_the_person_who_sent_it(
    chat: PlaygroundClient, stack: Stack
):
    await chat.say("feedback")
    form = await chat.card_headed(FORM_HEADING)
    assert set(form.inputs) == {"rating", "comment", "may_contact"}

    await chat.press(form, "Send feedback", {
        "rating": "4", "comment": "The help card answered my question.", "may_contact": "true",
    })

    thanks = await chat.card_headed("Thank you for your feedback")
    assert thanks.conversation_id == chat.personal_chat_id
    stored = [row for row in stack.feedback_rows() if row["card_id"] == form.message_id]
    assert len(stored) == 1
    row = stored[0]
    assert row["author_object_id"] == chat.current_user.aad_object_id == ALEX_OBJECT_ID
    assert row["comment"] == "The help card answered my question."
    assert row["rating"] == "4"
    assert row["may_contact"] == 1


async def test_pressing_send_twice_stores_the_feedback_once(
    chat: PlaygroundClient, stack: Stack
):
    await chat.say("feedback")
    form = await chat.card_headed(FORM_HEADING)
    answers = {"rating": "", "comment": "Sent with a double tap.", "may_contact": "false"}

    await chat.press(form, "Send feedback", answers)
    await chat.card_headed("Thank you for your feedback")
    await chat.press(form, "Send feedback", answers)
    await chat.card_headed("Thank you for your feedback")

    stored = [row for row in stack.feedback_rows() if row["card_id"] == form.message_id]
    assert len(stored) == 1
    assert stored[0]["rating"] is None and stored[0]["may_contact"] == 0


async def test_an_empty_comment_brings_the_form_back_with_a_kind_message(
    chat: PlaygroundClient, stack: Stack
):
    await chat.say("feedback")
    form = await chat.card_headed(FORM_HEADING)

    await chat.press(form, "Send feedback", {"rating": "2", "comment": "   ",
                                             "may_contact": "true"})

    again = await chat.card_headed(FORM_HEADING)
    assert problems_on(again) == ["Your feedback is empty. Please write a few words."]
    assert again.inputs["rating"].get("value") == "2", "the person's answers are kept"
    assert again.inputs["may_contact"].get("value") == "true"
    assert not [row for row in stack.feedback_rows() if row["card_id"] == form.message_id]


async def test_text_the_bot_does_not_understand_points_to_help(chat: PlaygroundClient):
    await chat.say("what is on the canteen menu today?")

    pointer = await chat.card_headed("Sorry, I did not understand that")
    assert "Type **help** to see what I can do" in pointer.heading

    await chat.press(pointer, "How it works")
    await chat.card_headed(HELP_HEADING)
    await chat.press(pointer, "New idea")
    question = await chat.next_message()
    assert "Give your idea a short title" in question.text_seen


async def test_in_the_group_chat_a_new_idea_is_moved_to_the_1_1_chat(chat: PlaygroundClient):
    group = chat.config["groupChats"][0]["id"]
    # The Playground lets the bot reach only a 1:1 chat it knows (it cannot open one).
    await chat.install()

    await chat.mention("new idea", group)

    # The reply in the group and the 1:1 message (from the outbox) arrive in either order.
    headings = ("Let's do that in private", "Let's carry on here")
    arrived = [await chat.next_message(where=lambda m: m.heading in headings)
               for _ in headings]
    in_group, carry_on = sorted(arrived, key=lambda m: headings.index(m.heading))
    assert in_group.conversation_id == group
    assert carry_on.conversation_id == chat.personal_chat_id
    await chat.press(carry_on, "New idea")
    # The first question, or (after another test here started one) the draft to resume.
    started = await chat.next_message(where=lambda m: m.heading.startswith(
        ("New idea · step 1", "You have an idea in progress")))
    assert started.conversation_id == chat.personal_chat_id


async def test_the_pmo_hub_opens_the_digest_and_a_board_pack_the_link_serves(
    chat: PlaygroundClient, stack: Stack
):
    await chat.say("pmo")
    hub = await chat.card_headed("The PMO team's hub")
    assert [a["title"] for a in hub.card["actions"]] == [
        "Triage", "Campaigns", "Deferred", "Digest", "Reports", "Initiatives"]

    await chat.press(hub, "Digest")
    nothing = await chat.card_headed("Nothing to tell yet")  # the demo has no delivery yet
    assert "no digest to send yet" in nothing.text_seen

    await chat.press(hub, "Reports")
    report = await chat.card_headed("Board pack:")
    link = report.action_titled("Open the board pack")["url"]
    # The link names the bot's public address (IIP_PUBLIC_URL); this stack listens elsewhere.
    path = link[link.index("/reports/"):]
    async with aiohttp.ClientSession() as session:
        async with session.get(stack.bot_url + path) as opened:
            page = await opened.text()
            assert opened.status == 200 and opened.content_type == "text/html"
        async with session.get(stack.bot_url + path[:-4] + "AAAA") as tampered:
            assert tampered.status == 403
    assert "<title>Board pack:" in page and "data:image/svg+xml" in page
