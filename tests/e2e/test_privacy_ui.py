"""A way in, and a person's own business kept private: the Teams Playground's real chat page.

Alex Wilber (the Playground's current user, PMO and a business lead in the demo organisation)
opens the app and sees the welcome's buttons for his roles; in the team's General channel he
sees the introduction, then asks the bot for `my ideas` there: the channel gets one short
"Let's do that in private" card, and his 1:1 chat the same next step, which works. Every step
leaves a numbered screenshot under test-artefacts/e2e/privacy/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.playground_stack import Stack
from support.submission_steps import (
    Shots,
    card_headed,
    expect,
    open_chat,
    press,
)

pytestmark = pytest.mark.e2e

NEW_POST = '[data-lexical-editor="true"]'  # the first in a channel starts a new post
WELCOME = "Welcome to the Improvement and Innovation Portal"


@pytest.fixture
async def page(chromium, stack: Stack) -> AsyncIterator:
    async with open_chat(stack.playground_url, height=1300) as tab:
        yield tab


async def mention_the_bot(page, text: str) -> None:
    """Start a post in the open channel that @mentions the bot (picked from Teams' list)."""
    box = page.locator(NEW_POST).first
    await box.click()
    await page.keyboard.type("@Test")
    await page.get_by_role("menuitem", name="Test Bot").click()
    await page.keyboard.type(f" {text}")
    await page.get_by_role("button", name="Post", exact=True).click()


@pytest.fixture
def shots(artefacts: Path) -> Shots:
    return Shots(artefacts / "e2e" / "privacy")


async def test_the_welcome_offers_a_way_in_and_a_channel_sends_personal_asks_to_the_1_1_chat(
    page, stack: Stack, shots: Shots
):
    # 1. The welcome, with the buttons for Alex's roles.
    welcome = card_headed(page, WELCOME)
    await expect(welcome).to_be_visible()
    for button in ("New idea", "My ideas", "My queue", "Triage", "How it works",
                   "Give feedback"):
        await expect(welcome.get_by_role("button", name=button, exact=True)).to_be_visible()
    await shots.take(page, welcome, "welcome-buttons")

    # 2. The team's General channel: the introduction says how to start in private.
    await page.get_by_text("General", exact=True).click()
    introduction = card_headed(page, "The Improvement and Innovation Portal is here")
    await expect(introduction).to_be_visible()
    await expect(introduction).to_contain_text("1:1 chat")
    await shots.take(page, introduction, "channel-introduction")

    # 3. "@Test Bot my ideas", posted in the channel: one short card, nothing of Alex's.
    await mention_the_bot(page, "my ideas")
    private = card_headed(page, "Let's do that in private")
    await expect(private).to_be_visible()
    await expect(private).not_to_contain_text("Alex")
    await expect(private).to_contain_text("I have sent you a message there")
    await shots.take(page, private, "channel-lets-do-that-in-private")

    # 4. In his 1:1 chat, the same next step, and it works.
    await page.get_by_text("Personal Chat", exact=True).click()
    here = card_headed(page, "Let's carry on here")
    await expect(here).to_be_visible()
    await shots.take(page, here, "personal-carry-on-here")
    await press(here, "My ideas")
    mine = page.locator(".ac-adaptiveCard").filter(
        has_text="You have not submitted any ideas yet").last
    await expect(mine).to_be_visible()
    await shots.take(page, mine, "personal-my-ideas")
