"""Searching earlier ideas as a person does, in the Teams Playground's real chat page: the
welcome's **Search earlier ideas** button asks for the words, and the results show a shared
idea's reference, title and status, never who suggested it. The idea is submitted first
through the Playground's own API (no browser), as typed answers."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.playground_client import PlaygroundClient
from support.playground_stack import Stack
from support.submission_steps import Shots, card_headed, expect, idea_rows, open_chat, press, say

pytestmark = pytest.mark.e2e

TITLE = "Second docking station for body-worn video at the front counter"
ANSWERS = (TITLE,
           "Officers wait up to 40 minutes at the end of a shift for body-worn video to "
           "upload at the only docking station.",
           "Put a second docking station at the front counter.",
           "About 30 minutes saved per officer per shift.",
           "Technology and digital", "Local Policing")
REFERENCE = re.compile(r"IIP-\d{4}-\d{4}")


@pytest.fixture
async def page(chromium, stack: Stack) -> AsyncIterator:
    async with open_chat(stack.playground_url) as tab:
        yield tab


@pytest.fixture
def shots(artefacts: Path) -> Shots:
    return Shots(artefacts / "e2e" / "search")


async def submit_shared_idea(chat: PlaygroundClient) -> str:
    """Alex's idea, typed answer by answer and left shared on the check card: its reference."""
    await chat.say("new idea")
    for number, answer in enumerate(ANSWERS, start=1):
        await chat.next_message(where=lambda m, n=number: f"step {n} of" in m.text_seen)
        await chat.say(answer)
    message = await chat.next_message(where=lambda m: "step 7 of" in m.text_seen)
    if "About you" in message.text_seen:
        await chat.say("skip")
        message = await chat.next_message(where=lambda m: "may we name you" in m.text_seen)
    await chat.say("yes")  # may we name you
    check = await chat.card_headed("Check your idea")
    assert "Colleagues can find it" in check.text_seen
    await chat.say("submit")
    receipt = await chat.card_headed("Thank you: your idea is in")
    [reference] = set(REFERENCE.findall(json.dumps(receipt.card)))
    return reference


async def test_search_from_the_welcome_finds_a_shared_idea_without_its_contributor(
        chat: PlaygroundClient, page, stack: Stack, shots: Shots):
    reference = await submit_shared_idea(chat)
    assert [(row["reference"], row["visibility"]) for row in idea_rows(stack.database)] == [
        (reference, "shared")]

    await say(page, "hello")
    welcome = card_headed(page, "Welcome to the Improvement and Innovation Portal")
    await press(welcome, "Search earlier ideas")
    asking = card_headed(page, "Search earlier ideas")
    await expect(asking).to_contain_text("never who suggested an idea")
    await asking.get_by_label("What is the problem or the idea? A few words").fill(
        "body-worn video docking station")
    await shots.take(page, asking, "words")
    await press(asking, "Search")

    found = card_headed(page, "Earlier ideas")
    await expect(found).to_contain_text(reference)
    await expect(found).to_contain_text(TITLE)
    await expect(found).to_contain_text("Submitted")
    await expect(found).not_to_contain_text("Alex")
    await expect(found).not_to_contain_text("Wilber")
    await shots.take(page, found, "results")
