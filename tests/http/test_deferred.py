"""The deferred register over HTTP, with distinct people: a SPOC defers an idea and defers it
again (the contributor told each date), the contributor withdraws it; `deferred` lists the
register for the PMO (all of it) and for a SPOC (their portfolios), and politely refuses
anyone else; it pages in place and is answered only in private."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import update
from support.bot_server import BotServer
from support.cards import walk
from support.chat import ChannelMember, Person, seed_idea
from support.connector import StandInConnector
from support.decisions import (
    CONTRIBUTOR,
    STRANGER,
    execute_button,
    execute_titles,
    invoke,
    say,
    text_of,
)
from support.invokes import cards_to, press, until
from support.organisation import ADELE, ALEX, MEGAN
from support.waiting import seed_ideas

from bot.domain.ideas import IdeaDetail, Status
from bot.domain.lifecycle import Move
from storage import tables


def references(text: str) -> list[str]:
    return re.findall(r"IIP-\d{4}-\d{4}", text)


def pat_of(bot: BotServer, connector: StandInConnector) -> Person:
    return Person(bot, connector, object_id=CONTRIBUTOR, name="Pat Contributor")


async def idea_of(bot: BotServer, reference: str) -> IdeaDetail:
    return await bot.services.ideas.idea_of(CONTRIBUTOR, reference)


async def test_a_spoc_defers_defers_again_and_the_contributor_withdraws(
    bot: BotServer, connector: StandInConnector, clock
):
    pat = pat_of(bot, connector)
    await pat.one("my ideas")  # Pat's chat is known
    await say(bot, connector, MEGAN, "my queue")  # and Megan's
    reference = await seed_idea(bot, pat, "Shared case files", portfolio="crime-and-justice")
    await press(bot, ALEX, await idea_of(bot, reference), Move.ALLOCATE,
                portfolio="crime-and-justice")
    await press(bot, MEGAN, await idea_of(bot, reference), Move.DEFER,
                revisit_on="2027-03-01", message="After the new system is chosen.")

    def told(words: str) -> list:
        return [r for r in connector.received if r.conversation_id == pat.conversation_id
                and words in r.text_seen]

    await until(lambda: told("1 March 2027"))

    # Megan's card of the deferred idea offers the register's moves, the date within limits.
    deferred = await idea_of(bot, reference)
    too_far = await press(bot, MEGAN, deferred, Move.DEFER, revisit_on="2030-01-01",
                          message="Much later.")
    assert "at most three years ahead" in text_of(too_far)
    [picker] = [n for n in walk(too_far) if n.get("type") == "Input.Date"]
    today = clock.now().date()
    assert (picker["min"], picker["max"]) == ((today + timedelta(days=1)).isoformat(),
                                              today.replace(year=today.year + 3).isoformat())
    assert (await idea_of(bot, reference)).revisit_on == date(2027, 3, 1)

    clock.advance(days=30)
    card = await press(bot, MEGAN, deferred, Move.DEFER, revisit_on="2027-06-01",
                       message="The choice is delayed.")
    assert "Revisit on: 1 June 2027" in text_of(card)
    again = await idea_of(bot, reference)
    assert (again.status, again.revisit_on) == (Status.DEFERRED, date(2027, 6, 1))
    await until(lambda: told("1 June 2027"))
    [notice] = told("1 June 2027")
    assert "Your idea is deferred" in notice.text_seen
    assert "The choice is delayed." in notice.text_seen

    # Pat withdraws it: the register keeps it no more, and Megan is told.
    story = await pat.one(f"status {reference}")
    assert "Withdraw" in story.buttons
    confirm = await pat.one_press(story, "Withdraw")
    done = await pat.one_press(confirm, "Withdraw it", reason="Solved another way.")
    assert f"{reference} is withdrawn" in done, done.text
    assert (await idea_of(bot, reference)).status is Status.WITHDRAWN
    await until(lambda: [r for r in cards_to(connector, MEGAN, reference, "POST")
                         if f"{reference} was withdrawn" in r.text_seen])
    [register] = await say(bot, connector, MEGAN, "deferred")
    assert reference not in register.text_seen


async def deferred_ideas(bot: BotServer, since, portfolio: str, days: list[str],
                         start: int) -> dict[str, str]:
    """Deferred ideas of `portfolio`, one for each revisit day: their references, by day."""
    found = await seed_ideas(bot.engine, len(days), since, status=Status.DEFERRED,
                             portfolio=portfolio, start=start)
    async with bot.engine.begin() as connection:
        for reference, day in zip(found, days, strict=True):
            await connection.execute(update(tables.ideas)
                                     .where(tables.ideas.c.reference == reference)
                                     .values(revisit_on=date.fromisoformat(day)))
    return dict(zip(days, found, strict=True))


async def test_the_register_for_the_pmo_a_spoc_of_another_portfolio_and_a_contributor(
    bot: BotServer, connector: StandInConnector, clock
):
    since = clock.now() - timedelta(days=200)
    local = await deferred_ideas(bot, since, "local-policing",
                                 [f"2027-0{m}-01" for m in range(1, 10)], 0)
    digital = await deferred_ideas(bot, since, "digital-and-data",
                                   ["2027-02-15", "2028-01-01", "2026-12-01"], 100)
    await seed_ideas(bot.engine, 3, since, status=Status.BUSINESS_ASSESSMENT, start=200)
    soonest_first = [reference for _day, reference in sorted((local | digital).items())]

    [alex] = await say(bot, connector, ALEX, "deferred")
    assert alex.summary == "Deferred ideas: 12"
    assert references(alex.text_seen) == soonest_first[:10]
    assert "Revisit on: 1 December 2026" in alex.text_seen  # a date passed stays listed
    assert "Page 1 of 2" in alex.text_seen
    assert execute_titles(alex.cards[0]) == ["Next"]
    verb, data = execute_button(alex.cards[0], "Next")
    second = await invoke(bot, ALEX, verb, data)
    assert references(text_of(second)) == soonest_first[10:]
    assert execute_titles(second) == ["Previous"]
    # Every idea listed opens with its own button.
    opens = [n for n in walk(alex.cards[0]) if n.get("title") == "Open"]
    assert [o["data"]["reference"] for o in opens] == soonest_first[:10]

    # Adele assesses Digital, Data and Technology (and People and Wellbeing): hers only,
    # and the page a forged Next asks for is the one she may see.
    [adele] = await say(bot, connector, ADELE, "deferred")
    assert references(adele.text_seen) == [digital["2026-12-01"], digital["2027-02-15"],
                                           digital["2028-01-01"]]
    forged = await invoke(bot, ADELE, verb, {**data, "page": 2})
    assert set(references(text_of(forged))) <= set(digital.values())

    for who in (CONTRIBUTOR, STRANGER):
        [refused] = await say(bot, connector, who, "deferred")
        assert not references(refused.text_seen), who
        assert "Only the PMO team and the portfolios' business leads" in refused.text_seen
        page = await invoke(bot, who, verb, data)
        assert not references(text_of(page)), who


async def test_the_register_is_found_on_the_queue_and_in_help_and_kept_private(
    bot: BotServer, connector: StandInConnector, clock
):
    days = await deferred_ideas(bot, clock.now() - timedelta(days=10), "crime-and-justice",
                                ["2027-05-01"], 0)
    megan = Person(bot, connector, object_id=MEGAN, name="Megan Bowen")
    queue = await megan.one("my queue")
    register = await megan.one_press(queue, "Deferred ideas")
    assert references(register.text) == [days["2027-05-01"]]
    staff_line = "deferred: the deferred ideas, the soonest to look at again first"
    assert staff_line in (await megan.one("help")).text.replace("**", "")
    assert staff_line not in (await pat_of(bot, connector).one("help")).text.replace("**", "")

    in_channel = ChannelMember(bot, connector, object_id=MEGAN, name="Megan Bowen")
    replies = await in_channel.say("deferred")
    assert replies and not any(references(r.text) for r in replies)
    assert "Let's do that in private" in replies[0].text
