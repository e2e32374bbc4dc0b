"""Ideas answering a campaign's call, through the submission conversation: started from the
call's button, tagged through the resume card and a fresh start, the call's own questions
asked and kept with the idea, and untagged (never refused) when the call closes.

IntakeFlow with the real services on SQLite and PostgreSQL; what the person reads is checked
on the cards, what is kept on the stored draft and the `ideas` row.
"""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support.campaigns import STAR_QUESTIONS, open_campaign, set_state
from support.chat import IDEA, MEGAN_ID, Reply, reply_of
from support.intake_flow import ANSWERS, QUESTION, Chat
from support.organisation import ALEX, demo_organisation
from support.tables import rows

from bot.app import build_services
from bot.domain.campaigns import Campaign, CampaignState
from bot.domain.ideas import CampaignAnswer
from bot.domain.intake import NO_CAMPAIGN, Step
from bot.presenters.intake import IntakeFlow
from storage import tables

CHECK = QUESTION[Step.CHECK]
RESUME = "You have an idea in progress"
FUNDING, LEAD = STAR_QUESTIONS


@pytest.fixture
async def chat(engine: AsyncEngine, clock) -> Chat:
    services = build_services(engine, clock)
    await services.organisation.replace(demo_organisation(), "test")
    return Chat(IntakeFlow(services.ideas), services)


@pytest.fixture
async def star(engine: AsyncEngine, clock) -> Campaign:
    return await open_campaign(engine, clock, "STAR fund", questions=STAR_QUESTIONS)


async def to_the_questions(chat: Chat, reply: Reply, first: Step = Step.TITLE) -> Reply:
    """Answer the usual questions from `reply`, which asks `first`: the card after them."""
    usual = [Step.TITLE, Step.PROBLEM, Step.PROPOSAL, Step.BENEFIT, Step.CATEGORY,
             Step.PORTFOLIO]
    for step in usual[usual.index(first):]:
        assert QUESTION[step] in reply, reply.text
        reply = await chat.say(ANSWERS[step])
    return reply


async def to_the_check(chat: Chat, reply: Reply) -> Reply:
    """From the first of the call's questions: both answered (one typed, one on the card),
    the profile skipped, recognition given; the check card."""
    assert FUNDING in reply and "A question of the call for ideas on STAR fund" in reply
    reply = await chat.say("About £20,000 for the first year.")
    assert LEAD in reply, reply.text
    reply = await chat.press(reply, "Next", answer="The custody inspector")
    for step in (Step.PROFILE, Step.RECOGNITION):
        assert QUESTION[step] in reply, reply.text
        reply = await chat.say(ANSWERS[step])
    assert CHECK in reply, reply.text
    return reply


async def ideas_of(engine: AsyncEngine) -> list[dict]:
    return await rows(engine, tables.ideas)


async def test_an_idea_started_from_a_call_answers_it_with_its_own_questions(
        chat: Chat, star: Campaign, engine: AsyncEngine):
    first = await chat.begin(star.key)
    assert "step 1 of 10" in first  # the six, the call's two, the profile, recognition
    questions = await to_the_questions(chat, first)
    assert "Does it answer one of the current campaigns?" not in questions
    check = await to_the_check(chat, questions)

    assert "Campaign: STAR fund" in check
    assert "For the call for ideas on STAR fund" in check
    assert FUNDING in check and "About £20,000 for the first year." in check
    assert LEAD in check and "The custody inspector" in check
    receipt = await chat.press(check, "Submit idea")
    assert "Thank you: your idea is in" in receipt
    assert "sent without it" not in receipt

    [idea] = await ideas_of(engine)
    assert idea["campaign_key"] == "star-fund"
    assert idea["campaign_answers"] == [
        {"question": FUNDING, "answer": "About £20,000 for the first year."},
        {"question": LEAD, "answer": "The custody inspector"}]
    stored = await chat.services.ideas.idea_of(MEGAN_ID, idea["reference"])
    assert stored.campaign_name == "STAR fund"
    assert [a.answer for a in stored.campaign_answers] == [
        "About £20,000 for the first year.", "The custody inspector"]
    [to_pmo] = await rows(engine, tables.outbox, tables.outbox.c.object_id == ALEX)
    staff_card = reply_of(to_pmo["card"])
    for shown in ("STAR fund", FUNDING, "About £20,000 for the first year.", LEAD,
                  "The custody inspector"):
        assert shown in staff_card, shown
    [audit] = await rows(engine, tables.audit_log,
                         tables.audit_log.c.action == "idea.submitted")
    assert audit["detail"]["campaign"] == "star-fund"


async def test_an_answer_to_a_call_question_can_be_edited_from_the_check(
        chat: Chat, star: Campaign):
    check = await to_the_check(chat, await to_the_questions(chat, await chat.begin(star.key)))

    question = await chat.press(check, "Edit answer 2")
    assert LEAD in question and question.inputs["answer"] == "The custody inspector"
    check = await chat.press(question, "Next", answer="A sergeant in custody")

    assert CHECK in check and "A sergeant in custody" in check
    assert (await chat.draft()).campaign_answers[1] == CampaignAnswer(
        LEAD, "A sergeant in custody")


async def test_changing_the_campaign_at_the_check_drops_the_old_answers(
        chat: Chat, star: Campaign, engine: AsyncEngine, clock):
    await open_campaign(engine, clock, "Artificial intelligence")
    check = await to_the_check(chat, await to_the_questions(chat, await chat.begin(star.key)))

    question = await chat.press(check, "Edit campaign")
    assert "Does it answer one of the current campaigns?" in question
    check = await chat.press(question, "Next", answer="artificial-intelligence")

    assert "Campaign: Artificial intelligence" in check and FUNDING not in check
    draft = await chat.draft()
    assert (draft.campaign, draft.campaign_answers) == ("artificial-intelligence", ())


async def test_carrying_on_a_draft_from_a_call_tags_it(chat: Chat, star: Campaign):
    await chat.begin()
    await chat.say(IDEA["title"])

    offer = await chat.begin(star.key)

    assert RESUME in offer and "You came from the call for ideas on STAR fund" in offer
    assert offer.data("Carry on") == {"action": "intake.resume", "campaign": "star-fund"}
    assert offer.data("Start afresh") == {"action": "intake.restart", "campaign": "star-fund"}
    assert (await chat.draft()).campaign is None  # nothing changes until they choose
    carried_on = await chat.press(offer, "Carry on")
    assert QUESTION[Step.PROBLEM] in carried_on
    draft = await chat.draft()
    assert (draft.campaign, draft.title) == ("star-fund", IDEA["title"])
    reply = await to_the_questions(chat, carried_on, Step.PROBLEM)
    assert FUNDING in reply


async def test_typed_resume_or_start_afresh_after_a_calls_resume_card_answers_the_call(
        chat: Chat, star: Campaign, clock):
    await chat.begin()
    await chat.say(IDEA["title"])
    clock.advance(days=3)

    offer = await chat.begin(star.key)
    assert "Last changed 2 November 2026" in offer  # being offered is no change to the draft
    assert "Last changed 2 November 2026" in await chat.begin(star.key)
    carried_on = await chat.say("resume")

    assert QUESTION[Step.PROBLEM] in carried_on
    assert (await chat.draft()).campaign == "star-fund"
    await chat.begin(star.key)
    fresh = await chat.say("start afresh")
    assert QUESTION[Step.TITLE] in fresh
    assert ((await chat.draft()).campaign, (await chat.draft()).title) == ("star-fund", "")


async def test_a_plain_new_idea_after_a_calls_resume_card_forgets_the_call(
        chat: Chat, star: Campaign):
    await chat.begin()
    await chat.say(IDEA["title"])
    await chat.begin(star.key)

    offer = await chat.begin()
    assert "You came from the call" not in offer
    await chat.say("start afresh")

    assert (await chat.draft()).campaign is None


async def test_starting_afresh_from_a_call_starts_a_tagged_draft(chat: Chat, star: Campaign):
    await chat.begin()
    await chat.say("An idea I gave up on")

    fresh = await chat.press(await chat.begin(star.key), "Start afresh")

    assert QUESTION[Step.TITLE] in fresh and "step 1 of 10" in fresh
    draft = await chat.draft()
    assert (draft.campaign, draft.title) == ("star-fund", "")


async def test_the_call_survives_a_restart_of_the_bot_between_the_card_and_the_press(
        chat: Chat, star: Campaign, engine: AsyncEngine, clock):
    await chat.begin()
    await chat.say(IDEA["title"])
    offer = await chat.begin(star.key)

    services = build_services(engine, clock)  # the bot started again, nothing in memory
    restarted = Chat(IntakeFlow(services.ideas), services)
    fresh = await restarted.press(offer, "Start afresh")  # the card from before the restart

    assert QUESTION[Step.TITLE] in fresh
    assert (await restarted.draft()).campaign == "star-fund"
    assert "step 1 of 10" in fresh


async def test_a_draft_answering_another_call_is_told_what_carrying_on_changes(
        chat: Chat, star: Campaign, engine: AsyncEngine, clock):
    await open_campaign(engine, clock, "Artificial intelligence")
    check = await to_the_check(chat, await to_the_questions(chat, await chat.begin(star.key)))
    assert CHECK in check

    offer = await chat.begin("artificial-intelligence")
    assert "instead of the call on STAR fund" in offer
    carried_on = await chat.press(offer, "Carry on")

    assert ("Your idea answered the call for ideas on STAR fund; it now answers Artificial "
            "intelligence instead, and your answers to its questions were removed.") in carried_on
    assert CHECK in carried_on and "Campaign: Artificial intelligence" in carried_on
    draft = await chat.draft()
    assert (draft.campaign, draft.campaign_answers) == ("artificial-intelligence", ())


async def test_carrying_on_at_the_check_from_a_call_asks_its_questions_then_the_check(
        chat: Chat, star: Campaign):
    reply = await to_the_questions(chat, await chat.begin())
    assert "Does it answer one of the current campaigns?" in reply
    await chat.say("none")
    await chat.say("skip")
    check = await chat.say("yes")
    assert CHECK in check and FUNDING not in check

    carried_on = await chat.press(await chat.begin(star.key), "Carry on")

    assert FUNDING in carried_on
    check = await chat.press(await chat.say("£500"), "Next", answer="Me")
    assert CHECK in check and "£500" in check


async def test_a_call_that_no_longer_takes_ideas_says_so_and_starts_an_untagged_idea(
        chat: Chat, star: Campaign, clock):
    clock.advance(days=30)  # 2 December: it closed on 30 November

    first = await chat.begin(star.key)

    assert ("The call for ideas on STAR fund closed on 30 November 2026; you can still "
            "suggest an idea.") in first
    assert QUESTION[Step.TITLE] in first
    assert (await chat.draft()).campaign is None
    offer = await chat.begin("no-such-call")  # the draft just started is offered
    assert RESUME in offer
    assert "That call for ideas is no longer running; you can still suggest an idea." in offer
    assert offer.data("Start afresh") == {"action": "intake.restart"}


async def test_a_cancelled_call_says_it_was_called_off(
        chat: Chat, star: Campaign, engine: AsyncEngine):
    await set_state(engine, star, CampaignState.CANCELLED)

    first = await chat.begin(star.key)

    assert "The call for ideas on STAR fund was called off; you can still suggest" in first


async def test_when_the_call_closes_the_draft_is_untagged_and_the_check_says_why(
        chat: Chat, star: Campaign, clock):
    check = await to_the_check(chat, await to_the_questions(chat, await chat.begin(star.key)))
    clock.advance(days=29)  # 1 December

    again = await chat.say("what now?")

    why = ("The call for ideas on STAR fund closed on 30 November 2026; your idea will be "
           "sent without it.")
    assert CHECK in again and why in again
    assert "Campaign: None" in again and FUNDING not in again
    draft = await chat.draft()
    assert (draft.campaign, draft.campaign_answers, draft.dropped_campaign) == (
        NO_CAMPAIGN, (), "star-fund")
    assert draft.revision > 0 and check.data("Submit idea")["revision"] < draft.revision
    receipt = await chat.press(again, "Submit idea")
    assert "Thank you: your idea is in" in receipt and "sent without it" not in receipt


async def test_a_call_closing_while_a_draft_is_on_its_questions_moves_on_without_them(
        chat: Chat, star: Campaign, engine: AsyncEngine):
    questions = await to_the_questions(chat, await chat.begin(star.key))
    assert FUNDING in questions
    await set_state(engine, star, CampaignState.CLOSED)

    reply = await chat.press(questions, "Next", answer="£20,000")

    # The answer came from the card of a question the draft no longer has: out of date.
    assert QUESTION[Step.PROFILE] in reply
    draft = await chat.draft()
    assert (draft.campaign, draft.campaign_answers) == (NO_CAMPAIGN, ())


async def test_submitting_after_the_call_closed_sends_the_idea_untagged_and_says_so(
        chat: Chat, star: Campaign, engine: AsyncEngine):
    check = await to_the_check(chat, await to_the_questions(chat, await chat.begin(star.key)))
    await set_state(engine, star, CampaignState.CLOSED)  # between the check and the press

    receipt = await chat.press(check, "Submit idea")

    assert "Thank you: your idea is in" in receipt
    assert "The call for ideas on STAR fund closed, so your idea was sent without it." in receipt
    [idea] = await ideas_of(engine)
    assert (idea["campaign_key"], idea["campaign_answers"]) == (None, None)
    assert await chat.draft() is None
    [audit] = await rows(engine, tables.audit_log,
                         tables.audit_log.c.action == "idea.submitted")
    assert (audit["detail"]["campaign"], audit["detail"]["campaign_closed"]) == (
        None, "star-fund")


async def test_starting_afresh_from_a_call_that_closed_meanwhile_starts_untagged(
        chat: Chat, star: Campaign, engine: AsyncEngine):
    await chat.begin()
    await chat.say(IDEA["title"])
    offer = await chat.begin(star.key)
    await set_state(engine, star, CampaignState.CLOSED)  # before they choose

    fresh = await chat.press(offer, "Start afresh")

    assert "The call for ideas on STAR fund closed; you can still suggest an idea." in fresh
    assert QUESTION[Step.TITLE] in fresh
    assert (await chat.draft()).campaign is None
    carried_on = await chat.press(offer, "Carry on")
    assert "The call for ideas on STAR fund closed; your idea carries on as it was." in carried_on


async def test_a_campaigns_name_is_never_read_as_markdown_in_what_the_person_is_told(
        chat: Chat, engine: AsyncEngine, clock):
    named = await open_campaign(engine, clock, "**Ideas** [now](https://example.com)")
    await set_state(engine, named, CampaignState.CLOSED)

    first = await chat.begin(named.key)

    assert (r"The call for ideas on \*\*Ideas\*\* \[now\](https://example.com) closed; you "
            "can still suggest an idea.") in first
    assert "**Ideas**" not in first
