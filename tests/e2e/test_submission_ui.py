"""Submitting an idea as a person does: the Teams Playground's real chat page, in headless Chromium.

Alex Wilber (the Playground's current user) types `new idea`, answers each step on its card
(one step typed instead, one Back on the way), answers the optional "About you" card once,
checks the idea, submits it, and finds it in `my ideas`. Every step leaves a numbered
screenshot under test-artefacts/e2e/submission/ for a reviewer. A quick test through the
Playground's own API (no browser) covers the warning about personal details.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.playground_client import PlaygroundClient
from support.playground_stack import Stack
from support.submission_steps import (
    Shots,
    card_headed,
    card_title,
    choose,
    expect,
    forget_profile,
    idea_rows,
    open_chat,
    press,
    say,
)

pytestmark = pytest.mark.e2e

ALEX_OBJECT_ID = "00000000-0000-0000-0000-0000000000020"
REFERENCE = re.compile(r"IIP-\d{4}-\d{4}")

TITLE = "Body-worn video uploads at the front counter"
PROBLEM = ("Officers wait up to 40 minutes at the end of a shift for body-worn video to upload "
           "at the only docking station, so they finish late and footage is sometimes missed.")
PROPOSAL = ("Put a second docking station at the front counter and let uploads finish "
            "overnight without the officer waiting.")
BENEFIT = "About 30 minutes saved per officer per shift, and fewer missed uploads."

Q_TITLE = "Give your idea a short title"
Q_PROBLEM = "What is the problem behind your idea?"
Q_PROPOSAL = "What do you propose?"
Q_BENEFIT = "What difference would it make?"
Q_CATEGORY = "Which category fits best?"
Q_PORTFOLIO = "Which portfolio or department would own it?"
Q_RECOGNITION = "If your idea is delivered, may we name you?"
# Each input's own label: short, and not the card's heading said again.
LABELS = {Q_TITLE: "The title (up to 120 characters)",
          Q_PROBLEM: "The problem (up to 2,000 characters)",
          Q_BENEFIT: "The benefit (up to 1,000 characters)",
          Q_CATEGORY: "Category", Q_PORTFOLIO: "Portfolio or department",
          Q_RECOGNITION: "Your answer"}


@pytest.fixture
async def page(chromium, stack: Stack) -> AsyncIterator:
    async with open_chat(stack.playground_url) as tab:
        yield tab


@pytest.fixture
def shots(artefacts: Path) -> Shots:
    return Shots(artefacts / "e2e" / "submission")


async def test_an_idea_submitted_with_the_cards_appears_in_my_ideas(
    page, stack: Stack, shots: Shots
):
    forget_profile(stack.database, ALEX_OBJECT_ID)   # so that the "About you" card is asked
    await say(page, "new idea")

    # 1. Title, on the card.
    card = card_headed(page, Q_TITLE)
    await expect(card).to_contain_text("step 1 of")
    await card.get_by_label(LABELS[Q_TITLE]).fill(TITLE)
    await shots.take(page, card, "title")
    await press(card, "Next")

    # 2. Problem, on the card.
    card = card_headed(page, Q_PROBLEM)
    await card.get_by_label(LABELS[Q_PROBLEM]).fill(PROBLEM)
    await shots.take(page, card, "problem")
    await press(card, "Next")

    # 3. Proposal: Back once, to find the problem as it was written.
    card = card_headed(page, Q_PROPOSAL)
    await expect(card.get_by_role("button", name="Back", exact=True)).to_be_visible()
    await shots.take(page, card, "proposal")
    await press(card, "Back")
    card = card_headed(page, Q_PROBLEM)
    await expect(card.get_by_label(LABELS[Q_PROBLEM])).to_have_value(PROBLEM)
    await shots.take(page, card, "problem-again-after-back")
    await press(card, "Next")

    # 4. Proposal, typed in the message box instead of on the card.
    card = card_headed(page, Q_PROPOSAL)
    await expect(card).to_be_visible()
    await say(page, PROPOSAL)

    # 5. Benefit, on the card.
    card = card_headed(page, Q_BENEFIT)
    await expect(page.locator("span", has_text=PROPOSAL).last).to_be_visible()
    await card.get_by_label(LABELS[Q_BENEFIT]).fill(BENEFIT)
    await shots.take(page, card, "benefit-after-typed-proposal")
    await press(card, "Next")

    # 6. Category and portfolio, chosen from the dropdowns by what they show.
    card = card_headed(page, Q_CATEGORY)
    await choose(page, card, LABELS[Q_CATEGORY], "Technology and digital")
    await shots.take(page, card, "category")
    await press(card, "Next")

    card = card_headed(page, Q_PORTFOLIO)
    await card.get_by_role("combobox", name=LABELS[Q_PORTFOLIO]).click()
    await shots.take(page, card, "portfolio-list-open")
    await page.get_by_role("option", name="Local Policing", exact=True).click()
    await press(card, "Next")

    # 7. About you, optional and asked once: two answers, then Save.
    card = card_headed(page, "About you")
    await choose(page, card, "Department", "Local Policing")
    await choose(page, card, "Officer, staff or volunteer", "Police officer")
    await shots.take(page, card, "about-you")
    await press(card, "Save")

    # 8. Recognition.
    card = card_headed(page, Q_RECOGNITION)
    await expect(card.get_by_role("radiogroup", name=LABELS[Q_RECOGNITION])).to_be_visible()
    await card.get_by_role("radio", name="Yes, you may name me").check()
    await shots.take(page, card, "recognition")
    await press(card, "Next")

    # 9. Check, then submit.
    card = card_headed(page, "Check your idea")
    for text in (TITLE, PROBLEM, PROPOSAL, BENEFIT, "Technology and digital", "Local Policing"):
        await expect(card).to_contain_text(text)
    await expect(card.get_by_role("button", name="Edit title")).to_be_visible()
    await shots.take(page, card, "check")
    await press(card, "Submit idea")

    # 10. The receipt: a reference and the two-month promise.
    card = card_headed(page, "Thank you: your idea is in")
    await expect(card).to_contain_text(REFERENCE)
    await expect(card).to_contain_text("What happens next")
    reference_text = await card.inner_text()
    reference = REFERENCE.search(reference_text).group(0)  # type: ignore[union-attr]
    await shots.take(page, card, "receipt")
    assert "**" not in reference_text

    # 11. My ideas lists it.
    await say(page, "my ideas")
    card = card_headed(page, "My ideas")
    await expect(card).to_contain_text(reference)
    await expect(card).to_contain_text(TITLE)
    await expect(card).to_contain_text("Submitted")
    await shots.take(page, card, "my-ideas")

    # 12. Selecting it (a screen reader hears "Open IIP-…") shows its timeline.
    await card.get_by_role("button", name=f"Open {reference}").click()
    card = card_headed(page, reference, containing="What has happened")
    await expect(card.get_by_role("button", name="Withdraw")).to_be_visible()
    await shots.take(page, card, "timeline")

    stored = [row for row in idea_rows(stack.database) if row["reference"] == reference]
    assert len(stored) == 1
    idea = stored[0]
    assert idea["contributor_object_id"] == ALEX_OBJECT_ID
    assert (idea["title"], idea["problem"], idea["proposal"], idea["benefit"]) == (
        TITLE, PROBLEM, PROPOSAL, BENEFIT)
    assert (idea["category_key"], idea["portfolio_key"]) == ("technology", "local-policing")
    assert idea["named_publicly"] == 1
    assert (idea["department"], idea["role_type"], idea["grade"]) == (
        "local-policing", "officer", "prefer_not_to_say")


async def test_a_phone_number_in_the_problem_is_warned_about_and_can_be_confirmed(
    chat: PlaygroundClient, stack: Stack
):
    """Through the Playground's API, no browser: the warning never blocks.

    Alex answers "About you" first (as "prefer not to say"), so that the submission does not
    ask it, whichever tests ran before this one."""
    problem = "Callers to 01632 960 983 are kept on hold for twenty minutes at night."
    answers = {Q_TITLE: "Night-time call queue", Q_PROBLEM: problem,
               Q_PROPOSAL: "Route night calls to the neighbouring force's desk.",
               Q_BENEFIT: "Shorter waits for callers at night.",
               Q_CATEGORY: "process", Q_PORTFOLIO: "local-policing"}
    before = len(idea_rows(stack.database))

    async def next_card():
        return await chat.next_message(
            where=lambda m: bool(m.cards) and not m.heading.startswith("Welcome"))

    await chat.say("my profile")
    await chat.press(await chat.card_headed("About you"), "Skip: prefer not to say")
    await chat.card_headed("Thank you: your answers are saved")

    await chat.say("new idea")
    card = await chat.next_message(
        where=lambda m: card_title(m) in (Q_TITLE, "You have an idea in progress"))
    if card_title(card) != Q_TITLE:
        await chat.press(card, "Start afresh")
        card = await next_card()
    for question, value in answers.items():
        assert card_title(card) == question
        await chat.press(card, "Next", {"answer": value})
        card = await next_card()
    assert card_title(card) == Q_RECOGNITION
    await chat.press(card, "Next", {"answer": "no"})
    check = await chat.card_headed("Check your idea")

    await chat.press(check, "Submit idea")

    warning = await chat.card_headed("Before you submit")
    assert "**Problem** seems to hold a phone number." in warning.text_seen
    assert "01632" not in warning.text_seen, "the detail itself is not repeated"
    assert len(idea_rows(stack.database)) == before, "nothing is submitted yet"
    await chat.press(warning, "They are needed: submit")

    receipt = await chat.card_headed("Thank you: your idea is in")
    facts = {f["title"]: f["value"] for f in _facts(receipt.card)}
    reference = facts["Reference"]
    assert REFERENCE.fullmatch(reference)
    stored = [row for row in idea_rows(stack.database) if row["reference"] == reference]
    assert len(stored) == 1 and stored[0]["problem"] == problem
    assert len(idea_rows(stack.database)) == before + 1


def _facts(node):
    """Every Fact of a card (FactSet values are not in BotMessage.text_seen)."""
    if isinstance(node, dict):
        if node.get("type") == "FactSet":
            yield from node.get("facts") or []
        for value in node.values():
            yield from _facts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _facts(item)
