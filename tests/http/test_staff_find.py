"""`find TEXT` over HTTP: staff look for ideas by words of their title or their reference;
the PMO finds any idea, a business lead those of the portfolios they assess; newest first,
ten a page, Next and Previous replacing the card in place."""

from __future__ import annotations

import re
from datetime import timedelta

from support.bot_server import BotServer
from support.chat import Person
from support.connector import StandInConnector
from support.decisions import (
    CONTRIBUTOR,
    STRANGER,
    chat_of,
    execute_button,
    execute_titles,
    invoke,
    say,
    snapshot,
    text_of,
)
from support.organisation import ALEX, MEGAN
from support.waiting import seed_ideas

from bot.domain.ideas import Status


def references(text: str) -> list[str]:
    return re.findall(r"IIP-\d{4}-\d{4}", text)


async def test_the_pmo_finds_any_idea_by_its_title_newest_first_ten_a_page(
    bot: BotServer, connector: StandInConnector, clock
):
    since = clock.now() - timedelta(days=100)
    notebooks = await seed_ideas(bot.engine, 25, since, title="Digital NOTEBOOKS, trial {n}")
    await seed_ideas(bot.engine, 5, since, title="Speed cameras {n}", start=100)
    await seed_ideas(bot.engine, 3, since, title="Notebooks for PCSOs {n}",
                     status=Status.DECLINED, portfolio="crime-and-justice", start=200)
    newest_first = [*reversed(notebooks)]

    [found] = await say(bot, connector, ALEX, "find notebooks")

    assert found.summary == "Ideas matching “notebooks”: 28"
    shown = references(found.text_seen)
    assert len(shown) == 10 and "Speed cameras" not in found.text_seen
    assert shown[0] == "IIP-2026-5202"  # the declined ones were submitted last
    assert "Page 1 of 3" in found.text_seen
    assert "Status: Declined" in found.text_seen and "Status: Submitted" in found.text_seen
    verb, data = execute_button(found.cards[0], "Next")
    page = await invoke(bot, ALEX, verb, data)
    assert references(text_of(page)) == newest_first[7:17]
    verb, data = execute_button(page, "Next")
    page = await invoke(bot, ALEX, verb, {**data, "page": 2**62})
    assert references(text_of(page)) == newest_first[17:]
    assert execute_titles(page) == ["Previous"]

    # By a part of its reference, in any case.
    [by_reference] = await say(bot, connector, ALEX, f"find {notebooks[3].lower()[4:]}")
    assert references(by_reference.text_seen) == [notebooks[3]]


async def test_a_business_lead_finds_only_the_ideas_of_their_portfolios(
    bot: BotServer, connector: StandInConnector, clock
):
    since = clock.now() - timedelta(days=10)
    local = await seed_ideas(bot.engine, 2, since, title="Custody handover {n}")
    crime = await seed_ideas(bot.engine, 2, since, title="Custody records {n}",
                             portfolio="crime-and-justice", status=Status.BUSINESS_ASSESSMENT,
                             start=10)

    [megan] = await say(bot, connector, MEGAN, "find custody")
    assert references(megan.text_seen) == crime[::-1]
    [alex] = await say(bot, connector, ALEX, "Find Custody")
    assert references(alex.text_seen) == [*crime[::-1], *local[::-1]]

    assert execute_titles(megan.cards[0]) == []  # one page: no paging buttons
    for who in (CONTRIBUTOR, STRANGER):
        [refusal] = await say(bot, connector, who, "find custody")
        assert not references(refusal.text_seen), who
        assert "Only the PMO team and the portfolios' business leads" in refusal.text_seen


async def test_find_takes_the_text_literally_and_kindly_refuses_what_it_cannot_search(
    bot: BotServer, connector: StandInConnector, clock
):
    since = clock.now() - timedelta(days=10)
    [percent] = await seed_ideas(bot.engine, 1, since, title="100% of calls answered")
    [underscore] = await seed_ideas(bot.engine, 1, since, title="Rename file_names", start=1)
    await seed_ideas(bot.engine, 1, since, title="1000 calls, files named", start=2)
    [backslash] = await seed_ideas(bot.engine, 1, since, title=r"C:\shared\forms", start=3)

    for text, expected in (("100%", [percent]), ("%", [percent]), ("e_n", [underscore]),
                           ("_", [underscore]), ("\\", [backslash]), ("/", [])):
        [found] = await say(bot, connector, ALEX, f"find {text}")
        assert references(found.text_seen) == expected, text
    [nothing] = await say(bot, connector, ALEX, "find parking permits")
    assert "No ideas match “parking permits”" in nothing.text_seen

    before = await snapshot(bot.engine)
    [bare] = await say(bot, connector, ALEX, "find")
    assert "Type find and a few letters of its title or reference" in bare.text_seen
    [too_long] = await say(bot, connector, ALEX, "find " + "x" * 101)
    assert "The text to find is 101 characters long; the limit is 100" in too_long.text_seen
    assert not references(too_long.text_seen)
    verb, data = "find.page", {"action": "find.page", "text": "y" * 5000, "page": 1}
    card = await invoke(bot, ALEX, verb, data)
    assert "the limit is 100" in text_of(card)
    for forged in (None, 42, ["x"], {"x": 1}):
        card = await invoke(bot, ALEX, verb, {**data, "text": forged})
        assert "Type find and a few letters" in text_of(card), forged
    after = await snapshot(bot.engine)
    assert (after.ideas, after.history) == (before.ideas, before.history)


async def test_an_answer_in_a_submission_that_begins_with_find_is_an_answer(
    bot: BotServer, connector: StandInConnector
):
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber",
                  conversation_id=chat_of(ALEX))
    question = await alex.one("new idea")
    assert "Give your idea a short title" in question

    answer = await alex.one("Find stolen bikes faster")

    assert "What is the problem behind your idea?" in answer, answer.text
