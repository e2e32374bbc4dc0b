"""The deferred register and the two-month promise, in the Teams Playground's real chat page.

Alex Wilber (PMO member and SPOC of Local Policing in the demo organisation) submits an idea
(through the Playground's API), allocates it and defers it from its card with a revisit date;
the contributor's notice arrives, `deferred` lists the idea with that date, the card offers
what a deferred idea may come to, a second deferral moves the date, and `my ideas` says the
promise was kept ("Answered on" today, once the outbox has sent the deferral). Screenshots go
to test-artefacts/e2e/deferred/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from support.decision_steps import (
    Watch,
    fill,
    history_of,
    idea_row,
    notice,
    open_move,
    staff_card,
    submit_idea,
    watching,
)
from support.playground_stack import Stack
from support.submission_steps import Shots, card_headed, expect, open_chat, say

from bot.domain.ideas import LONDON
from cards.base import day_text

pytestmark = pytest.mark.e2e

MESSAGE = "Message to the contributor, in plain words"
REVISIT = "Look at it again on"
WHY_LATER = "We will look at it again once the new rota system is in."


@pytest.fixture
async def page(chromium, stack: Stack) -> AsyncIterator:
    async with open_chat(stack.playground_url, height=1400) as tab:
        yield tab


@pytest.fixture
async def watch(page, stack: Stack) -> AsyncIterator[Watch]:
    async with watching(stack.playground_url) as watcher:
        yield watcher


@pytest.fixture
def shots(artefacts: Path) -> Shots:
    return Shots(artefacts / "e2e" / "deferred")


async def test_an_idea_deferred_from_its_card_is_in_the_register_and_its_promise_kept(
    page, watch: Watch, stack: Stack, shots: Shots
):
    today = datetime.now(LONDON).date()
    first, second = today + timedelta(days=90), today + timedelta(days=200)
    seeded = await submit_idea(watch.client)
    reference = seeded.reference
    card = staff_card(page, reference)
    await expect(card).to_have_count(1)

    # Allocate, then defer with a revisit date and a message.
    await (await open_move(card, "Allocate")).click()
    await expect(card).to_contain_text("Business assessment")
    confirm = await open_move(card, "Defer")
    await fill(card, {REVISIT: first.isoformat(), MESSAGE: WHY_LATER})
    await shots.take(page, card, "defer-filled")
    await confirm.click()
    await expect(card).to_contain_text("Deferred")
    await expect(card).to_contain_text(day_text(first))
    await watch.created("Your idea is deferred")
    deferred_notice = notice(page, "Your idea is deferred")
    await expect(deferred_notice).to_contain_text(WHY_LATER)
    await shots.take(page, deferred_notice, "notice-deferred")

    # A deferred idea may be declined, deferred again, revisited or updated.
    buttons = [b.strip() for b in await card.get_by_role("button").all_inner_texts()]
    assert buttons == ["Decline", "Defer", "Revisit now", "Send an update"], buttons
    await shots.take(page, card, "deferred-card")

    # The register lists it, with its revisit date.
    await say(page, "deferred")
    register = card_headed(page, "Deferred ideas", containing=reference)
    await expect(register).to_contain_text(day_text(first))
    await shots.take(page, register, "register")

    # Deferred again: the new date on the card and in the register.
    confirm = await open_move(card, "Defer")
    await fill(card, {REVISIT: second.isoformat(), MESSAGE: "Later still: the rota is late."})
    await confirm.click()
    await expect(card).to_contain_text(day_text(second))
    await say(page, "deferred")
    await expect(card_headed(page, "Deferred ideas", containing=reference)).to_contain_text(
        day_text(second))

    # The first deferral kept the two-month promise: `my ideas` says when it was answered.
    await say(page, "my ideas")
    mine = card_headed(page, "My ideas", containing=reference)
    await expect(mine).to_contain_text("Answered on")
    await expect(mine).to_contain_text(day_text(today))
    await shots.take(page, mine, "my-ideas-answered")

    stored = idea_row(stack.database, reference)
    assert (stored["status"], stored["revisit_on"]) == ("deferred", second.isoformat())
    assert stored["first_response_at"] is not None
    assert [h["action"] for h in history_of(stack.database, reference)] == [
        "submitted", "allocate", "defer", "defer"]
    assert date.fromisoformat(stored["sla_due_on"]) > today
