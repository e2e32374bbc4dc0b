"""The news channel stops taking the bot's posts (the app was taken out of the team): the
recognition of a delivered idea waits rather than dies, the PMO is told in their own chats
what happened and what to do, and once the app is back the post arrives. Against the
stand-in Bot Connector, through the bot as served."""

from __future__ import annotations

import asyncio

from support.bot_server import BotServer
from support.chat import Person
from support.connector import StandInConnector, forbidden
from support.decisions import CONTRIBUTOR, submit_idea
from support.organisation import ALEX, MEGAN, demo_organisation
from support.promises import move
from support.tables import rows

from bot.domain.lifecycle import Move
from storage import tables

NEWS = demo_organisation().news_channel or ""
REMOVED = forbidden("BotNotInConversationRoster", "The bot is not part of the roster")
PAUSED = "Messages to the news channel are paused"


async def until(check, within: float = 10.0) -> None:
    for _ in range(int(within / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not within the time allowed")


async def test_a_recognition_post_waits_for_the_news_channel_and_the_pmo_is_told_once(
    bot: BotServer, connector: StandInConnector, clock,
):
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")  # the PMO
    megan = Person(bot, connector, object_id=MEGAN, name="Megan Bowen")  # a SPOC
    pat = Person(bot, connector, object_id=CONTRIBUTOR, name="Pat Contributor")
    assert demo_organisation().pmo == (ALEX,)
    for person in (alex, megan, pat):
        await person.say("hi")
    connector.refuse(NEWS, REMOVED)
    idea = await submit_idea(bot.services, "Digital pocket notebooks", named_publicly=True)
    for step in (Move.ALLOCATE, Move.APPROVE, Move.DELIVER):
        idea = await move(bot.services, idea, step)

    async def pmo_told() -> bool:
        return any(r.summary == PAUSED for r in connector.sent_to(alex.conversation_id))
    await until(pmo_told)
    (alert,) = [r for r in connector.sent_to(alex.conversation_id) if r.summary == PAUSED]
    assert "Nothing is lost" in alert.text_seen and "iip org load" in alert.text_seen
    assert NEWS not in alert.text_seen  # named as the PMO knows it, not by its Teams id
    refused = [r for r in connector.received if r.conversation_id == NEWS]
    assert [r.status for r in refused] == [403]
    (post,) = await rows(bot.engine, tables.outbox,
                         tables.outbox.c.dedupe_key == f"recognition:{idea.reference}")
    assert post["state"] == "pending"  # waiting, not given up

    # The app is back in the team; the probe's time comes.
    connector.admit(NEWS)
    clock.advance(minutes=6)

    async def posted() -> bool:
        return any(r.status == 200 for r in connector.sent_to(NEWS))
    await until(posted)
    (arrived,) = [r for r in connector.sent_to(NEWS) if r.status == 200]
    assert "Digital pocket notebooks" in arrived.text_seen
    # The PMO was told once, not once a try; nobody else was told.
    assert [r.summary for r in connector.sent_to(alex.conversation_id)].count(PAUSED) == 1
    assert all(r.summary != PAUSED for person in (megan, pat)
               for r in connector.sent_to(person.conversation_id))
