"""A call for ideas as the PMO makes one: the Teams Playground's real chat page.

Alex Wilber (the Playground's current user, a PMO member in the demo organisation) opens the
PMO hub, then the campaign form; fills it in with the opening and closing days from the date
pickers and the audience from the list; saves it; sees the call exactly as its recipients will
and, under it, what to do next; schedules it for tomorrow at 09:00 UK time from the day and
time pickers, and is told when it goes; then presses the preview's Send now after all, which
asks "Send to 1 person?" (Alex is the only person with the app here), and sends it. The call
arrives through the outbox, and its Share an idea button starts a submission. Every step leaves
a numbered screenshot under test-artefacts/e2e/campaigns/.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from support.decision_steps import fill
from support.playground_stack import Stack
from support.submission_steps import (
    Shots,
    card_headed,
    cards,
    choose,
    expect,
    open_chat,
    press,
    say,
)

from bot.domain.ideas import LONDON

pytestmark = pytest.mark.e2e

CALL = "Body-worn video at the front counter"
THEME = "Where could cameras save time?"
DESCRIPTION = "Tell us where recording at the counter would help, and what it would need."


@pytest.fixture
async def page(chromium, stack: Stack) -> AsyncIterator:
    async with open_chat(stack.playground_url, height=1600) as tab:
        yield tab


@pytest.fixture
def shots(artefacts: Path) -> Shots:
    return Shots(artefacts / "e2e" / "campaigns")


async def test_the_pmo_creates_previews_and_sends_a_call_whose_button_starts_an_idea(
    page, stack: Stack, shots: Shots
):
    today = datetime.now(LONDON).date()

    await say(page, "pmo")
    hub = card_headed(page, "The PMO team's hub")
    for button in ("Triage", "Campaigns", "Deferred", "Digest"):
        await expect(hub.get_by_role("button", name=button, exact=True)).to_be_visible()
    await shots.take(page, hub, "hub")

    await say(page, "campaign new")
    form = card_headed(page, "A new call for ideas")
    await fill(form, {"Name": CALL, "Theme": THEME,
                      "What the force wants ideas about, and why": DESCRIPTION,
                      "A question of its own 1 (optional)": "Which counter?",
                      "Opens on": today.isoformat(),
                      "Closes on": (today + timedelta(days=30)).isoformat()})
    await choose(page, form, "Who it goes to", "Everyone with the app")
    await shots.take(page, form, "form-filled")
    await press(form, "Save and preview")

    # The call exactly as recipients will see it, then what to do with it.
    actions = card_headed(page, "Preview of the call for ideas")
    await expect(actions).to_contain_text("Everyone with the app")
    preview = cards(page).filter(has_text=DESCRIPTION).last
    await expect(preview).to_contain_text("Which counter?")
    await expect(preview.get_by_role("button", name="Share an idea")).to_be_visible()
    await shots.take(page, preview, "preview-call")
    await shots.take(page, actions, "preview-actions")

    # Scheduled for tomorrow morning (UK time) from the preview: said when, nothing sent.
    await press(actions, "Schedule")
    tomorrow = today + timedelta(days=1)
    await fill(actions, {"Day (UK)": tomorrow.isoformat(),
                         "Time (UK time, 24-hour clock)": "09:00"})
    await shots.take(page, actions, "schedule-form")
    await press(actions, "Confirm: schedule")
    scheduled = card_headed(page, "Scheduled")
    await expect(scheduled).to_contain_text(
        f"Scheduled for {tomorrow:%A} {tomorrow.day} {tomorrow:%B %Y} at 09:00 (UK time) to "
        "about 1 person")
    await shots.take(page, scheduled, "scheduled")

    # Sent now instead, from the preview's own button.
    await press(actions, "Send now")
    confirm = card_headed(page, "Send to 1 person?")
    await shots.take(page, confirm, "confirm")
    await press(confirm, "Yes, send it")
    sending = card_headed(page, "Sending")
    await expect(sending).to_contain_text("on its way to 1 person")

    # The call itself arrives through the outbox: a second card with its description.
    calls = cards(page).filter(has_text=DESCRIPTION)
    await expect(calls).to_have_count(2, timeout=15_000)
    call = calls.last
    await shots.take(page, call, "call-arrived")
    await press(call, "Share an idea")
    question = card_headed(page, "Give your idea a short title")
    await expect(question).to_contain_text("step 1 of")
    await shots.take(page, question, "submission-started")
    [(key, draft)] = _drafts_and_campaign_keys(stack.database)
    assert json.loads(draft)["campaign"] == key  # the idea answers the call

    # The campaigns list: the call is open, with its numbers.
    await say(page, "campaigns")
    listed = card_headed(page, "Calls for ideas", containing=CALL)
    await expect(listed).to_contain_text("Open")
    await expect(listed).to_contain_text("Reached")
    await shots.take(page, listed, "campaigns")


def _drafts_and_campaign_keys(database: Path) -> list[tuple[str, str]]:
    """Each campaign's key beside each draft in progress (as stored, JSON), read straight
    from the bot's SQLite file."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        return list(db.execute("SELECT campaigns.key, idea_drafts.draft FROM campaigns, "
                               "idea_drafts"))
