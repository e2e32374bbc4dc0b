"""Journeys that cross people: a contributor, the PMO, a portfolio's SPOC and its deputy, each
with their own identity and chat, pressing what Teams would send, and what each is then told."""

from __future__ import annotations

from support.bot_server import BotServer
from support.chat import Person, seed_idea
from support.connector import StandInConnector
from support.decisions import CONTRIBUTOR, say
from support.invokes import cards_to, press, until
from support.organisation import ALEX, ISAIAH

from bot.domain.ideas import IdeaDetail
from bot.domain.lifecycle import Move


def contributor(bot: BotServer, connector: StandInConnector) -> Person:
    return Person(bot, connector, object_id=CONTRIBUTOR, name="Pat Contributor")


async def idea_of(bot: BotServer, pat: Person, reference: str) -> IdeaDetail:
    return await bot.services.ideas.idea_of(pat.object_id, reference)


async def withdraw(pat: Person, reference: str) -> None:
    confirm = await pat.one(f"withdraw {reference}")
    done = await pat.one_press(confirm, "Withdraw it", reason="Changed my mind")
    assert f"{reference} is withdrawn" in done, done.text


def withdrawal_notices(connector: StandInConnector, object_id: str, reference: str) -> list:
    return [r for r in cards_to(connector, object_id, reference, "POST")
            if f"{reference} was withdrawn" in r.text_seen]


async def test_staff_are_told_of_a_second_withdrawal_after_a_reopen(
    bot: BotServer, connector: StandInConnector
):
    await say(bot, connector, ALEX, "my queue")  # the PMO's chat is known
    pat = contributor(bot, connector)
    reference = await seed_idea(bot, pat, "Digital pocket notebooks")
    await withdraw(pat, reference)
    await until(lambda: withdrawal_notices(connector, ALEX, reference))

    await press(bot, ALEX, await idea_of(bot, pat, reference), Move.REOPEN,
                reason="Withdrawn by mistake, the contributor says.",
                message="Your idea is back with the PMO team.")
    await withdraw(pat, reference)

    await until(lambda: len(withdrawal_notices(connector, ALEX, reference)) == 2)
