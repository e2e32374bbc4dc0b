"""The feedback form's round trip: Action.Submit in, a card back, a row (or none) stored."""

from __future__ import annotations

import asyncio

import pytest
from support.activities import card_submit, personal_message
from support.bot_server import BotServer, sqlite_only
from support.connector import StandInConnector
from support.logs import events
from support.stored import stored

CHAT = personal_message(None)["conversation"]["id"]
MEGAN = "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"
ANSWERS = {"action": "feedback.send", "comment": "The help card told me what I needed.",
           "rating": "4", "may_contact": "true"}
THANKS = "Thank you for your feedback"
PMO_CARD = "New feedback on the portal bot"


async def open_the_form(bot: BotServer, connector: StandInConnector) -> None:
    """Megan types "feedback": the welcome (first contact) and the form arrive."""
    await bot.post(personal_message("feedback"))
    _welcome, form = await connector.wait_for_conversation(CHAT, 2)
    assert "Feedback on the portal bot" in form.text_seen


async def test_sent_feedback_is_stored_once_audited_and_thanked(
    bot: BotServer, connector: StandInConnector, clock
):
    await open_the_form(bot, connector)

    response = await bot.post(card_submit(ANSWERS, reply_to="1:form-1"))

    assert response.status == 200
    thanks = (await connector.wait_for_conversation(CHAT, 3))[2]
    assert THANKS in thanks.text_seen
    assert thanks.path.endswith("/activities/" + personal_message(None)["id"])
    saved = await stored(bot.engine)
    [row] = saved.feedback
    assert row["author_object_id"] == MEGAN
    assert row["comment"] == ANSWERS["comment"]
    assert row["rating"] == "4"
    assert row["may_contact"] is True
    assert row["card_id"] == "1:form-1"
    assert row["created_at"] == clock.now()
    [audit] = [a for a in saved.audit if a["action"] == "feedback.submitted"]
    assert audit["actor"] == MEGAN
    assert audit["subject"] == f"feedback {row['id']}"
    assert audit["detail"] == {"rating": "4"}


@sqlite_only
async def test_the_pmo_team_is_told_about_the_feedback(
    bot: BotServer, connector: StandInConnector
):
    await bot.post(card_submit(ANSWERS, reply_to="1:form-1"))

    await connector.wait_for(2)
    [to_pmo] = [r for r in connector.received if r.conversation_id != CHAT]
    assert PMO_CARD in to_pmo.text_seen
    assert ANSWERS["comment"] in to_pmo.text_seen
    assert "Megan Bowen" in to_pmo.text_seen


async def test_a_double_tap_stores_one_row_and_thanks_both_times(
    bot: BotServer, connector: StandInConnector
):
    await open_the_form(bot, connector)
    tap = card_submit(ANSWERS, reply_to="1:form-1")

    first, second = await asyncio.gather(bot.post(tap), bot.post(tap))
    third = await bot.post(tap)  # and once more, after both have finished

    assert first.status == second.status == third.status == 200
    answers = (await connector.wait_for_conversation(CHAT, 5))[2:]
    assert len(answers) == 3
    assert all(THANKS in answer.text_seen for answer in answers)
    saved = await stored(bot.engine)
    assert len(saved.feedback) == 1
    assert len([a for a in saved.audit if a["action"] == "feedback.submitted"]) == 1
    # The PMO's card comes through the outbox, after a 1:1 chat is opened with them: wait
    # for it (the five in Megan's chat and one more), then a moment for any duplicate.
    await connector.wait_for(6)
    await asyncio.sleep(0.3)
    assert len([r for r in connector.received if PMO_CARD in r.text_seen]) == 1


@sqlite_only
async def test_two_forms_from_the_same_person_are_two_rows(
    bot: BotServer, connector: StandInConnector
):
    await bot.post(card_submit(ANSWERS, reply_to="1:form-1"))
    await bot.post(card_submit({**ANSWERS, "comment": "And another thing."}, reply_to="1:form-2"))

    saved = await stored(bot.engine)
    assert [r["comment"] for r in saved.feedback] == [ANSWERS["comment"], "And another thing."]


@sqlite_only
@pytest.mark.parametrize(("answers", "explanation"), [
    ({"comment": ""}, "Your feedback is empty. Please write a few words."),
    ({"comment": "  \n\t  "}, "Your feedback is empty. Please write a few words."),
    ({"comment": "x" * 1001}, "Your feedback is 1,001 characters long; the limit is 1,000."),
    ({"comment": "Great bot\x07 thanks"}, "Your feedback contains hidden control characters"),
    ({"comment": "Fine.", "rating": "9"}, "Please choose one of the ratings offered."),
], ids=["empty", "whitespace", "over-long", "control-character", "unknown-rating"])
async def test_a_wrong_answer_shows_the_form_again_with_the_text_kept(
    bot: BotServer, connector: StandInConnector, answers: dict, explanation: str
):
    await open_the_form(bot, connector)
    sent = {**ANSWERS, **answers}

    response = await bot.post(card_submit(sent, reply_to="1:form-1"))

    assert response.status == 200
    again = (await connector.wait_for_conversation(CHAT, 3))[2]
    assert "Feedback on the portal bot" in again.text_seen
    assert explanation in again.text_seen
    assert again.inputs["comment"] == sent["comment"]  # what they typed, to correct
    assert again.inputs["may_contact"] == "true"
    assert THANKS not in again.text_seen
    saved = await stored(bot.engine)
    assert saved.feedback == []
    assert not [a for a in saved.audit if a["action"] == "feedback.submitted"]


@sqlite_only
async def test_after_a_correction_the_same_form_is_accepted(
    bot: BotServer, connector: StandInConnector
):
    await bot.post(card_submit({**ANSWERS, "comment": " "}, reply_to="1:form-1"))
    await bot.post(card_submit(ANSWERS, reply_to="1:form-1"))

    answers = await connector.wait_for_conversation(CHAT, 2)
    assert THANKS in answers[1].text_seen
    assert len((await stored(bot.engine)).feedback) == 1


@sqlite_only
@pytest.mark.parametrize("values", [
    {"action": "idea.withdraw", "idea": "IIP-2026-0042"},
    {"action": None},
    {"action": {"nested": "object"}},
], ids=["unknown-id", "null", "object"])
async def test_an_unknown_card_action_changes_nothing_and_says_so(
    bot: BotServer, connector: StandInConnector, values: dict, logs
):
    response = await bot.post(card_submit(values, reply_to="1:old-card"))

    assert response.status == 200
    [answer] = await connector.wait_for_conversation(CHAT, 1)
    assert "That button belongs to a card I can no longer act on" in answer.text_seen
    assert "Nothing was changed" in answer.text_seen
    saved = await stored(bot.engine)
    assert saved.feedback == []
    assert [a["action"] for a in saved.audit_from_requests] == ["conversation.first_contact"]
    assert len(events(logs, "card_action.unknown")) == 1


@sqlite_only
@pytest.mark.parametrize("object_id", [None, "", "   "], ids=["absent", "empty", "blank"])
async def test_feedback_from_someone_without_an_entra_id_is_not_stored(
    bot: BotServer, connector: StandInConnector, object_id: str | None, logs
):
    activity = card_submit(ANSWERS, reply_to="1:form-1")
    if object_id is None:
        del activity["from"]["aadObjectId"]
    else:
        activity["from"]["aadObjectId"] = object_id

    response = await bot.post(activity)

    assert response.status == 200
    [answer] = await connector.wait_for_conversation(CHAT, 1)
    assert "I could not tell who sent this, so nothing was stored" in answer.text_seen
    assert (await stored(bot.engine)).feedback == []
    [warning] = [e for e in logs if e["log_level"] == "warning"]
    assert "no_identity" in warning["event"]
