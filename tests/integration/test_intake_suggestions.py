"""Similar ideas while writing, turn by turn: IntakeFlow with the real idea and support services
on a database, and a finder that records what it is asked (the engine's own tests hold what
it finds). The search runs once per problem answer, never on other turns; what it finds comes
as one card before the next question; each of its buttons does what it says."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from typing import Any

import pytest
from sqlalchemy import update
from support.chat import IDEA, MEGAN_ID, Reply, reply_of
from support.decisions import STRANGER, submit_idea
from support.intake_flow import ANSWERS, MEGAN, ORDER, QUESTION
from support.organisation import demo_organisation
from support.tables import rows

from bot.app import build_services
from bot.domain.ideas import IdeaDetail
from bot.domain.intake import Step
from bot.domain.requests import within_intake
from bot.domain.similar import SUGGESTIONS, Audience, Match, MatchKind, query_of
from bot.presenters.intake import IntakeFlow, Outcome
from bot.presenters.suggesting import Suggestions
from storage import tables

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SIMILAR = "Is it one of these?"


class Finder:
    """Stands in for the similar-ideas engine: answers `found`, and records each question."""

    def __init__(self) -> None:
        self.found: list[Match] = []
        self.asked: list[tuple[str, Audience, int]] = []
        self.broken = False
        self.slow = 0.0
        self.finished = 0

    async def find(self, text: str, *, audience: Audience, limit: int = SUGGESTIONS,
                   exclude: Collection[tuple[MatchKind, int]] = ()) -> list[Match]:
        self.asked.append((text, audience, limit))
        await asyncio.sleep(self.slow)
        if self.broken:
            raise RuntimeError("the index is not there")
        self.finished += 1
        return self.found[:limit]


class Chat:
    """Megan, talking to the flow directly; every card of each turn."""

    def __init__(self, flow: IntakeFlow) -> None:
        self.flow = flow

    async def say(self, text: str) -> list[Reply]:
        return self.replies(await self.flow.handle(MEGAN, within_intake(text)))

    async def press(self, reply: Reply, button: str, **inputs: Any) -> Outcome:
        from cards.requests import parse_card

        action = reply.buttons[button]
        values = {} if action.get("associatedInputs") == "none" else {
            key: "" if value is None else value for key, value in reply.inputs.items()}
        values |= inputs | (action.get("data") or {})
        return await self.flow.handle(MEGAN, parse_card(values))  # type: ignore[arg-type]

    @staticmethod
    def replies(outcome: Outcome) -> list[Reply]:
        return [reply_of(card.card) for card in outcome.cards]


@pytest.fixture
async def services(engine, clock):
    services = build_services(engine, clock)
    await services.organisation.replace(demo_organisation(), "test")
    return services


@pytest.fixture
def finder() -> Finder:
    return Finder()


@pytest.fixture
async def chat(services, finder) -> Chat:
    chat = Chat(IntakeFlow(services.ideas, Suggestions(finder, services.supporters)))
    await chat.flow.begin(MEGAN)
    return chat


async def shared(services, engine, title: str = "Tablets as notebooks") -> IdeaDetail:
    idea = await submit_idea(services, title, contributor=STRANGER)
    async with engine.begin() as connection:
        await connection.execute(update(tables.ideas).where(tables.ideas.c.id == idea.id)
                                 .values(visibility="shared"))
    return idea


def match_of(idea: IdeaDetail, score: float = 0.8) -> Match:
    return Match(MatchKind.IDEA, idea.id, idea.reference, idea.title, "Submitted", None, score)


async def to_the_problem(chat: Chat) -> list[Reply]:
    """Megan answers the title, then the problem: the replies to the problem."""
    await chat.say(ANSWERS[Step.TITLE])
    return await chat.say(ANSWERS[Step.PROBLEM])


async def test_the_problem_answer_brings_similar_ideas_before_the_next_question(
    chat: Chat, finder: Finder, services, engine
):
    idea = await shared(services, engine)
    finder.found = [match_of(idea)]
    assert len(await chat.say(ANSWERS[Step.TITLE])) == 1
    assert finder.asked == []  # the title alone says too little
    similar, question = await chat.say(ANSWERS[Step.PROBLEM])
    assert SIMILAR in similar and idea.reference in similar and idea.title in similar
    assert f"Support {idea.reference}" in similar.buttons
    assert QUESTION[Step.PROPOSAL] in question
    assert finder.asked == [(query_of(IDEA["title"], IDEA["problem"]), Audience.COLLEAGUES,
                             SUGGESTIONS)]
    for step in ORDER[2:-1]:  # every later answer: one card, and no search
        assert len(await chat.say(ANSWERS[step])) == 1
    assert len(finder.asked) == 1


async def test_nothing_found_or_a_failed_search_adds_no_card(chat: Chat, finder: Finder):
    finder.broken = True
    [question] = await to_the_problem(chat)
    assert QUESTION[Step.PROPOSAL] in question
    finder.broken = False
    [again] = await chat.say("back")
    [question] = await chat.say(ANSWERS[Step.PROBLEM])
    assert QUESTION[Step.PROBLEM] in again and QUESTION[Step.PROPOSAL] in question
    assert len(finder.asked) == 2


async def test_from_the_check_card_only_a_changed_title_or_problem_searches_again(
    chat: Chat, finder: Finder, services, engine
):
    finder.found = [match_of(await shared(services, engine))]
    await to_the_problem(chat)
    for step in ORDER[2:-1]:
        [check] = await chat.say(ANSWERS[step])
    assert QUESTION[Step.CHECK] in check
    [title] = Chat.replies(await chat.press(check, "Edit title"))
    [check] = await chat.say(ANSWERS[Step.TITLE])  # the same title again
    assert len(finder.asked) == 1
    [problem] = Chat.replies(await chat.press(check, "Edit problem"))
    similar, check = await chat.say("Searching paper notebooks takes hours.")
    assert SIMILAR in similar and QUESTION[Step.CHECK] in check
    assert finder.asked[-1][0] == query_of(IDEA["title"], "Searching paper notebooks takes "
                                                         "hours.")
    assert len(finder.asked) == 2 and QUESTION[Step.TITLE] in title
    assert QUESTION[Step.PROBLEM] in problem


async def test_mine_is_different_carries_on_and_thats_it_discards_the_draft(
    chat: Chat, finder: Finder, services, engine
):
    finder.found = [match_of(await shared(services, engine))]
    similar, question = await to_the_problem(chat)
    outcome = await chat.press(similar, "Mine is different")
    [carry_on] = Chat.replies(outcome)
    assert "Carry on with yours" in carry_on and not outcome.finished
    stored = await services.ideas.draft(MEGAN_ID)
    assert stored.draft.step is Step.PROPOSAL
    [next_question] = Chat.replies(await chat.press(question, "Next",
                                                    answer=ANSWERS[Step.PROPOSAL]))
    assert QUESTION[Step.BENEFIT] in next_question

    outcome = await chat.press(similar, "That's it, no need")
    assert outcome.finished and "Your draft is discarded" in Chat.replies(outcome)[0]
    assert await services.ideas.draft(MEGAN_ID) is None


async def test_supporting_from_the_card_discards_the_draft_and_keeps_the_comment(
    chat: Chat, finder: Finder, services, engine
):
    idea = await shared(services, engine)
    finder.found = [match_of(idea)]
    similar, _question = await to_the_problem(chat)
    outcome = await chat.press(similar, f"Support {idea.reference}",
                               **{f"comment-{idea.id}": "Same in Leeds."})
    [done] = Chat.replies(outcome)
    assert outcome.finished and f"you now support {idea.reference}" in done
    assert await services.ideas.draft(MEGAN_ID) is None
    [row] = await rows(engine, tables.idea_supporters)
    assert (row["object_id"], row["name"], row["comment"]) == (MEGAN_ID, "Megan Bowen",
                                                               "Same in Leeds.")


async def test_a_forged_or_unseeable_idea_is_refused_and_the_draft_carries_on(
    chat: Chat, finder: Finder, services, engine
):
    private = await submit_idea(services, "Kept private", contributor=STRANGER)
    finder.found = [match_of(private)]  # as if the index had let it through
    similar, _question = await to_the_problem(chat)
    for forged in (private.id, 2**31 - 1, "7"):
        outcome = await chat.press(similar, f"Support {private.reference}", idea=forged)
        [refused] = Chat.replies(outcome)
        assert "can no longer be supported" in refused and not outcome.finished
        assert QUESTION[Step.PROPOSAL] in refused  # where Megan was
    assert await rows(engine, tables.idea_supporters) == []
    assert (await services.ideas.draft(MEGAN_ID)) is not None


async def test_ones_own_idea_is_shown_as_such_without_support(
    chat: Chat, finder: Finder, services, engine
):
    mine = await submit_idea(services, "Megan's earlier idea", contributor=MEGAN_ID)
    await chat.flow.begin(MEGAN)  # her earlier idea went in: a new one
    finder.found = [match_of(mine)]
    similar, _question = await to_the_problem(chat)
    assert "This is your own idea." in similar
    assert f"Support {mine.reference}" not in similar.buttons


async def test_a_search_slower_than_the_turn_may_wait_is_left_to_finish_unseen(
    services, finder: Finder, engine
):
    finder.found = [match_of(await shared(services, engine))]
    finder.slow = 0.5
    chat = Chat(IntakeFlow(services.ideas, Suggestions(finder, services.supporters,
                                                       wait=0.05)))
    await chat.flow.begin(MEGAN)
    await chat.say(ANSWERS[Step.TITLE])
    started = time.perf_counter()
    [question] = await chat.say(ANSWERS[Step.PROBLEM])
    assert time.perf_counter() - started < finder.slow
    assert QUESTION[Step.PROPOSAL] in question
    assert (len(finder.asked), finder.finished) == (1, 0)
    await asyncio.sleep(finder.slow + 0.2)
    assert finder.finished == 1  # not cancelled mid-way
