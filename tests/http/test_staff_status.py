"""`status IIP-…` and the Open buttons for staff, over HTTP: the PMO and the business leads of
the idea's portfolio get the staff card, and only ever one live copy of it in their chat (the
outbox sends it the first time and PUTs over it after that); the reply to what they typed is
a short answer without buttons. Everyone else gets exactly the "not found" of an unknown
reference."""

from __future__ import annotations

import json
from typing import Any

from support.bot_server import BotServer
from support.cards import walk
from support.chat import Person, Reply
from support.connector import Received, StandInConnector
from support.decisions import (
    CONTRIBUTOR,
    NAMES,
    STRANGER,
    chat_of,
    current,
    press_data,
    submit_idea,
    verbs_of,
)
from support.decisions import invoke as press
from support.invokes import until
from support.organisation import ALEX, ISAIAH, MEGAN
from support.tables import rows

from bot.domain.lifecycle import Move
from storage import tables


def person(bot: BotServer, connector: StandInConnector, object_id: str) -> Person:
    return Person(bot, connector, object_id=object_id, name=NAMES[object_id],
                  tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47",
                  conversation_id=chat_of(object_id))


def staff_cards(connector: StandInConnector, object_id: str, reference: str,
                method: str) -> list[Received]:
    """The staff card of `reference` sent (POST) or replaced (PUT) in `object_id`'s chat by
    the outbox, not as a reply to something typed."""
    return [r for r in connector.delivered
            if r.conversation_id == chat_of(object_id) and r.method == method
            and (method == "PUT" or r.path.endswith("/activities"))
            and any(n.get("text") == reference and n.get("style") == "heading"
                    for n in walk(r.cards)) and "Proposal" in r.text_seen]


def has_buttons(reply: Reply) -> bool:
    return any(str(n.get("type", "")).startswith("Action.") for n in walk(reply.card))


def seen(reply: Reply) -> str:
    """Everything of a reply that its reader gets (not the id of what it answers), as JSON."""
    body = reply.received.body
    return json.dumps({key: body.get(key) for key in ("text", "summary", "attachments")})


async def sent_once(bot: BotServer, object_id: str, reference: str) -> dict[str, Any]:
    """The outbox row of `object_id`'s card of `reference`, once it has been sent."""
    key = f"card:{reference}:{object_id}"

    async def sent() -> bool:
        found = await rows(bot.engine, tables.outbox, tables.outbox.c.dedupe_key == key)
        return bool(found) and found[0]["state"] == "sent"

    await until(sent)
    [row] = await rows(bot.engine, tables.outbox, tables.outbox.c.dedupe_key == key)
    return row


async def test_the_pmo_opening_an_idea_gets_its_one_card_updated_in_place(
    bot: BotServer, connector: StandInConnector
):
    alex = person(bot, connector, ALEX)
    await alex.say("my queue")  # Alex has talked to the bot: the outbox knows his chat
    idea = await submit_idea(bot.services, "Digital pocket notebooks")
    card = await sent_once(bot, ALEX, idea.reference)  # the triage card, with buttons
    [triage] = staff_cards(connector, ALEX, idea.reference, "POST")
    assert "allocate" in verbs_of(triage.cards[0])

    answer = await alex.one(f"status {idea.reference.lower()}")

    assert not has_buttons(answer), answer.card
    assert idea.reference in answer and "Digital pocket notebooks" in answer
    assert "Status: Submitted" in answer
    assert "Proposal" not in answer  # the idea itself is on the card, not repeated here
    assert "brought it up to date where I sent it on 2 November 2026" in answer
    await until(lambda: staff_cards(connector, ALEX, idea.reference, "PUT"))
    [put] = staff_cards(connector, ALEX, idea.reference, "PUT")
    assert put.path.endswith(f"/activities/{card['activity_id']}")
    assert "allocate" in verbs_of(put.cards[0])

    # Again, by typing and by the queue's Open button: never a second live copy.
    await alex.one(f"status {idea.reference}")
    [queue] = await alex.say("my queue")
    await alex.one_press(queue, "Open")
    await press(bot, ALEX, "allocate", press_data(idea, Move.ALLOCATE,
                                                    portfolio="local-policing"))
    await until(lambda: any("Status: Business assessment" in r.text_seen
                            for r in staff_cards(connector, ALEX, idea.reference, "PUT")))
    assert len(staff_cards(connector, ALEX, idea.reference, "POST")) == 1
    puts = staff_cards(connector, ALEX, idea.reference, "PUT")
    assert {p.path for p in puts} == {put.path}
    opened = await rows(bot.engine, tables.audit_log, tables.audit_log.c.action == "idea.opened")
    assert [(a["actor"], a["subject"]) for a in opened] == [(ALEX, idea.reference)] * 3


async def test_a_business_lead_opening_an_idea_of_their_portfolio_is_sent_its_card_once(
    bot: BotServer, connector: StandInConnector
):
    megan = person(bot, connector, MEGAN)
    await megan.say("my queue")
    idea = await submit_idea(bot.services, "Shared custody diary", portfolio="crime-and-justice")

    answer = await megan.one(f"status {idea.reference}")

    assert not has_buttons(answer)
    assert "Status: Submitted" in answer
    assert "follows in a moment" in answer
    card = await sent_once(bot, MEGAN, idea.reference)
    [sent] = staff_cards(connector, MEGAN, idea.reference, "POST")
    assert verbs_of(sent.cards[0]) == []  # awaiting triage: nothing for her to do yet

    answer = await megan.one(f"status {idea.reference}")
    assert "brought it up to date where I sent it" in answer
    await press(bot, ALEX, "allocate", press_data(idea, Move.ALLOCATE,
                                                    portfolio="crime-and-justice"))
    await until(lambda: any("approve" in verbs_of(r.cards[0])
                            for r in staff_cards(connector, MEGAN, idea.reference, "PUT")))
    assert len(staff_cards(connector, MEGAN, idea.reference, "POST")) == 1
    assert {r.path for r in staff_cards(connector, MEGAN, idea.reference, "PUT")} == {
        f"/v3/conversations/{chat_of(MEGAN)}/activities/{card['activity_id']}"}
    assert (await current(bot.services, idea)).portfolio_key == "crime-and-justice"


async def test_an_idea_someone_may_not_open_is_not_found_exactly_like_an_unknown_one(
    bot: BotServer, connector: StandInConnector
):
    idea = await submit_idea(bot.services, "Body-worn video docking")  # Local Policing
    unknown = "IIP-2026-0999"

    for who in (STRANGER, MEGAN):  # no role at all; a business lead of other portfolios
        someone = person(bot, connector, who)
        theirs_not = await someone.one(f"status {idea.reference}")
        missing = await someone.one(f"status {unknown}")
        [opened] = await someone.send_value({"action": "ideas.open",
                                             "reference": idea.reference})
        assert "Body-worn video" not in theirs_not.text
        assert seen(theirs_not).replace(idea.reference, unknown) == seen(missing), who
        assert seen(opened).replace(idea.reference, unknown) == seen(missing), who
    assert not await rows(bot.engine, tables.audit_log,
                          tables.audit_log.c.action == "idea.opened")

    # The contributor still sees their own idea's story, without staff buttons.
    contributor = person(bot, connector, CONTRIBUTOR)
    story = await contributor.one(f"status {idea.reference}")
    assert "What has happened" in story and verbs_of(story.card) == []
    # Isaiah, deputy business lead of Local Policing, may open it (nothing to do yet).
    isaiah = person(bot, connector, ISAIAH)
    answer = await isaiah.one(f"status {idea.reference}")
    assert "Body-worn video docking" in answer and not has_buttons(answer)
