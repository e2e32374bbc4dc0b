"""The submission conversation's decisions, turn by turn: IntakeFlow with the real idea
service on a database (no HTTP), so that every step and every button can be tried quickly.

What the person would read is checked on the cards IntakeFlow returns; what is kept, on the
draft the service stores.
"""

from __future__ import annotations

import pytest
from support.chat import IDEA, MEGAN_ID, reply_of
from support.intake_flow import ANSWERS, MEGAN, ORDER, QUESTION, Chat
from support.organisation import demo_organisation

from bot.app import build_services
from bot.domain.intake import Step
from bot.domain.requests import within_intake
from bot.presenters.intake import IntakeFlow
from cards.requests import intake_turn_of

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
async def chat(engine, clock) -> Chat:
    services = build_services(engine, clock)
    await services.organisation.replace(demo_organisation(), "test")
    return Chat(IntakeFlow(services.ideas), services)


async def test_back_at_every_step_shows_the_step_before_with_its_answer(chat: Chat):
    reply = await chat.begin()
    for position, step in enumerate(ORDER[:-1]):
        assert QUESTION[step] in reply, reply.text
        reply = await chat.say(ANSWERS[step])
        following = ORDER[position + 1]
        assert QUESTION[following] in reply, reply.text
        if step is Step.PROFILE:
            continue  # the profile is saved when answered: Back returns to a saved card
        again = await chat.say("back")
        assert QUESTION[step] in again, f"back from {following}: {again.text}"
        if step in (Step.TITLE, Step.PROBLEM, Step.PROPOSAL, Step.BENEFIT, Step.CATEGORY,
                    Step.PORTFOLIO, Step.RECOGNITION):
            shown = again.inputs["answer"]
            assert shown == ANSWERS[step], f"{step}: {shown!r}"
        reply = await chat.press(again, "Next")  # as shown: the answer kept
        assert QUESTION[following] in reply, reply.text

    draft = await chat.draft()
    assert draft.step is Step.CHECK and not draft.editing
    assert (draft.title, draft.category, draft.portfolio, draft.named_publicly) == (
        IDEA["title"], "technology", "local-policing", True)


async def test_each_part_can_be_edited_from_the_check_and_returns_to_it(chat: Chat):
    reply = await chat.begin()
    for step in ORDER[:-1]:
        reply = await chat.say(ANSWERS[step])
    check = reply
    changes = {"title": "Tablet notebooks", "problem": "Searching paper takes hours.",
               "proposal": "Issue the notebook app.", "benefit": "An hour a shift.",
               "category": "cost", "portfolio": "crime-and-justice", "recognition": "no"}

    for part, value in changes.items():
        button = f"Edit {part}"
        question = await chat.press(check, button)
        assert QUESTION[Step(part)] in question
        assert "Back" in question.buttons
        revision = (await chat.draft()).revision
        check = await chat.press(question, "Next", answer=value)
        assert QUESTION[Step.CHECK] in check, f"after editing the {part}: {check.text}"
        assert (await chat.draft()).revision == revision + 1

    text = check.text
    for shown in ("Tablet notebooks", "Searching paper takes hours.", "Issue the notebook app.",
                  "An hour a shift.", "Category: Saving money or time",
                  "Portfolio: Crime and Justice", "Name me if delivered: No"):
        assert shown in text


async def test_the_profile_step_explains_itself_and_is_asked_only_once(chat: Chat):
    reply = await chat.begin()
    assert "step 1 of 8" in reply
    for step in ORDER[:6]:
        reply = await chat.say(ANSWERS[step])
    assert QUESTION[Step.PROFILE] in reply
    assert reply.data("Save")["within_idea"] is True

    typed = await chat.say("I'm a sergeant")
    assert "Choose your answers on the card, or type **skip**" in typed
    wrong = await chat.press(typed, "Save", role_type="astronaut")
    assert "Please choose your role from the list" in wrong
    assert (await chat.draft()).step is Step.PROFILE
    reply = await chat.press(wrong, "Save", grade="sergeant", role_type="officer")
    assert QUESTION[Step.RECOGNITION] in reply
    assert (await chat.services.ideas.profile(MEGAN_ID)).grade == "sergeant"
    await chat.say("no")
    assert "Thank you: your idea is in" in await chat.say("submit")

    second = await chat.begin()
    assert "step 1 of 7" in second
    for step in ORDER[:6]:
        reply = await chat.say(ANSWERS[step])
    assert QUESTION[Step.RECOGNITION] in reply and "step 7 of 7" in reply


async def test_what_finishes_the_conversation(chat: Chat):
    assert not (await chat.flow.begin(MEGAN)).finished
    question = await chat.flow.handle(MEGAN, within_intake(IDEA["title"]))
    assert not question.finished
    cancelled = await chat.flow.handle(MEGAN, within_intake("cancel"))
    assert cancelled.finished
    assert "Stopped. Your draft is kept" in reply_of(cancelled.cards[0].card)
    assert (await chat.draft()).title == IDEA["title"]

    resumed = await chat.flow.handle(MEGAN, intake_turn_of({"action": "intake.resume"}))
    assert not resumed.finished
    await chat.flow.handle(MEGAN, within_intake("start afresh"))
    assert (await chat.draft()).title == ""
    for step in ORDER[:-1]:
        await chat.say(ANSWERS[step])
    submitted = await chat.flow.handle(MEGAN, within_intake("submit"))
    assert submitted.finished
    assert await chat.draft() is None

    for after in ("cancel", "back", "resume", "anything"):
        outcome = await chat.flow.handle(MEGAN, within_intake(after))
        assert outcome.finished, after
        [card] = outcome.cards  # never silence
        assert "There is no idea in progress" in reply_of(card.card), after


async def test_a_draft_kept_for_a_week_is_offered_with_its_date(chat: Chat, clock):
    await chat.begin()
    await chat.say("Pool cars")
    clock.advance(days=7)

    offer = await chat.begin()

    assert "You have an idea in progress" in offer and "Pool cars" in offer
    assert "Last changed 2 November 2026" in offer
    carried_on = await chat.press(offer, "Carry on")
    assert QUESTION[Step.PROBLEM] in carried_on
