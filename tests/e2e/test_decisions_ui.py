"""Triage and decisions as the PMO and a SPOC make them: the Teams Playground's real chat page.

Alex Wilber (the Playground's current user) is in the demo organisation both a PMO member and
the SPOC of Local Policing, so one person walks an idea through its life. Alex submits an idea
(seeded through the Playground's API, quickly), then, in the page, on the staff idea card that
arrived in the chat: Allocate → Confirm; tries Approve without the root causes (the card says
what is missing, nothing changes); answers both, Approve → message → Confirm; Mark delivered →
what changed → Confirm. The card is replaced in place each time and each contributor notice
arrives. On the way, `my queue` shows Alex the idea awaiting his triage. Every step leaves a
numbered screenshot under test-artefacts/e2e/decisions/.

A second idea is deferred from its card with a revisit date: the contributor's notice arrives,
`deferred` lists it with that date, the card offers what a deferred idea may come to, a
second deferral moves the date, and `my ideas` says the promise was kept ("Answered on" today,
once the outbox has sent the deferral).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from support.decision_steps import (
    Watch,
    as_people_left_it,
    fill,
    history_of,
    idea_row,
    matches_shown,
    notice,
    open_move,
    staff_card,
    submit_idea,
    watching,
)
from support.playground_stack import Stack
from support.submission_steps import (
    Shots,
    card_headed,
    expect,
    open_chat,
    say,
)

from bot.domain.ideas import LONDON
from cards.base import day_text

pytestmark = pytest.mark.e2e

ALEX = "00000000-0000-0000-0000-0000000000020"
MESSAGE = "Message to the contributor, in plain words"
NOTE = "Internal note (not shown to the contributor)"
ROOT_PROBLEM = "What is the problem behind the idea?"
ROOT_IMPLICATED = "Which processes, systems or issues are implicated?"
ROOT_CAUSES = {ROOT_PROBLEM: "One docking station is shared by forty officers on a shift.",
               ROOT_IMPLICATED: "Body-worn video docking and the end-of-shift handover."}
APPROVAL = "Thank you: we will buy a second docking station for the front counter."
WHAT_CHANGED = "A second docking station is now in use at the front counter."
BENEFIT_SEEN = "Officers leave on time; no missed uploads in the first fortnight."
REFUSED = "Please answer both root-cause questions before you approve, decline or escalate"
REVISIT = "Look at it again on"
WHY_LATER = "We will look at it again once the new rota system is in."


@pytest.fixture
async def page(chromium, stack: Stack) -> AsyncIterator:
    async with open_chat(stack.playground_url, height=1400) as tab:
        yield tab


@pytest.fixture
async def watch(page, stack: Stack) -> AsyncIterator[Watch]:
    """The chat's stream, opened after the page (which starts the chat afresh)."""
    async with watching(stack.playground_url) as watcher:
        yield watcher


@pytest.fixture
def shots(artefacts: Path) -> Shots:
    return Shots(artefacts / "e2e" / "decisions")


async def test_an_idea_is_allocated_approved_and_delivered_from_its_card(
    page, watch: Watch, stack: Stack, shots: Shots
):
    verbs: list[str] = []  # the Action.Execute verbs the page sends, in order
    page.on("request", lambda request: verbs.append(_verb(request)) if request.url.endswith(
        "/_conversation/v1/invoke") else None)
    seeded = await submit_idea(watch.client)
    reference, card_id = seeded.reference, seeded.staff_card.message_id
    await matches_shown(watch, stack.database, seeded)
    card = staff_card(page, reference)

    # 1. The PMO's triage card arrives in the chat: Allocate, Decline at triage, Send an update.
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text("Submitted")
    for button in ("Allocate", "Decline at triage", "Send an update"):
        await expect(card.get_by_role("button", name=button, exact=True)).to_be_visible()
    await shots.take(page, card, "triage-card")

    # Alex's queue: the idea awaits triage; nothing awaits his assessment yet.
    await say(page, "my queue")
    queue = card_headed(page, "Ideas awaiting triage", containing=reference)
    await expect(queue).to_contain_text("Ideas awaiting your assessment")
    await shots.take(page, queue, "my-queue")
    assert await watch.nothing_new() == ["createMessage Ideas awaiting triage: 1"]  # that alone

    # 2. Allocate: the contributor's own portfolio is already chosen.
    confirm = await open_move(card, "Allocate")
    await expect(card.get_by_role("combobox", name="Portfolio")).to_have_value("Local Policing")
    await shots.take(page, card, "allocate-open")
    watch.forget()
    await confirm.click()

    # 3. The card is replaced in place by the assessment card (still one card, same message),
    #    and the contributor hears that it is being assessed.
    await expect(card).to_contain_text("Business assessment")
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text("Alex Wilber allocated it on")
    await watch.replaced(card_id)
    await watch.created("Your idea is being assessed")
    assessed = notice(page, "Your idea is being assessed")
    await expect(assessed).to_contain_text("passed it to Local Policing")
    # Teams shows six buttons; the seventh (the rarest, Re-allocate) is under "More options".
    # Alex is the PMO too: who may find the idea is theirs to change, in the card's body.
    buttons = [b.strip() for b in await card.get_by_role("button").all_inner_texts()]
    assert buttons == ["Change who may find it", "Approve", "Decline", "Defer", "Escalate",
                       "Ask a question", "Send an update", "..."], buttons
    await shots.take(page, card, "allocated-card")
    await shots.take(page, assessed, "notice-being-assessed")
    assert idea_row(stack.database, reference)["status"] == "business_assessment"

    # 4. Approve without the root causes: the card says what is missing; nothing changes.
    before = (as_people_left_it(idea_row(stack.database, reference)),
              len(history_of(stack.database, reference)))
    confirm = await open_move(card, "Approve")
    await fill(card, {MESSAGE: APPROVAL})
    await shots.take(page, card, "approve-without-root-causes")
    watch.forget()
    await confirm.click()
    await expect(card).to_contain_text(REFUSED)
    await expect(card).to_contain_text("Business assessment")
    await expect(card).to_have_count(1)
    await shots.take(page, card, "approve-refused")
    assert await watch.nothing_new() == [], "no notice, and no card replaced"
    assert (as_people_left_it(idea_row(stack.database, reference)),
            len(history_of(stack.database, reference))) == before

    # 5. Both root causes answered, then Approve with a message.
    await fill(card, ROOT_CAUSES)
    confirm = await open_move(card, "Approve")
    await fill(card, {MESSAGE: APPROVAL, NOTE: "Budget from the station's minor works."})
    await shots.take(page, card, "approve-filled")
    await confirm.click()
    await expect(card).to_contain_text("Approved")
    await expect(card).not_to_contain_text(REFUSED)
    await expect(card).to_contain_text("Alex Wilber approved it on")
    await expect(card).to_contain_text(ROOT_CAUSES[ROOT_PROBLEM])  # now read-only
    await expect(card.get_by_label(ROOT_PROBLEM)).to_have_count(0)
    await watch.replaced(card_id)
    await watch.created("Good news: your idea is approved")
    approved = notice(page, "Good news: your idea is approved")
    await expect(approved).to_contain_text(APPROVAL)
    await expect(approved).not_to_contain_text("minor works")  # the internal note stays inside
    await shots.take(page, card, "approved-card")
    await shots.take(page, approved, "notice-approved")

    # 6. Mark delivered, with what changed and the benefit seen.
    confirm = await open_move(card, "Mark delivered")
    await fill(card, {"What changed": WHAT_CHANGED, "The benefit seen so far": BENEFIT_SEEN})
    await shots.take(page, card, "deliver-filled")
    await confirm.click()
    await expect(card).to_contain_text("Delivered")
    await expect(card).to_contain_text("Alex Wilber marked it delivered on")
    await expect(card).to_have_count(1)
    await watch.replaced(card_id)
    await watch.created("You said, we did: thank you")
    delivered = notice(page, "You said, we did: thank you")
    await expect(delivered).to_contain_text(f"What changed:{WHAT_CHANGED}")
    await shots.take(page, card, "delivered-card")
    await shots.take(page, delivered, "notice-delivered")

    # 7. The chat, from the staff card down: the queue asked for, then one card per notice,
    #    in order.
    headings = [h.strip() for h in await page.locator(".ac-adaptiveCard [role=heading]")
                .all_inner_texts()]
    tail = headings[headings.index(reference):]
    assert tail == [reference, "Ideas awaiting triage: 1", "Ideas awaiting your assessment: 0",
                    "Your idea is being assessed", "Good news: your idea is approved",
                    "You said, we did: thank you"], headings

    # 8. Alex agreed to be named, so the news channel (Announcements) celebrates it.
    await page.get_by_text("Announcements", exact=True).click()
    recognition = notice(page, "You said, we did")
    await expect(recognition).to_contain_text("Suggested by Alex Wilber")
    await expect(recognition).to_contain_text(WHAT_CHANGED)
    await shots.take(page, recognition, "news-channel-recognition")

    # The Playground sends only the presses: it never asks for a refresh (it ignores the
    # card's `refresh`, and says so under the card: "User specific view is not supported").
    assert [v for v in verbs if v != "refresh"] == ["allocate", "approve", "approve", "deliver"]

    stored = idea_row(stack.database, reference)
    assert stored["status"] == "delivered"
    assert (stored["root_cause_problem"], stored["root_cause_implicated"]) == (
        ROOT_CAUSES[ROOT_PROBLEM], ROOT_CAUSES[ROOT_IMPLICATED])
    moves = [(h["action"], h["from_status"], h["to_status"], h["actor"])
             for h in history_of(stack.database, reference)[1:]]
    assert moves == [("allocate", "submitted", "business_assessment", ALEX),
                     ("approve", "business_assessment", "approved", ALEX),
                     ("deliver", "approved", "delivered", ALEX)]


def _verb(request) -> str:
    return json.loads(request.post_data or "{}").get("value", {}).get("action", {}).get("verb", "")


async def test_an_idea_deferred_from_its_card_is_in_the_register_and_its_promise_kept(
    page, watch: Watch, stack: Stack, shots: Shots
):
    today = datetime.now(LONDON).date()
    first, second = today + timedelta(days=90), today + timedelta(days=200)
    seeded = await submit_idea(watch.client)
    reference = seeded.reference
    await matches_shown(watch, stack.database, seeded)
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
    assert buttons == ["Change who may find it", "Decline", "Defer", "Revisit now",
                       "Send an update"], buttons
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
