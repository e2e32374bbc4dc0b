"""Similar ideas while writing one, through the Teams Playground's own API (no browser): Alex
shares an idea, then starts another like it; once the problem is given, the similar ideas come
as one card before the next question, and "Mine is different" carries on where Alex was."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.playground_client import PlaygroundClient
from support.playground_stack import Stack, serve_stack
from support.submission_steps import card_title, idea_rows

pytestmark = pytest.mark.e2e
# A busy test machine may search for longer than a turn waits in production (0.1 s): this
# test is about what the search shows, so it waits (the wait has its own test).
PATIENT = 10.0


@pytest.fixture
def stack(playground_installed: None, tmp_path: Path) -> Iterator[Stack]:
    """The bot, waiting as long as the search takes, and a Playground pointed at it."""
    with serve_stack(tmp_path, suggestions_wait=PATIENT) as running:
        yield running

Q_TITLE = "Give your idea a short title"
Q_PROPOSAL = "What do you propose?"
Q_BENEFIT = "What difference would it make?"
Q_RECOGNITION = "If your idea is delivered, may we name you?"
FIRST = {
    "Give your idea a short title": "Speed awareness signs outside every primary school",
    "What is the problem behind your idea?":
        "Drivers speed past primary schools at pick-up time and the neighbourhood team gets "
        "complaints every week.",
    Q_PROPOSAL: "Flashing speed signs outside each primary school.",
    Q_BENEFIT: "Safer school runs and fewer complaints.",
    "Which category fits best?": "process",
    "Which portfolio or department would own it?": "local-policing",
}


def share_all(stack: Stack) -> None:
    """Alex's ideas shared with colleagues, straight in the bot's SQLite file."""
    with contextlib.closing(sqlite3.connect(stack.database)) as db, db:
        db.execute("UPDATE ideas SET visibility = 'shared'")


async def test_similar_ideas_come_after_the_problem_and_mine_is_different_carries_on(
    chat: PlaygroundClient, stack: Stack
):
    async def next_card():
        # Not the welcome, nor the staff card of an idea submitted before (the Playground's
        # one user is on the PMO), which the outbox may send, or redraw, at any turn.
        return await chat.next_message(
            where=lambda m: bool(m.cards) and not m.heading.startswith(("Welcome", "IIP-")))

    async def begin():
        await chat.say("new idea")
        card = await chat.next_message(
            where=lambda m: card_title(m) in (Q_TITLE, "You have an idea in progress"))
        if card_title(card) != Q_TITLE:
            await chat.press(card, "Start afresh")
            card = await next_card()
        return card

    await chat.say("my profile")
    await chat.press(await chat.card_headed("About you"), "Skip: prefer not to say")
    await chat.card_headed("Thank you: your answers are saved")

    card = await begin()
    for question, value in FIRST.items():
        assert card_title(card) == question
        await chat.press(card, "Next", {"answer": value})
        card = await next_card()
        if card_title(card) == "Is it one of these?":  # like an idea of an earlier test
            similar, card = card, await next_card()
            await chat.press(similar, "Mine is different")
            assert "Carry on with yours" in (await next_card()).text_seen
    assert card_title(card) == Q_RECOGNITION
    await chat.press(card, "Next", {"answer": "no"})
    await chat.press(await chat.card_headed("Check your idea"), "Submit idea")
    await chat.card_headed("Thank you: your idea is in")
    reference = idea_rows(stack.database)[-1]["reference"]
    share_all(stack)

    card = await begin()
    await chat.press(card, "Next", {"answer": "Speed signs by primary schools"})
    card = await next_card()
    await chat.press(card, "Next", {"answer": "Cars drive too fast outside primary schools "
                                              "when children arrive and leave."})
    similar = await next_card()
    assert card_title(similar) == "Is it one of these?"
    assert reference in similar.text_seen
    assert "This is your own idea." in similar.text_seen
    question = await next_card()
    assert card_title(question) == Q_PROPOSAL

    await chat.press(similar, "Mine is different")
    carry_on = await next_card()
    assert "Carry on with yours" in carry_on.text_seen
    await chat.press(question, "Next", {"answer": "Signs that show drivers their speed."})
    assert card_title(await next_card()) == Q_BENEFIT
    await chat.say("cancel")
