"""Suggestions while writing, and supporting an idea instead, across people over HTTP: Pat shares
an idea; Sam writes one like it, sees Pat's while writing, and supports it with a comment; the
PMO is told, triages it and its SPOC approves it; Pat and Sam both hear. Sam never reads Pat's
name, and Pat never reads Sam's."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update
from support.bot_server import BotServer, serving
from support.chat import Person, submit_idea
from support.connector import StandInConnector
from support.decisions import chat_of, say
from support.invokes import cards_to, press, until
from support.organisation import ALEX

from bot.config import Settings
from bot.domain.lifecycle import Move
from storage import tables
from storage.tables import idea_supporters

SAM = "5b0e2d1c-6a7f-4c3b-9e8d-1f2a3b4c5d6e"
PAT = "9d8c7b6a-5f4e-4d3c-8b2a-1e0f9a8b7c6d"
PATS = {
    "title": "Body-worn video docking at every custody suite",
    "problem": "Officers queue at the one docking station in custody to upload body-worn "
               "video at the end of a shift, so they finish late and footage is missed.",
    "proposal": "A docking station in every custody suite.",
    "benefit": "Half an hour a shift for each officer.",
}
SAMS_TITLE = "More BWV docking stations in custody"
SAMS_PROBLEM = ("At the end of every shift officers wait in a queue at the single body-worn "
                "video dock in custody, and some footage never uploads.")
REFERENCE = re.compile(r"IIP-\d{4}-\d{4,}")
COMMENT = "Nights at the central custody suite lose an hour to this."


@pytest.fixture
async def bot(database_url: str, connector: StandInConnector, clock
              ) -> AsyncIterator[BotServer]:
    """The bot, waiting as long as the search takes: a busy test machine may search for longer
    than a turn waits in production (the wait has its own test)."""
    async with serving(Settings(database_url=database_url, suggestions_wait=10.0),
                       connector.url, clock=clock) as server:
        yield server


def everything_to(connector: StandInConnector, object_id: str) -> str:
    """All a person read in their chat, replies and notices alike."""
    return "\n".join(r.text_seen for r in connector.received
                     if r.conversation_id == chat_of(object_id))


async def test_a_colleague_supports_a_shared_idea_and_both_hear_it_approved(
    bot: BotServer, connector: StandInConnector
):
    await say(bot, connector, ALEX, "my queue")  # the PMO's chat is known
    pat = Person(bot, connector, object_id=PAT, name="Pat Contributor")
    receipt = await submit_idea(pat, PATS)
    reference = REFERENCE.search(receipt.text).group()  # type: ignore[union-attr]
    idea = await bot.services.ideas.idea_of(PAT, reference)
    async with bot.engine.begin() as connection:  # Pat shares it with colleagues
        await connection.execute(update(tables.ideas).where(tables.ideas.c.id == idea.id)
                                 .values(visibility="shared"))

    sam = Person(bot, connector, object_id=SAM, name="Sam Supporter")
    assert "Give your idea a short title" in await sam.one("new idea")
    assert "What is the problem" in await sam.one(SAMS_TITLE)
    similar, question = await sam.say(SAMS_PROBLEM)
    assert "Is it one of these?" in similar and reference in similar
    assert PATS["title"] in similar
    assert "What do you propose?" in question

    [supported] = await sam.press(similar, f"Support {reference}",
                                  **{f"comment-{idea.id}": COMMENT})
    assert f"you now support {reference}" in supported
    assert "Your draft is discarded" in supported
    assert await bot.services.ideas.draft(SAM) is None
    async with bot.engine.connect() as connection:
        [row] = (await connection.execute(idea_supporters.select())).mappings().all()
    assert (row["idea_id"], row["object_id"], row["comment"]) == (idea.id, SAM, COMMENT)

    # The PMO, triaging it, is told who and what they add.
    await until(lambda: [r for r in cards_to(connector, ALEX, reference)
                         if "A colleague supports" in r.text_seen])
    [told] = [r for r in cards_to(connector, ALEX, reference)
              if "A colleague supports" in r.text_seen]
    assert "Sam Supporter" in told.text_seen and COMMENT in told.text_seen

    idea = await bot.services.ideas.idea_of(PAT, reference)
    await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="local-policing")
    idea = await bot.services.ideas.idea_of(PAT, reference)
    approved = await press(bot, ALEX, idea, Move.APPROVE, root_causes=True,
                           message="Pat, the custody team will be in touch.")
    assert "Supporters" in str(approved)

    def heard(object_id: str, words: str) -> list:
        return [r for r in cards_to(connector, object_id, reference) if words in r.text_seen]

    await until(lambda: heard(PAT, "Good news: your idea is approved")
                and heard(SAM, "Good news: an idea you support is approved"))
    [sams] = heard(SAM, "Good news: an idea you support is approved")
    assert "the custody team will be in touch" not in sams.text_seen
    assert "Pat" not in everything_to(connector, SAM)
    assert "Sam Supporter" not in everything_to(connector, PAT)
    assert "1 colleague supports it" in await pat.one(f"status {reference}")


async def test_mine_is_different_carries_on_and_thats_it_discards_the_draft(
    bot: BotServer, connector: StandInConnector
):
    pat = Person(bot, connector, object_id=PAT, name="Pat Contributor")
    receipt = await submit_idea(pat, PATS)
    reference = REFERENCE.search(receipt.text).group()  # type: ignore[union-attr]
    async with bot.engine.begin() as connection:
        await connection.execute(update(tables.ideas).values(visibility="shared"))

    sam = Person(bot, connector, object_id=SAM, name="Sam Supporter")
    await sam.one("new idea")
    await sam.one(SAMS_TITLE)
    similar, _question = await sam.say(SAMS_PROBLEM)
    assert reference in similar
    assert "the next question is just above" in await sam.one_press(similar,
                                                                     "Mine is different")
    assert "What difference would it make?" in await sam.one("Docks in every suite.")
    assert (await bot.services.ideas.draft(SAM)) is not None

    assert "Your draft is discarded" in await sam.one_press(similar, "That's it, no need")
    assert await bot.services.ideas.draft(SAM) is None
    # The stale card changes nothing now: there is no draft to discard or support with.
    refused = await sam.one_press(similar, f"Support {reference}")
    assert "nothing changed" in refused.text.lower()
    async with bot.engine.connect() as connection:
        assert (await connection.execute(idea_supporters.select())).all() == []
