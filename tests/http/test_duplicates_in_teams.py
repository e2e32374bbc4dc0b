"""Assessors spot a duplicate in Teams: A submits an idea, B submits the same idea in other
words; once the similar-ideas pass has run, the PMO's card of B's idea shows A's as a likely
duplicate, and one press declines B's as its duplicate. B is told, naming A's idea, never A."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update
from support.bot_server import BotServer, serving
from support.chat import Person, submit_idea
from support.connector import StandInConnector
from support.decisions import execute_button, invoke, say, text_of
from support.invokes import cards_to, until
from support.organisation import ALEX

from bot.app import MATCH_PASS
from bot.config import Settings
from bot.domain.ideas import Status, find_reference
from storage import tables
from storage.engine import connect

A = "00000000-0000-4000-8000-0000000000a1"
B = "00000000-0000-4000-8000-0000000000b2"
A_IDEA = {"title": "Body worn video uploads take too long",
          "problem": "At the end of every shift officers wait at the docking station for "
                     "footage to upload before they can go home."}
B_IDEA = {"title": "BWV footage uploads too slowly",
          "problem": "Officers wait at the end of their shift for body worn video footage to "
                     "upload at the docking station before going home."}


@pytest.fixture
async def bot(database_url: str, connector: StandInConnector, clock) -> AsyncIterator[BotServer]:
    """The bot with its scheduler off, so that the test says when the pass runs."""
    settings = Settings(database_url=database_url, jobs=False, similar_model=False)
    async with serving(settings, connector.url, clock=clock) as server:
        yield server


async def submitted(person: Person, idea: dict[str, str]) -> str:
    receipt = await submit_idea(person, idea)
    reference = find_reference(receipt.text)
    assert reference is not None, receipt.text
    return reference


async def test_the_pmo_declines_a_duplicate_with_one_press_and_its_contributor_is_told(
        bot: BotServer, connector: StandInConnector):
    await say(bot, connector, ALEX, "help")  # the PMO's chat is known
    ada = Person(bot, connector, object_id=A, name="Ada Lovelace")
    ben = Person(bot, connector, object_id=B, name="Ben Okafor")
    a_ref = await submitted(ada, A_IDEA)
    b_ref = await submitted(ben, B_IDEA)
    async with connect(bot.engine) as connection:  # Ada let colleagues see her idea
        await connection.execute(update(tables.ideas).where(tables.ideas.c.reference == a_ref)
                                 .values(visibility="shared"))
        await connection.commit()
    await until(lambda: cards_to(connector, ALEX, b_ref))
    assert "Similar ideas" not in cards_to(connector, ALEX, b_ref)[-1].text_seen

    kept: list[str] = []

    async def matched() -> bool:  # once the engine has learned what is kept
        kept.extend(await bot.app[MATCH_PASS].run())
        return b_ref in kept

    await until(matched)

    button = f"Decline as duplicate of {a_ref}"
    await until(lambda: [r for r in cards_to(connector, ALEX, b_ref) if button in r.text_seen])
    [card] = [r for r in cards_to(connector, ALEX, b_ref) if button in r.text_seen][-1].cards
    words = text_of(card)
    assert f"{a_ref}: {A_IDEA['title']}" in words and "very close" in words
    assert "Ada Lovelace" not in words

    verb, data = execute_button(card, button)
    assert set(data) == {"action", "idea", "version", "original"}
    answer = await invoke(bot, ALEX, verb, data)

    assert "Declined: duplicate" in text_of(answer)
    b_idea = await bot.services.ideas.idea_of(B, b_ref)
    assert (b_idea.status, b_idea.duplicate_of) == (Status.DECLINED, a_ref)
    await until(lambda: [r for r in cards_to(connector, B, b_ref)
                         if "Your idea was declined" in r.text_seen])
    [told] = [r for r in cards_to(connector, B, b_ref) if "Your idea was declined" in r.text_seen]
    assert f"{a_ref}: {A_IDEA['title']}" in told.text_seen
    assert "The same idea has already reached us" in told.text_seen
    everything_ben_saw = " ".join(r.text_seen for r in connector.received
                                  if r.conversation_id == ben.conversation_id)
    assert "Ada" not in everything_ben_saw and A not in everything_ben_saw

    # The same press again, from the card now out of date, changes nothing.
    again = await invoke(bot, ALEX, verb, data)
    assert "This card was out of date" in text_of(again)
    assert (await bot.services.ideas.idea_of(B, b_ref)).version == b_idea.version
