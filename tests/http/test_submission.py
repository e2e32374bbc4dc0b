"""Submitting an idea in the 1:1 chat, turn by turn, as Teams sends each turn.

Typed answers are personal messages; card answers are what Teams sends for an Action.Submit
(a message with no text, `value` = the button's data merged with the card's inputs, and a
replyToId). Each test checks what the person reads and what the bot stored.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from support.bot_server import BotServer, serving, sqlite_only
from support.chat import (
    IDEA,
    MEGAN_ID,
    Person,
    answer_to_the_check,
    beside_suggestions,
    reply_of,
    submit_idea,
)
from support.connector import StandInConnector
from support.organisation import ALEX, demo_data, organisation_from
from support.tables import count, rows

from bot.config import Settings
from storage import tables

RECEIPT = "Thank you: your idea is in"
CHECK = "Check your idea"
KEPT = "Stopped. Your draft is kept"
OUT_OF_DATE_ANSWER = "That card is out of date, so nothing was changed. Here is where you are."
OUT_OF_DATE_CHECK = "This summary is out of date: your idea changed after it was shown."
RESUME = "You have an idea in progress"
PROFILE = "About you (optional)"
# The idea's card in a member of staff's chat (the PMO's, while it waits for triage).
STAFF_CARD = tables.outbox.c.dedupe_key.like("card:%")
QUESTIONS = [
    ("Give your idea a short title", "step 1 of 8"),
    ("What is the problem behind your idea?", "step 2 of 8"),
    ("What do you propose?", "step 3 of 8"),
    ("What difference would it make?", "step 4 of 8"),
    ("Which category fits best?", "step 5 of 8"),
    ("Which portfolio or department would own it?", "step 6 of 8"),
]


async def stored_idea_rows(bot: BotServer) -> dict[str, list[dict]]:
    return {
        "ideas": await rows(bot.engine, tables.ideas),
        "history": await rows(bot.engine, tables.idea_history),
        "audit": await rows(bot.engine, tables.audit_log,
                            tables.audit_log.c.action == "idea.submitted"),
        "outbox": await rows(bot.engine, tables.outbox, STAFF_CARD),
    }


async def nothing_submitted(bot: BotServer) -> bool:
    found = await stored_idea_rows(bot)
    return not any(found.values()) and not await rows(bot.engine, tables.reference_counters)


async def draft_row(bot: BotServer, object_id: str = MEGAN_ID) -> dict | None:
    found = await rows(bot.engine, tables.idea_drafts,
                       tables.idea_drafts.c.object_id == object_id)
    return found[0] if found else None


# A whole submission


async def test_a_whole_submission_by_typed_answers(
    bot: BotServer, connector: StandInConnector, clock
):
    megan = Person(bot, connector)

    reply = await megan.one("I have an idea")
    for (question, step), answer in zip(QUESTIONS, [
        IDEA["title"], IDEA["problem"], IDEA["proposal"], IDEA["benefit"],
        "Technology and digital", "2",  # a category by its name, a portfolio by its number
    ], strict=True):
        assert question in reply and f"New idea · {step}" in reply, reply.text
        assert "You can also type your answer" in reply
        reply = await megan.one(answer)
    assert PROFILE in reply and "only ever reported as totals" in reply
    reply = await megan.one("skip")
    assert "If your idea is delivered, may we name you?" in reply
    assert "step 8 of 8" in reply
    check = await megan.one("yes please")
    assert CHECK in check
    for text in IDEA.values():
        assert text in check
    assert "Category: Technology and digital" in check
    assert "Portfolio: Crime and Justice" in check
    assert "Name me if delivered: Yes" in check

    receipt = await megan.one("submit")

    assert RECEIPT in receipt
    assert "Reference: IIP-2026-0001" in receipt
    assert "2 January 2027" in receipt  # two calendar months after 2 November 2026
    found = await stored_idea_rows(bot)
    [idea] = found["ideas"]
    assert idea["reference"] == "IIP-2026-0001"
    assert idea["contributor_object_id"] == MEGAN_ID
    assert {k: idea[k] for k in IDEA} == IDEA
    assert (idea["category_key"], idea["portfolio_key"]) == ("technology", "crime-and-justice")
    assert idea["named_publicly"] is True
    assert idea["status"] == "submitted" and idea["version"] == 1
    assert idea["submitted_at"] == clock.now()
    assert idea["department"] == idea["grade"] == "prefer_not_to_say"
    [history] = found["history"]
    assert history["idea_id"] == idea["id"]
    assert (history["actor"], history["action"]) == (MEGAN_ID, "submitted")
    assert (history["from_status"], history["to_status"]) == (None, "submitted")
    [audit] = found["audit"]
    assert (audit["actor"], audit["subject"]) == (MEGAN_ID, "IIP-2026-0001")
    [to_pmo] = found["outbox"]
    assert to_pmo["object_id"] == ALEX and to_pmo["kind"] == "notice"
    assert to_pmo["dedupe_key"] == f"card:IIP-2026-0001:{ALEX}"
    assert await draft_row(bot) is None
    assert await count(bot.engine, tables.contributor_profiles) == 1


@sqlite_only
async def test_a_whole_submission_by_card_buttons(bot: BotServer, connector: StandInConnector):
    megan = Person(bot, connector)
    reply = await megan.one("new idea")

    for answer in (IDEA["title"], IDEA["problem"], IDEA["proposal"], IDEA["benefit"],
                   "process", "digital-and-data"):
        assert reply.data("Next")["action"] == "intake.answer"
        reply = await megan.one_press(reply, "Next", answer=answer)
    assert PROFILE in reply
    reply = await megan.one_press(reply, "Save", department="local-policing",
                                  function="response", location="Leeds Central",
                                  grade="sergeant", role_type="officer")
    assert "If your idea is delivered, may we name you?" in reply
    check = await megan.one_press(reply, "Next", answer="no")
    assert "Category: Process improvement" in check
    assert "Portfolio: Digital, Data and Technology" in check
    assert "Name me if delivered: No" in check

    receipt = await megan.one_press(check, "Submit idea")

    assert RECEIPT in receipt and "Reference: IIP-2026-0001" in receipt
    [idea] = await rows(bot.engine, tables.ideas)
    assert (idea["category_key"], idea["portfolio_key"]) == ("process", "digital-and-data")
    assert idea["named_publicly"] is False
    assert (idea["department"], idea["function"], idea["location"], idea["grade"],
            idea["role_type"]) == ("local-policing", "response", "Leeds Central", "sergeant",
                                   "officer")
    [profile] = await rows(bot.engine, tables.contributor_profiles)
    assert profile["location"] == "Leeds Central"


@sqlite_only
async def test_each_card_answer_carries_its_step_and_the_drafts_revision(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    first = await megan.one("new idea")
    second = await megan.one_press(first, "Next", answer=IDEA["title"])

    assert first.data("Next") == {"action": "intake.answer", "step": "title", "revision": 0}
    assert second.data("Next") == {"action": "intake.answer", "step": "problem", "revision": 1}
    assert first.data("Cancel") == {"action": "intake.cancel"}
    assert second.buttons["Back"].get("associatedInputs") == "none"
    assert "Back" not in first.buttons  # nothing before the first question


# Back, cancel, resume


@sqlite_only
async def test_back_goes_one_step_back_with_the_answer_kept(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    await megan.one("new idea")
    await megan.one(IDEA["title"])
    proposal = await megan.one(IDEA["problem"])
    assert "What do you propose?" in proposal

    problem = await megan.one_press(proposal, "Back")
    assert "What is the problem behind your idea?" in problem
    assert problem.inputs["answer"] == IDEA["problem"]
    title = await megan.one("back")  # typed works too
    assert "Give your idea a short title" in title
    assert title.inputs["answer"] == IDEA["title"]
    again = await megan.one("back")  # nothing before the first question: it is asked again
    assert "Give your idea a short title" in again

    reply = await megan.one("Digital notebooks")  # answering again moves forward again
    assert "What is the problem behind your idea?" in reply
    assert reply.inputs["answer"] == IDEA["problem"]
    draft = (await draft_row(bot))["draft"]
    assert (draft["title"], draft["problem"], draft["step"]) == (
        "Digital notebooks", IDEA["problem"], "problem")


@sqlite_only
async def test_cancel_says_the_draft_is_kept_and_new_idea_offers_to_resume_it(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    await megan.one("new idea")
    await megan.one(IDEA["title"])
    proposal_card = await megan.one(IDEA["problem"])

    stopped = await megan.one("cancel")
    assert KEPT in stopped and "new idea" in stopped
    outside = await megan.one("Use the tablets")  # the conversation is no longer in the idea
    assert "Sorry, I did not understand that" in outside
    assert (await draft_row(bot))["draft"]["proposal"] == ""

    offer = await megan.one("new idea")
    assert RESUME in offer and IDEA["title"] in offer
    assert "Last changed 2 November 2026" in offer
    assert set(offer.buttons) == {"Carry on", "Start afresh"}
    resumed = await megan.one_press(offer, "Carry on")
    assert "What do you propose?" in resumed
    assert resumed.data("Next") == proposal_card.data("Next")
    reply = await megan.one(IDEA["proposal"])
    assert "What difference would it make?" in reply


@sqlite_only
async def test_cancel_from_a_card_and_carry_on_from_the_cancel_card(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    title = await megan.one("new idea")
    problem = await megan.one_press(title, "Next", answer=IDEA["title"])

    stopped = await megan.one_press(problem, "Cancel")
    assert KEPT in stopped
    offer = await megan.one_press(stopped, "Carry on now")
    assert RESUME in offer
    assert "What is the problem" in await megan.one_press(offer, "Carry on")


@sqlite_only
async def test_starting_afresh_discards_the_draft(bot: BotServer, connector: StandInConnector):
    megan = Person(bot, connector)
    await megan.one("new idea")
    await megan.one("An idea I gave up on")
    await megan.one("cancel")
    old_draft = (await draft_row(bot))["draft_id"]

    offer = await megan.one("suggest")
    fresh = await megan.one_press(offer, "Start afresh")

    assert "Give your idea a short title" in fresh and "step 1 of 8" in fresh
    assert fresh.inputs["answer"] is None
    row = await draft_row(bot)
    assert row["draft_id"] != old_draft and row["draft"]["title"] == ""
    assert await count(bot.engine, tables.idea_drafts) == 1  # one draft per person


async def test_a_draft_and_the_conversation_survive_a_restart_and_a_days_gap(
    database_url: str, connector: StandInConnector, clock
):
    settings = Settings(database_url=database_url)
    async with serving(settings, connector.url, clock=clock) as first:
        megan = Person(first, connector)
        await megan.one("new idea")
        await megan.one(IDEA["title"])
        proposal_card = await megan.one(IDEA["problem"])

    clock.advance(days=1, hours=2)
    async with serving(settings, connector.url, clock=clock) as second:
        megan.bot = second
        # The new instance knows the conversation is inside the idea: typed text answers it.
        reply = await megan.one(IDEA["proposal"])
        assert "What difference would it make?" in reply
        # A card from before the restart is recognised as out of date.
        stale = await megan.one_press(proposal_card, "Next", answer="Something else")
        assert OUT_OF_DATE_ANSWER in stale and "What difference would it make?" in stale
        await megan.one("cancel")

    clock.advance(days=1)
    async with serving(settings, connector.url, clock=clock) as third:
        megan.bot = third
        offer = await megan.one("new idea")
        assert RESUME in offer and "Last changed 3 November 2026" in offer
        resumed = await megan.one_press(offer, "Carry on")
        assert "What difference would it make?" in resumed
        for answer in (IDEA["benefit"], "technology", "local-policing", "skip", "no"):
            reply = await megan.one(answer)
        assert CHECK in reply and IDEA["proposal"] in reply
        receipt = await megan.one_press(reply, "Submit idea")
        assert RECEIPT in receipt and "4 January 2027" in receipt
        [idea] = await rows(third.engine, tables.ideas)
        assert idea["proposal"] == IDEA["proposal"]


@sqlite_only
async def test_a_resume_card_pressed_after_the_idea_was_submitted_says_there_is_none(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    await megan.one("new idea")
    await megan.one("cancel")
    offer = await megan.one("new idea")
    await submit_idea(megan)  # starts afresh from the offer and submits

    reply = await megan.one_press(offer, "Carry on")

    assert "There is no idea in progress" in reply
    assert await count(bot.engine, tables.ideas) == 1


# About you: asked once, changeable


@sqlite_only
async def test_the_profile_is_asked_only_the_first_time_and_changed_with_my_profile(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    await submit_idea(megan)  # answers "skip" to the profile

    second = await megan.one("new idea")
    assert "step 1 of 7" in second
    seen = []
    for answer in (*IDEA.values(), "cost", "people-and-wellbeing"):
        seen.append(beside_suggestions(await megan.say(answer)))  # the first idea is similar
    assert PROFILE not in seen[-1].text
    assert "If your idea is delivered, may we name you?" in seen[-1]
    assert "step 7 of 7" in seen[-1]
    await megan.one("cancel")

    card = await megan.one("my profile")
    assert PROFILE in card
    assert card.inputs == {"department": None, "function": None, "location": None,
                           "grade": None, "role_type": None}
    saved = await megan.one_press(card, "Save", department="crime-and-justice",
                                  function="investigation", location=" Wakefield ",
                                  grade="constable", role_type="officer")
    assert "your answers are saved" in saved and "my profile" in saved
    again = await megan.one("my profile")
    assert again.inputs == {"department": "crime-and-justice", "function": "investigation",
                            "location": "Wakefield", "grade": "constable",
                            "role_type": "officer"}
    wrong = await megan.one_press(again, "Save", grade="chief constable")
    assert "Please choose your rank or grade from the list" in wrong
    [profile] = await rows(bot.engine, tables.contributor_profiles)
    assert profile["grade"] == "constable"
    assert [a["action"] for a in await rows(bot.engine, tables.audit_log,
                                            tables.audit_log.c.action == "profile.saved")
            ] == ["profile.saved", "profile.saved"]


# The check: edit returns to it


@sqlite_only
async def test_editing_from_the_check_returns_to_the_check(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    check = await answer_to_the_check(megan)

    problem = await megan.one_press(check, "Edit problem")
    assert "What is the problem behind your idea?" in problem
    assert problem.inputs["answer"] == IDEA["problem"]
    assert "Back" in problem.buttons
    check = await megan.one("Notebooks get lost, and searching them takes hours.")
    assert CHECK in check
    assert "Notebooks get lost, and searching them takes hours." in check
    assert IDEA["problem"] not in check

    category = await megan.one_press(check, "Edit category")
    assert category.inputs["answer"] == "technology"
    check = await megan.one_press(category, "Next", answer="wellbeing")
    assert CHECK in check and "Category: Wellbeing and workforce" in check

    recognition = await megan.one_press(check, "Edit recognition")
    unchanged = await megan.one_press(recognition, "Back")  # back from an edit: the check
    assert CHECK in unchanged and "Name me if delivered: Yes" in unchanged

    receipt = await megan.one_press(unchanged, "Submit idea")
    assert RECEIPT in receipt
    [idea] = await rows(bot.engine, tables.ideas)
    assert idea["problem"] == "Notebooks get lost, and searching them takes hours."
    assert idea["category_key"] == "wellbeing" and idea["title"] == IDEA["title"]


@sqlite_only
async def test_text_typed_at_the_check_says_how_to_submit(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    await answer_to_the_check(megan)

    reply = await megan.one("is it ok?")

    assert CHECK in reply and "Type **submit** to send your idea" in reply
    assert await count(bot.engine, tables.ideas) == 0


@sqlite_only
async def test_typing_submit_before_the_end_keeps_the_person_on_their_step(
    bot: BotServer, connector: StandInConnector
):
    """Nothing is submitted, and the remaining questions are still asked in order."""
    megan = Person(bot, connector)
    await megan.one("new idea")
    await megan.one(IDEA["title"])

    reply = await megan.one("submit")

    assert "There are still questions to answer before your idea can be sent" in reply
    assert "What is the problem behind your idea?" in reply
    assert await nothing_submitted(bot)
    reply = await megan.one(IDEA["problem"])
    assert "What do you propose?" in reply  # not the check: the next question


# Exactly one idea per confirmed submission


@sqlite_only
async def test_submit_pressed_twice_makes_one_idea_and_shows_its_receipt_twice(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    check = await answer_to_the_check(megan)

    first = await megan.one_press(check, "Submit idea")
    second = await megan.one_press(check, "Submit idea")

    assert RECEIPT in first and RECEIPT in second
    assert "Reference: IIP-2026-0001" in second
    found = await stored_idea_rows(bot)
    assert [len(found[k]) for k in ("ideas", "history", "audit", "outbox")] == [1, 1, 1, 1]


async def test_submit_tapped_twice_at_once_makes_one_idea(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    check = await answer_to_the_check(megan)

    answers = await asyncio.gather(*(megan.press(check, "Submit idea") for _ in range(3)))

    for replies in answers:
        [reply] = replies
        assert RECEIPT in reply and "Reference: IIP-2026-0001" in reply
    found = await stored_idea_rows(bot)
    assert [len(found[k]) for k in ("ideas", "history", "audit", "outbox")] == [1, 1, 1, 1]
    [counter] = await rows(bot.engine, tables.reference_counters)
    assert counter["last_number"] == 1  # no number was used up by the repeats


@sqlite_only
async def test_a_submit_from_a_check_card_older_than_an_edit_changes_nothing(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    old_check = await answer_to_the_check(megan)
    await megan.one_press(old_check, "Edit title")
    new_check = await megan.one("Tablet notebooks")

    reply = await megan.one_press(old_check, "Submit idea")

    assert OUT_OF_DATE_CHECK in reply
    assert CHECK in reply and "Tablet notebooks" in reply
    assert reply.data("Submit idea") == new_check.data("Submit idea")
    assert await nothing_submitted(bot)
    receipt = await megan.one_press(reply, "Submit idea")
    assert RECEIPT in receipt and "Tablet notebooks" in receipt


@sqlite_only
async def test_a_stale_check_card_is_refused_even_when_the_new_text_needs_a_warning(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    old_check = await answer_to_the_check(megan)
    await megan.one_press(old_check, "Edit benefit")
    await megan.one("Ask pc.jones@example.police.uk for the numbers")

    reply = await megan.one_press(old_check, "Submit idea")

    assert OUT_OF_DATE_CHECK in reply and CHECK in reply
    assert "pc.jones@example.police.uk" in reply
    assert await nothing_submitted(bot)


@sqlite_only
async def test_answers_from_old_cards_change_nothing_and_say_so(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    title = await megan.one("new idea")
    problem = await megan.one_press(title, "Next", answer=IDEA["title"])
    await megan.one_press(problem, "Next", answer=IDEA["problem"])
    before = (await draft_row(bot))["draft"]

    for card, answer in ((title, "A different title"), (problem, "A different problem"),
                         (title, IDEA["title"])):
        reply = await megan.one_press(card, "Next", answer=answer)
        assert OUT_OF_DATE_ANSWER in reply
        assert "What do you propose?" in reply
    forged = await megan.one_value({"action": "intake.answer", "step": "proposal",
                                    "revision": 99, "answer": "From the future"})
    assert OUT_OF_DATE_ANSWER in forged
    wrong_type = await megan.one_value({"action": "intake.answer", "step": "proposal",
                                        "revision": "2", "answer": "A string revision"})
    assert OUT_OF_DATE_ANSWER in wrong_type

    old_back = await megan.one_press(problem, "Back")  # Back on an old card moves nothing
    assert OUT_OF_DATE_ANSWER in old_back and "What do you propose?" in old_back
    old_edit = await megan.one_value({"action": "intake.edit", "step": "title"})
    assert "What do you propose?" in old_edit  # an Edit from an old check card, mid-way
    assert (await draft_row(bot))["draft"] == before


@sqlite_only
async def test_a_category_or_portfolio_removed_since_it_was_chosen_is_asked_again(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    check = await answer_to_the_check(megan, category="technology",
                                      portfolio="digital-and-data")
    smaller = demo_data()
    smaller["categories"] = [c for c in smaller["categories"] if c["key"] != "technology"]
    smaller["portfolios"] = [p for p in smaller["portfolios"] if p["key"] != "digital-and-data"]
    await bot.services.organisation.replace(organisation_from(smaller), "test")

    reply = await megan.one_press(check, "Submit idea")

    assert "A few answers are missing or no longer valid" in reply
    assert "Which category fits best?" in reply
    assert reply.inputs["answer"] is None  # the old choice is not offered as chosen
    assert await nothing_submitted(bot)
    stale = await megan.one_press(reply, "Next", answer="technology")  # the old card's value
    assert "I could not match that to a category" in stale
    assert "Technology and digital" not in stale.text.split("Please choose one of:")[-1]
    reply = await megan.one_press(stale, "Next", answer="process")
    # The other answer no longer valid is asked next, before the check comes back.
    assert "Which portfolio or department would own it?" in reply
    assert reply.inputs["answer"] is None
    assert await nothing_submitted(bot)
    check = await megan.one_press(reply, "Next", answer="local-policing")
    assert CHECK in check and "Category: Process improvement" in check
    assert "Portfolio: Local Policing" in check
    receipt = await megan.one_press(check, "Submit idea")
    assert RECEIPT in receipt
    [idea] = await rows(bot.engine, tables.ideas)
    assert (idea["category_key"], idea["portfolio_key"]) == ("process", "local-policing")


# References, the receipt, and what is written


@sqlite_only
async def test_references_follow_on_and_stay_unique_when_people_submit_at_once(
    bot: BotServer, connector: StandInConnector
):
    people = [Person(bot, connector, object_id=f"00000000-0000-4000-8000-{n:012d}",
                     name=f"Officer {n}") for n in range(1, 5)]
    first = await submit_idea(people[0])
    assert "Reference: IIP-2026-0001" in first
    checks = [await answer_to_the_check(p, {"title": f"Idea of {p.name}"}) for p in people[1:]]

    answers = await asyncio.gather(*(p.one_press(c, "Submit idea")
                                     for p, c in zip(people[1:], checks, strict=True)))

    references = sorted(a.text.split("Reference: ")[1][:13] for a in answers)
    assert references == [f"IIP-2026-{n:04d}" for n in range(2, 5)]
    ideas = await rows(bot.engine, tables.ideas)
    by_reference = {i["reference"]: i for i in ideas}
    for person, answer in zip(people[1:], answers, strict=True):
        reference = answer.text.split("Reference: ")[1][:13]
        assert by_reference[reference]["contributor_object_id"] == person.object_id
        assert by_reference[reference]["title"] == f"Idea of {person.name}"
    assert await count(bot.engine, tables.idea_history) == 4
    assert await count(bot.engine, tables.outbox, STAFF_CARD) == 4


@sqlite_only
async def test_the_receipt_counts_two_months_in_the_uk_calendar(
    bot: BotServer, connector: StandInConnector, clock
):
    clock.current = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 31 December, London time
    receipt = await submit_idea(Person(bot, connector))
    assert "28 February 2027" in receipt  # February is shorter: its last day

    clock.current = datetime(2027, 8, 31, 23, 30, tzinfo=UTC)  # already 1 September in London
    other = Person(bot, connector, object_id="00000000-0000-4000-8000-000000000001")
    receipt = await submit_idea(other)
    assert "Reference: IIP-2027-0001" in receipt  # a new year, a new series
    assert "1 November 2027" in receipt


@sqlite_only
async def test_the_pmo_triage_card_shows_the_idea_and_its_reference(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    await submit_idea(megan)

    [row] = await rows(bot.engine, tables.outbox, STAFF_CARD)
    assert row["object_id"] == ALEX
    assert row["summary"] == f"New idea to triage: {IDEA['title']}"
    triage = reply_of(row["card"])
    assert "IIP-2026-0001" in triage
    for text in IDEA.values():
        assert text in triage
    assert "From Megan Bowen" in triage
    assert "Portfolio: Local Policing" in triage and "Status: Submitted" in triage
    assert "Update due by: 2 January 2027" in triage


@sqlite_only
async def test_a_refused_submission_writes_nothing(bot: BotServer, connector: StandInConnector):
    megan = Person(bot, connector)
    check = await answer_to_the_check(megan)
    await megan.one_press(check, "Edit title")
    await megan.one("A newer title")

    await megan.one_press(check, "Submit idea")  # out of date
    await megan.one_value({"action": "intake.submit", "draft": "0" * 32, "revision": 9})

    assert await nothing_submitted(bot)
    assert await count(bot.engine, tables.audit_log,
                       tables.audit_log.c.action.like("idea.%")) == 0


@sqlite_only
async def test_the_about_you_step_counts_as_a_step_and_has_back_and_cancel(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    reply = await megan.one("new idea")
    for answer in (IDEA["title"], IDEA["problem"], IDEA["proposal"], IDEA["benefit"],
                   "process", "digital-and-data"):
        reply = await megan.one_press(reply, "Next", answer=answer)
    assert PROFILE in reply and "step 7 of 8" in reply

    portfolio = await megan.one_press(reply, "Back")

    assert "Which portfolio or department would own it?" in portfolio
    assert "step 6 of 8" in portfolio
    profile = await megan.one_press(portfolio, "Next", answer="digital-and-data")
    stopped = await megan.one_press(profile, "Cancel")
    assert "Your draft is kept" in stopped
    assert await count(bot.engine, tables.contributor_profiles) == 0


@sqlite_only
async def test_the_resume_card_gives_the_day_the_draft_changed_in_uk_time(
    bot: BotServer, connector: StandInConnector, clock
):
    # Half past midnight on 1 July in London is still 30 June in UTC.
    clock.current = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    megan = Person(bot, connector)
    await megan.one("new idea")
    await megan.one("Digital pocket notebooks")
    await megan.one("cancel")
    clock.advance(days=2)

    offer = await megan.one("new idea")

    assert RESUME in offer and "Last changed 1 July 2026" in offer
