"""Reminders over HTTP: a business lead's reminder arrives in their chat through the outbox,
with an Open button for each idea and no decision buttons, and Open brings up the idea's one
live card; the contributor's apology names the portfolio and keeps nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from support.bot_server import BotServer
from support.cards import walk
from support.chat import Person, reply_of
from support.connector import Received, StandInConnector
from support.decisions import (
    CONTRIBUTOR,
    NAMES,
    TENANT,
    chat_of,
    press_data,
    submit_idea,
    verbs_of,
)
from support.decisions import invoke as press
from support.invokes import until
from support.organisation import ALEX, MEGAN
from support.tables import rows

from bot.app import JOBS
from bot.domain.lifecycle import Move
from storage import tables


def person(bot: BotServer, connector: StandInConnector, object_id: str) -> Person:
    return Person(bot, connector, object_id=object_id, name=NAMES[object_id],
                  tenant_id=TENANT, conversation_id=chat_of(object_id))


def arrived(connector: StandInConnector, object_id: str, words: str) -> list[Received]:
    return [r for r in connector.delivered if r.conversation_id == chat_of(object_id)
            and r.method == "POST" and words in r.text_seen]


async def test_a_business_lead_is_reminded_and_opens_the_idea_card(
    bot: BotServer, connector: StandInConnector, clock
):
    megan = person(bot, connector, MEGAN)
    await megan.say("my queue")  # the outbox knows her chat
    idea = await submit_idea(bot.services, "Shared custody diary",
                             portfolio="crime-and-justice")  # 2 November: due 2 January
    await press(bot, ALEX, "allocate", press_data(idea, Move.ALLOCATE,
                                                  portfolio="crime-and-justice"))
    await until(lambda: arrived(connector, MEGAN, "Proposal"))  # her card of the idea
    clock.current = datetime(2026, 12, 14, 12, tzinfo=UTC)  # a Monday, 19 days left

    queued = await bot.app[JOBS].run_due()

    assert {(o.job.value, o.to) for o in queued} >= {("spoc_reminder", MEGAN)}
    await until(lambda: arrived(connector, MEGAN, "waiting for an answer"))
    [reminder] = arrived(connector, MEGAN, "waiting for an answer")
    card = reminder.cards[0]
    assert idea.reference in reminder.text_seen and "Shared custody diary" in reminder.text_seen
    assert "2 January 2027" in reminder.text_seen
    assert verbs_of(card) == []  # nothing to decide here: it could never be kept up to date
    opens = [n for n in walk(card) if n.get("type") == "Action.Submit"]
    assert [(n["title"], n["data"]) for n in opens] == [
        ("Open", {"action": "ideas.open", "reference": idea.reference})]

    answer = await megan.one_press(reply_of(card), "Open")

    assert idea.reference in answer and "Status: Business assessment" in answer
    assert "brought it up to date where I sent it on 2 November 2026" in answer
    await until(lambda: any(r.method == "PUT" for r in connector.delivered
                            if r.conversation_id == chat_of(MEGAN)))
    staff = [r for r in connector.delivered if r.conversation_id == chat_of(MEGAN)
             and "Proposal" in r.text_seen]
    assert [r.method for r in staff] == ["POST", "PUT"]  # one live copy, brought up to date

    # A second pass sends her nothing more; the contributor hears nothing yet.
    assert [o for o in await bot.app[JOBS].run_due() if o.to == MEGAN] == []
    assert not await rows(bot.engine, tables.outbox,
                          tables.outbox.c.dedupe_key.like("contributor_apology:%"))


async def test_the_contributor_gets_an_honest_apology_on_the_due_day(
    bot: BotServer, connector: StandInConnector, clock
):
    contributor = person(bot, connector, CONTRIBUTOR)
    await contributor.say("my ideas")
    idea = await submit_idea(bot.services, "Shared custody diary",
                             portfolio="crime-and-justice")
    clock.current = datetime(2027, 1, 4, 10, tzinfo=UTC)  # due Saturday 2nd: caught up Monday

    await bot.app[JOBS].run_due()

    await until(lambda: arrived(connector, CONTRIBUTOR, "still being looked at"))
    [apology] = arrived(connector, CONTRIBUTOR, "still being looked at")
    assert "Crime and Justice" in apology.text_seen and "sorry" in apology.text_seen
    assert "2 January 2027" in apology.text_seen
    [story] = await contributor.press(reply_of(apology.cards[0]), "See its progress")
    assert idea.reference in story
    [row] = await rows(bot.engine, tables.ideas, tables.ideas.c.id == idea.id)
    assert row["first_response_at"] is None  # an apology keeps no promise
