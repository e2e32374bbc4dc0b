"""Text a person should not, or could not sensibly, send: refused kindly, kept, or shown as text.

Markdown and HTML typed into an idea are shown exactly as written, as a TextRun, in every card
that shows them (to the contributor and to the PMO), never read as formatting or links. Details
that look personal or operational are pointed out before submitting; nothing is blocked.
"""

from __future__ import annotations

import pytest
from support.bot_server import BotServer, sqlite_only
from support.cards import places_holding
from support.chat import IDEA, Person, Reply, answer_to_the_check
from support.connector import Received, StandInConnector
from support.organisation import ALEX
from support.tables import count, rows

from storage import tables

# What may hold a person's own text: a TextRun (never read as Markdown) and an input's value.
# Placeholders, as values, are shown as typed: never read as Markdown.
AS_TEXT = {"TextRun.text", "Input.Text.value", "Input.Text.placeholder"}
HOSTILE = {
    field: f"**{field}** [click](http://evil.example/{field}) <b>{field}</b> _x_ <at>y</at>"
    for field in IDEA
}
REASON = "<script>alert(1)</script> [why](http://evil.example/reason) **because**"
WARNING = "Before you submit"


def where_shown(reply: Reply | Received | dict, text: str) -> set[str]:
    card = reply if isinstance(reply, dict) else (
        reply.card if isinstance(reply, Reply) else reply.cards[0])
    return set(places_holding(card, text))


def outbox_card(row: dict) -> dict:
    return row["card"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_markdown_and_html_are_shown_as_text_in_every_card(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    # The resume card shows a draft's title.
    await megan.one("new idea")
    await megan.one(HOSTILE["title"])
    await megan.one("cancel")
    resume = await megan.one("new idea")
    # The question cards show an answer again (after Back), the check and receipt show them all.
    await megan.one_press(resume, "Start afresh")
    check = await answer_to_the_check(megan, HOSTILE)
    problem_again = await megan.one_press(check, "Edit problem")
    check = await megan.one_press(problem_again, "Back")
    receipt = await megan.one_press(check, "Submit idea")
    assert "Thank you: your idea is in" in receipt
    mine = await megan.one("my ideas")
    timeline = await megan.one("status IIP-2026-0001")
    confirm = await megan.one("withdraw IIP-2026-0001")
    withdrawn = await megan.one_press(confirm, "Withdraw it", reason=REASON)
    assert "is withdrawn" in withdrawn
    after = await megan.one("status IIP-2026-0001")
    staff_cards = await rows(bot.engine, tables.outbox, tables.outbox.c.object_id == ALEX)
    [triage] = [r for r in staff_cards if r["dedupe_key"].startswith("card:")]
    [told] = [r for r in staff_cards if r["dedupe_key"].startswith("withdrawn:")]
    assert {r["dedupe_key"].split(":")[0] for r in staff_cards} <= {"card", "update",
                                                                     "withdrawn"}

    shown = {
        "resume": (resume, ["title"]),
        "question": (problem_again, ["problem"]),
        "check": (check, list(IDEA)),
        "receipt": (receipt, ["title"]),
        "my ideas": (mine, ["title"]),
        "timeline": (timeline, ["title"]),
        "withdraw confirmation": (confirm, ["title"]),
        "withdrawn": (withdrawn, ["title"]),
        "PMO triage": (outbox_card(triage), list(IDEA)),
        "PMO withdrawn": (outbox_card(told), ["title"]),
        **{f"PMO {r['dedupe_key']}": (outbox_card(r), list(IDEA)) for r in staff_cards
           if not r["dedupe_key"].startswith("withdrawn:")},
    }
    for name, (card, fields) in shown.items():
        for field in fields:
            places = where_shown(card, HOSTILE[field])
            assert places, f"the {name} card does not show the {field}"
            assert places <= AS_TEXT, f"the {name} card shows the {field} as {places}"
    for card in (after, outbox_card(told)):
        places = where_shown(card, REASON)
        assert places == {"TextRun.text"}, places
    # The text is stored as typed, too.
    [idea] = await rows(bot.engine, tables.ideas)
    assert {field: idea[field] for field in IDEA} == HOSTILE
    [withdrawal] = await rows(bot.engine, tables.idea_history,
                              tables.idea_history.c.action == "withdrawn")
    assert withdrawal["reason"] == REASON


@sqlite_only
async def test_empty_blank_control_and_over_long_answers_are_refused_and_kept(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    title = await megan.one("new idea")
    long_title = "A" * 121
    cases = [
        ("", "The title is empty. Please write a few words."),
        ("   \n\t  ", "The title is empty. Please write a few words."),
        ("Pocket\x07 notebooks", "The title contains hidden control characters"),
        ("Pocket\x1b[31m notebooks", "The title contains hidden control characters"),
        (long_title, "The title is 121 characters long; the limit is 120. Please shorten it"),
    ]
    for answer, explanation in cases:
        reply = await megan.one_press(title, "Next", answer=answer)
        assert explanation in reply, reply.text
        assert "Give your idea a short title" in reply
        assert (reply.inputs["answer"] or "") == answer  # what they sent, to correct
        assert reply.data("Next") == title.data("Next")  # the draft did not change
    typed = await megan.one("   ")  # a blank typed message is refused the same way
    assert "The title is empty" in typed

    problem = await megan.one(" Pocket notebooks ")
    assert "What is the problem behind your idea?" in problem
    essay = "Paper notebooks are slow. " * 80  # 2,080 characters
    refused = await megan.one(essay)
    assert "The problem is 2,079 characters long; the limit is 2,000" in refused
    assert refused.inputs["answer"] == essay
    accepted = await megan.one_press(refused, "Next", answer=essay[:1990])

    assert "What do you propose?" in accepted
    draft = (await rows(bot.engine, tables.idea_drafts))[0]["draft"]
    assert draft["title"] == "Pocket notebooks"
    assert draft["problem"] == essay[:1990].strip()
    assert await count(bot.engine, tables.ideas) == 0


@sqlite_only
async def test_a_choice_that_is_not_on_the_list_is_asked_again(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    await megan.one("new idea")
    for answer in list(IDEA.values()):
        category = await megan.one(answer)

    for wrong in ("", "Astrology", "9", {"key": "process"}):
        reply = await megan.one_press(category, "Next", answer=wrong)
        assert "Which category fits best?" in reply
        assert "Please choose" in reply or "I could not match that to a category" in reply
    portfolio = await megan.one("saving")  # the start of one name is enough
    assert "Which portfolio or department would own it?" in portfolio
    recognition_or_profile = await megan.one_press(portfolio, "Next", answer="<b>Local</b>")
    assert "I could not match that to a portfolio or department" in recognition_or_profile
    draft = (await rows(bot.engine, tables.idea_drafts))[0]["draft"]
    assert (draft["category"], draft["portfolio"], draft["step"]) == ("cost", None, "portfolio")


# Personal or operational details: a warning before submitting, never a silent block

DETAILS = [
    ("Email pc.smith@police.example.uk for the figures.", "an e-mail address"),
    ("Ring the rota desk on 07700 900123.", "a phone number"),
    ("His NI number AB 12 34 56 C was typed wrong twice.", "a National Insurance number"),
    ("We stopped AB12 CDE three times in a week.", "a vehicle registration"),
    ("See crime ref 13/123456/26 for an example.", "a crime or incident reference"),
    ("The burglary at 12 Acacia Avenue, Leeds LS1 4AB shows it.", "a house number and postcode"),
]


@sqlite_only
async def test_each_kind_of_detail_is_pointed_out_before_submitting(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    check = await answer_to_the_check(megan)

    for detail, finding in DETAILS:
        editing = await megan.one_press(check, "Edit problem")
        check = await megan.one(f"Paper notebooks are slow. {detail}")
        warning = await megan.one_press(check, "Submit idea")
        assert WARNING in warning, f"no warning for {finding}: {warning.text}"
        assert f"**Problem** seems to hold {finding}." in warning
        assert "leave out personal or operational details unless the idea needs them" in warning
        assert {"Edit problem", "They are needed: submit", "Cancel"} <= set(warning.buttons)
        assert detail not in warning.text  # the detail itself is not repeated
        assert editing.inputs["answer"]  # the edit card showed the text to change
    assert await count(bot.engine, tables.ideas) == 0

    receipt = await megan.one_press(warning, "They are needed: submit")

    assert "Thank you: your idea is in" in receipt
    [idea] = await rows(bot.engine, tables.ideas)
    assert idea["problem"].endswith(DETAILS[-1][0])


@sqlite_only
async def test_the_warning_names_every_field_and_each_can_be_edited_from_it(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    await answer_to_the_check(megan, {
        "title": "Rota line 07700 900123",
        "benefit": "Fewer calls to pc.smith@police.example.uk and 0113 496 0000",
    })

    warning = await megan.one("submit")  # typed, as at the check card

    assert WARNING in warning
    assert "**Title** seems to hold a phone number." in warning
    assert "**Benefit** seems to hold an e-mail address and a phone number." in warning
    title = await megan.one_press(warning, "Edit title")
    check = await megan.one("Rota line")
    assert "Check your idea" in check
    warning = await megan.one_press(check, "Submit idea")
    assert "**Title**" not in warning.text and "**Benefit**" in warning
    benefit = await megan.one_press(warning, "Edit benefit")
    assert benefit.inputs["answer"].startswith("Fewer calls")
    check = await megan.one("Fewer calls to the rota desk")
    receipt = await megan.one_press(check, "Submit idea")  # nothing left to warn about
    assert "Thank you: your idea is in" in receipt
    assert title.inputs["answer"] == "Rota line 07700 900123"


@sqlite_only
async def test_a_check_card_pressed_during_an_edit_still_warns(
    bot: BotServer, connector: StandInConnector
):
    """The warning is not skipped because the person pressed an older (but current) button."""
    megan = Person(bot, connector)
    check = await answer_to_the_check(megan, {"problem": "Stopped AB12 CDE three times."})
    warning = await megan.one_press(check, "Submit idea")
    assert WARNING in warning
    await megan.one_press(warning, "Edit problem")  # then thinks better of it

    reply = await megan.one_press(check, "Submit idea")

    assert WARNING in reply
    assert await count(bot.engine, tables.ideas) == 0
    stopped = await megan.one_press(reply, "Cancel")
    assert "Stopped. Your draft is kept" in stopped
    assert await count(bot.engine, tables.idea_drafts) == 1
