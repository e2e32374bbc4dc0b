"""The workforce digest in Teams, between distinct people: the PMO types `digest`, sees the
preview alone, confirms, and everyone with the app receives it once; anyone else is refused,
and in a channel it is offered in private."""

from __future__ import annotations

import asyncio

from support.bot_server import BotServer
from support.chat import Person
from support.connector import StandInConnector
from support.decisions import CONTRIBUTOR, submit_idea
from support.organisation import ALEX, MEGAN
from support.outbox import until_settled
from support.promises import move
from support.tables import rows

from bot.domain.lifecycle import Move
from cards.digest import SUMMARY
from storage import tables


async def a_delivered_idea(bot: BotServer, title: str) -> None:
    idea = await submit_idea(bot.services, title, named_publicly=True)
    for step in (Move.ALLOCATE, Move.APPROVE, Move.DELIVER):
        idea = await move(bot.services, idea, step)


async def all_sent(bot: BotServer, within: float = 5.0) -> None:
    """Until the worker has sent every digest message queued."""
    for _ in range(int(within / 0.05)):
        states = {r["state"] for r in await rows(bot.engine, tables.outbox,
                                                 tables.outbox.c.kind == "digest")}
        if states == {"sent"}:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"digest messages still {states}")


async def test_the_pmo_previews_the_digest_alone_then_everyone_gets_it_once(
    bot: BotServer, connector: StandInConnector,
):
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")
    megan = Person(bot, connector, object_id=MEGAN, name="Megan Bowen")
    pat = Person(bot, connector, object_id=CONTRIBUTOR, name="Pat Contributor")
    for person in (alex, megan, pat):
        await person.say("hi")  # each now has a 1:1 chat the bot knows
    await a_delivered_idea(bot, "Digital pocket notebooks")
    # The worker opens a 1:1 chat with those it tells of the idea's moves: once it has, the
    # preview and the count below see the same people.
    await until_settled(bot.engine, 10)
    connector.received.clear()

    preview = await alex.one("digest")

    assert "You said, we did" in preview and "Digital pocket notebooks" in preview
    assert "Preview: only you can see this" in preview
    # Everyone with a 1:1 chat: the three who said hi, and those the worker opened a chat
    # with to tell them of the idea's moves.
    with_app = {r["object_id"] for r in await rows(bot.engine, tables.conversation_addresses)}
    assert {ALEX, MEGAN, CONTRIBUTOR} <= with_app
    confirm = f"Yes, send to {len(with_app)} people"
    assert confirm in preview.buttons
    assert connector.sent_to(megan.conversation_id) == []  # nothing sent by a preview

    sent = await alex.one_press(preview, confirm)
    assert f"on its way to {len(with_app)} people" in sent
    again = await alex.one_press(preview, confirm)
    assert "Nothing was sent again" in again

    await all_sent(bot)
    for person in (megan, pat):
        [digest] = [r for r in connector.sent_to(person.conversation_id)
                    if r.summary == SUMMARY]
        assert "Digital pocket notebooks" in digest.text_seen
        assert "Suggested by Pat Contributor" in digest.text_seen
        assert "Preview" not in digest.text_seen
    queued = await rows(bot.engine, tables.outbox, tables.outbox.c.kind == "digest")
    assert sorted(r["object_id"] for r in queued) == sorted(with_app)


async def test_anyone_but_the_pmo_is_told_the_digest_is_theirs(
    bot: BotServer, connector: StandInConnector,
):
    megan = Person(bot, connector, object_id=MEGAN, name="Megan Bowen")
    await a_delivered_idea(bot, "Digital pocket notebooks")

    refused = await megan.one("digest")
    forged = await megan.one_value({"action": "digest.send", "digest": 1})

    assert "prepared and sent by the PMO team" in refused
    assert "prepared and sent by the PMO team" in forged
    assert await rows(bot.engine, tables.digests) == []
    assert await rows(bot.engine, tables.outbox, tables.outbox.c.kind == "digest") == []


async def test_a_forged_digest_number_is_no_digest_whatever_its_size(
    bot: BotServer, connector: StandInConnector,
):
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")

    for forged in (2**40, -1, 0, 2**31, "1", True, None):
        reply = await alex.one_value({"action": "digest.send", "digest": forged})
        assert "not one the portal knows" in reply, forged
    assert await rows(bot.engine, tables.outbox, tables.outbox.c.kind == "digest") == []
