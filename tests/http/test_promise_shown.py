"""The two-month promise as people see it, across identities: once the PMO's update reaches
the contributor, their list says when they were answered and so does the PMO's queue; an idea
nobody answered is plainly overdue on the staff's cards, while its contributor still reads
when an update is due."""

from __future__ import annotations

from support.bot_server import BotServer
from support.chat import Person, seed_idea
from support.connector import StandInConnector
from support.decisions import CONTRIBUTOR, say
from support.invokes import press, until
from support.organisation import ALEX

from bot.domain.lifecycle import Move


async def test_answered_on_for_both_and_overdue_for_the_staff_only(
    bot: BotServer, connector: StandInConnector, clock
):
    await say(bot, connector, ALEX, "help")  # the PMO's chat is known
    pat = Person(bot, connector, object_id=CONTRIBUTOR, name="Pat Contributor")
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")
    answered = await seed_idea(bot, pat, "Digital pocket notebooks")
    waiting = await seed_idea(bot, pat, "Shorter handover forms")

    clock.advance(days=3)
    idea = await bot.services.ideas.idea_of(CONTRIBUTOR, answered)
    await press(bot, ALEX, idea, Move.UPDATE, message="We are looking at the tablets.")

    async def told() -> bool:
        stored = await bot.services.ideas.idea_of(CONTRIBUTOR, answered)
        return stored.first_response is not None
    await until(told)

    mine = await pat.one("my ideas")
    assert "Answered on: 5 November 2026" in mine  # submitted 2 November, answered 5th
    assert mine.text.count("Update due by: 2 January 2027") == 1  # the other one
    queue = await alex.one("my queue")
    assert "Answered on: 5 November 2026" in queue
    assert "Update due by: 2 January 2027" in queue

    clock.advance(days=70)  # 11 January 2027: the other is a week late
    queue = await alex.one("my queue")
    assert "Update overdue since: 3 January 2027" in queue
    status = await alex.one(f"status {waiting}")
    assert "Update overdue since: 3 January 2027" in status
    mine = await pat.one(f"status {waiting}")
    assert "Update due by: 2 January 2027" in mine and "overdue" not in mine.text
