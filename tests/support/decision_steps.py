"""Steps of triage and decisions in the Teams Playground's chat page, as the PMO and a SPOC do them.

The idea is seeded quickly through the Playground's own API (the submission journey has its own
test); every decision is then pressed in the page, on the staff idea card that arrived in the
chat: a move's button opens its questions (an Action.ShowCard) and "Confirm: …" sends them
(an Action.Execute, answered in the invoke). A `Watch` reads the same chat's WebSocket stream,
to tell a card replaced in place (`updateMessage`) from a new message (`createMessage`).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.playground_client import BotMessage, PlaygroundClient, PlaygroundClientError
from support.submission_steps import card_title, cards

try:
    from playwright.async_api import Locator, Page
except ImportError:  # the test module says so (and fails under CI)
    Locator = Page = Any  # type: ignore[assignment,misc]

# Answers to the submission questions, in order, as the Playground's API sends them.
IDEA_ANSWERS = {
    "Give your idea a short title": "Body-worn video uploads at the front counter",
    "What is the problem behind your idea?":
        "Officers wait up to 40 minutes at the end of a shift for body-worn video to upload "
        "at the only docking station.",
    "What do you propose?": "A second docking station at the front counter.",
    "What difference would it make?": "About 30 minutes saved per officer per shift.",
    "Which category fits best?": "technology",
    "Which portfolio or department would own it?": "local-policing",
}
NAMED_PUBLICLY = "yes"


@dataclass
class Seeded:
    reference: str
    staff_card: BotMessage  # the PMO's copy of the idea card, as the stream carried it


async def submit_idea(chat: PlaygroundClient, answers: dict[str, str] | None = None) -> Seeded:
    """The current user submits an idea through the Playground's API (the page shows the same
    cards); returns its reference and the staff idea card that then reaches the PMO."""
    answers = answers or IDEA_ANSWERS

    async def next_card() -> BotMessage:
        """The next card of the conversation (the welcome, sent through the outbox on first
        contact, may arrive at any point, and the similar ideas an earlier idea brings beside
        the next question are passed over)."""
        return await chat.next_message(
            where=lambda m: bool(m.cards) and "welcome" not in card_title(m).lower()
            and card_title(m) != "Is it one of these?")

    await chat.say("new idea")
    card = await next_card()
    if card_title(card) == "You have an idea in progress":
        await chat.press(card, "Start afresh")
        card = await next_card()
    for question, answer in answers.items():
        assert card_title(card) == question, f"expected {question!r}, got {card_title(card)!r}"
        await chat.press(card, "Next", {"answer": answer})
        card = await next_card()
    if card_title(card).startswith("About you"):  # asked once per person: skipped
        skip = next(a["title"] for a in card.card.get("actions") or []
                    if "prefer not to say" in str(a.get("title", "")).lower())
        await chat.press(card, skip)
        card = await next_card()
    await chat.press(card, "Next", {"answer": NAMED_PUBLICLY})
    check = await chat.card_headed("Check your idea")
    await chat.press(check, "Submit idea")
    receipt = await chat.card_headed("Thank you: your idea is in")
    reference = next(f["value"] for f in _facts(receipt.card) if f.get("title") == "Reference")
    staff_card = await chat.card_headed(reference)
    return Seeded(reference, staff_card)


async def matches_shown(watch: Watch, database: Path, seeded: Seeded,
                        within: float = 30) -> None:
    """Wait for the similar-ideas pass to reach the idea and, when it redrew the staff card in
    place, for that redraw to arrive; then forget what the stream carried. A redraw that lands
    while a move's questions are open closes them under the test's hands."""
    deadline = asyncio.get_running_loop().time() + within
    while idea_row(database, seeded.reference)["matched_at"] is None:
        if asyncio.get_running_loop().time() > deadline:
            raise PlaygroundClientError(f"{seeded.reference} not matched within {within:g}s")
        await asyncio.sleep(0.2)
    with contextlib.closing(sqlite3.connect(database)) as db:
        (redraws,) = db.execute(
            "SELECT count(*) FROM outbox redraw JOIN outbox card ON redraw.replaces_id = card.id"
            " WHERE card.activity_id = ?", (seeded.staff_card.message_id,)).fetchone()
    if redraws:
        await watch.replaced(seeded.staff_card.message_id,
                             within=max(1.0, deadline - asyncio.get_running_loop().time()))
    watch.forget()


# The page

def staff_card(page: Page, reference: str) -> Locator:
    """Every staff idea card of this idea in the chat (its heading is the reference; the
    contributor's notices show the reference only as a subheading)."""
    return cards(page).filter(has=page.get_by_role("heading", name=reference, exact=True))


def notices(page: Page, heading: str) -> Locator:
    """Every card in the chat headed `heading` (a contributor's notice, say)."""
    return cards(page).filter(has=page.get_by_role("heading", name=heading, exact=True))


def notice(page: Page, heading: str) -> Locator:
    """The newest contributor notice headed `heading`."""
    return notices(page, heading).last


async def open_move(card: Locator, button: str) -> Locator:
    """Press a move's button: its questions open under the card's buttons."""
    await card.get_by_role("button", name=button, exact=True).click()
    confirm = card.get_by_role("button", name=f"Confirm: {button.lower()}", exact=True)
    await confirm.wait_for()
    return confirm


async def fill(card: Locator, answers: dict[str, str]) -> None:
    """Type into the card's inputs, found by their labels."""
    for label, text in answers.items():
        await card.get_by_label(label).fill(text)


@dataclass
class Watch:
    """What the bot sends to the chat, read from the Playground's stream beside the page.

    Frames are kept until a step asks for them, in any order: the outbox may send the
    contributor's notice before or after it replaces the staff card."""

    client: PlaygroundClient
    unclaimed: list[BotMessage] = field(default_factory=list)

    async def replaced(self, message_id: str, within: float = 10) -> BotMessage:
        """The next replacement (a PUT over the sent activity) of this message."""
        return await self._claim(
            lambda m: m.action == "updateMessage" and m.message_id == message_id, within)

    async def created(self, heading: str, within: float = 10) -> BotMessage:
        """The next new message whose card is headed `heading`."""
        return await self._claim(
            lambda m: m.action == "createMessage" and m.heading == heading, within)

    async def nothing_new(self, within: float = 1.5) -> list[str]:
        """Whatever arrives within `within` seconds (and any frame left unclaimed), as
        '<action> <heading>' lines."""
        found = self.unclaimed + await self.client.quiet(within)
        self.unclaimed = []
        return [f"{m.action} {m.heading}" for m in found]

    def forget(self) -> None:
        self.unclaimed = []
        self.client.forget()

    async def _claim(self, wanted: Callable[[BotMessage], bool], within: float) -> BotMessage:
        for index, message in enumerate(self.unclaimed):
            if wanted(message):
                return self.unclaimed.pop(index)
        deadline = asyncio.get_running_loop().time() + within
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                seen = ", ".join(str(m) for m in self.unclaimed) or "nothing"
                raise PlaygroundClientError(f"not arrived within {within:g}s; seen: {seen}")
            message = await self.client.next_message(left)
            if wanted(message):
                return message
            self.unclaimed.append(message)


@contextlib.asynccontextmanager
async def watching(url: str) -> AsyncIterator[Watch]:
    async with PlaygroundClient(url) as client:
        yield Watch(client)


# The database

def idea_row(database: Path, reference: str) -> dict[str, Any]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM ideas WHERE reference = ?", (reference,)).fetchone()
    assert row is not None, f"no idea {reference} stored"
    return dict(row)


def as_people_left_it(row: dict[str, Any]) -> dict[str, Any]:
    """An idea's row without what the staff cards' matching pass sets whenever it gets to the
    idea (not anyone's press)."""
    return {name: value for name, value in row.items() if name != "matched_at"}


def history_of(database: Path, reference: str) -> list[dict[str, Any]]:
    """The idea's history, oldest first."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(
            "SELECT h.* FROM idea_history h JOIN ideas i ON i.id = h.idea_id "
            "WHERE i.reference = ? ORDER BY h.id", (reference,))]


def _facts(node: Any):
    if isinstance(node, dict):
        if node.get("type") == "FactSet":
            yield from node.get("facts") or []
        for value in node.values():
            yield from _facts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _facts(item)
