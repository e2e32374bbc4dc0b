"""What a person sees: the Teams Playground's real chat page, in headless Chromium.

Cards are rendered by Teams' own Adaptive Card renderer, so these tests find inputs and
buttons by their labels and roles, as a person (or a screen reader) would. Each step leaves a
screenshot under test-artefacts/e2e/ for a reviewer.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.playground_stack import Stack

pytestmark = pytest.mark.e2e

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
# Generous, for busy machines: the page loads in about 2 s and a card arrives in 0.1 s here.
LOAD_MS = 60_000
WAIT_MS = 15_000
ALEX_OBJECT_ID = "00000000-0000-0000-0000-0000000000020"

try:
    from playwright.async_api import Locator, Page, async_playwright, expect
except ImportError:  # reported by the `chromium` fixture, so that CI fails rather than skips
    async_playwright = None  # type: ignore[assignment]
else:
    expect.set_options(timeout=WAIT_MS)


@pytest.fixture
def shots(artefacts: Path) -> Path:
    folder = artefacts / "e2e"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
async def page(chromium: Path, stack: Stack) -> AsyncIterator[Page]:
    """The Playground's chat page, open, in a fresh headless Chromium that stays offline."""
    with tempfile.TemporaryDirectory(prefix="iip-chromium-") as profile:
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                profile, executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 1600}, locale="en-GB",
            )
            try:
                await context.route("**/*", _only_local)
                tab = context.pages[0] if context.pages else await context.new_page()
                tab.set_default_timeout(WAIT_MS)
                await tab.goto(stack.playground_url, timeout=LOAD_MS)
                yield tab
            finally:
                await context.close()


async def _only_local(route) -> None:
    """Nothing leaves the machine (the page asks a CDN for fonts)."""
    if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
        await route.continue_()
    else:
        await route.abort()


def card_headed(page: Page, heading: str) -> Locator:
    """The newest card in the chat whose heading starts with `heading`."""
    return page.locator(".ac-adaptiveCard").filter(
        has=page.get_by_role("heading", name=heading)
    ).last


async def say(page: Page, text: str) -> None:
    box = page.locator('[data-lexical-editor="true"]')
    await box.click()
    await box.fill(text)
    await page.get_by_role("button", name="Send Message").click()


async def shoot(page: Page, card: Locator, path: Path) -> None:
    """The whole page, and the card alone (the chat pane scrolls, so a page shot may cut it)."""
    await card.scroll_into_view_if_needed()
    await page.screenshot(path=path)
    await card.screenshot(path=path.with_name(f"{path.stem}-card.png"))


async def assert_no_raw_markdown(card: Locator) -> None:
    text = await card.inner_text()
    assert "**" not in text, f"Markdown shown as typed: {text!r}"


async def test_opening_the_chat_shows_the_welcome_card(page: Page, shots: Path):
    welcome = card_headed(page, "Welcome to the Improvement and Innovation Portal")

    await expect(welcome).to_be_visible()
    await expect(welcome).to_contain_text("or type to me at any time:")
    # The commands are a real list, with the words to type in bold (Alex is PMO and a SPOC:
    # the five for everyone, three for staff, triage and the PMO hub).
    await expect(welcome.get_by_role("listitem")).to_have_count(10)
    await expect(welcome.locator("li strong")).to_have_text(
        ["new idea", "my ideas", "search", "help", "feedback", "my queue", "deferred",
         "report", "triage", "pmo"])
    await expect(welcome.get_by_role("button", name="New idea")).to_be_visible()
    await expect(welcome.get_by_role("button", name="How it works")).to_be_visible()
    await expect(welcome.get_by_role("button", name="Give feedback")).to_be_visible()
    await assert_no_raw_markdown(welcome)
    await shoot(page, welcome, shots / "01-welcome.png")


async def test_help_then_feedback_as_a_person_would(page: Page, stack: Stack, shots: Path):
    await say(page, "help")

    help_card = card_headed(page, "How the Improvement and Innovation Portal works")
    await expect(help_card).to_be_visible()
    await expect(help_card).to_contain_text("What makes a good suggestion")
    await expect(help_card).to_contain_text("iip.pmo@example.police.uk")
    await expect(help_card.locator("strong").first).to_have_text("Start with the problem")
    await assert_no_raw_markdown(help_card)
    await shoot(page, help_card, shots / "02-help.png")

    await help_card.get_by_role("button", name="Frequently asked questions").click()
    await expect(help_card.get_by_text("Who sees my idea?")).to_be_visible()
    await shoot(page, help_card, shots / "03-help-faq.png")

    await help_card.get_by_role("button", name="Give feedback").click()
    form = card_headed(page, "Feedback on the portal bot")
    await expect(form).to_be_visible()
    await shoot(page, form, shots / "04-feedback-form.png")

    await form.get_by_role("combobox", name="How easy is the bot to use?").click()
    await page.get_by_role("option", name="Easy", exact=True).click()
    await form.get_by_label("Your feedback").fill("Typed in the real Teams chat page.")
    await form.get_by_role("checkbox", name="May we contact you?").check()
    await shoot(page, form, shots / "05-feedback-filled.png")
    await form.get_by_role("button", name="Send feedback").click()

    thanks = card_headed(page, "Thank you for your feedback")
    await expect(thanks).to_be_visible()
    await expect(thanks).to_contain_text("It is stored for the PMO team")
    await shoot(page, thanks, shots / "06-feedback-thanks.png")
    stored = [r for r in stack.feedback_rows()
              if r["comment"] == "Typed in the real Teams chat page."]
    assert len(stored) == 1
    assert stored[0]["author_object_id"] == ALEX_OBJECT_ID
    assert stored[0]["rating"] == "4"
    assert stored[0]["may_contact"] == 1


async def test_the_form_asks_for_a_comment_before_sending(page: Page, stack: Stack, shots: Path):
    await say(page, "feedback")
    form = card_headed(page, "Feedback on the portal bot")
    await expect(form).to_be_visible()
    before = len(stack.feedback_rows())

    await form.get_by_role("button", name="Send feedback").click()

    await expect(form.get_by_text("Please write your feedback before sending it.")).to_be_visible()
    await shoot(page, form, shots / "07-feedback-required.png")
    assert len(stack.feedback_rows()) == before

    # Spaces satisfy the card's own check; the bot sends the form back with its answer kept.
    forms = page.locator(".ac-adaptiveCard").filter(
        has=page.get_by_role("heading", name="Feedback on the portal bot"))
    await form.get_by_role("combobox", name="How easy is the bot to use?").click()
    await page.get_by_role("option", name="Hard", exact=True).click()
    await form.get_by_label("Your feedback").fill("   ")
    await form.get_by_role("button", name="Send feedback").click()

    await expect(forms).to_have_count(2)
    again = forms.last
    await expect(again.get_by_text("Your feedback is empty. Please write a few words.")
                 ).to_be_visible()
    await expect(again.get_by_role("combobox", name="How easy is the bot to use?")
                 ).to_have_value("Hard")
    await shoot(page, again, shots / "08-feedback-empty.png")
    assert len(stack.feedback_rows()) == before
