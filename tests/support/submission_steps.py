"""Steps of the idea-submission journey in the Teams Playground's chat page, as a person does them.

Cards are rendered by Teams' own Adaptive Card renderer, so inputs and buttons are found by
their labels and roles. `Shots` leaves a numbered screenshot of every step for a reviewer.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
WAIT_MS = 10_000
LOAD_MS = 30_000
MESSAGE_BOX = '[data-lexical-editor="true"]'

try:
    from playwright.async_api import Locator, Page, async_playwright, expect
except ImportError:  # the test says so (and fails under CI) rather than failing to import
    async_playwright = expect = None  # type: ignore[assignment]


@contextlib.asynccontextmanager
async def open_chat(url: str, *, width: int = 1280, height: int = 1100
                    ) -> AsyncIterator[Page]:
    """The Playground's chat page, open in a fresh headless Chromium that stays offline."""
    assert async_playwright is not None
    with tempfile.TemporaryDirectory(prefix="iip-chromium-") as profile:
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": width, "height": height}, locale="en-GB",
            )
            try:
                await context.route("**/*", _only_local)
                page = context.pages[0] if context.pages else await context.new_page()
                page.set_default_timeout(WAIT_MS)
                # The first load is the slow part (about 2 s, far more on a busy machine).
                await page.goto(url, timeout=LOAD_MS)
                await page.locator(MESSAGE_BOX).wait_for(timeout=LOAD_MS)
                yield page
            finally:
                await context.close()


async def _only_local(route) -> None:
    """Nothing leaves the machine (the page asks a CDN for fonts)."""
    if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
        await route.continue_()
    else:
        await route.abort()


def cards(page: Page) -> Locator:
    return page.locator(".ac-adaptiveCard")


def card_headed(page: Page, heading: str, containing: str | None = None) -> Locator:
    """The newest card in the chat whose heading contains `heading` (and, if given, that
    shows the text `containing`)."""
    found = cards(page).filter(has=page.get_by_role("heading", name=heading))
    return (found.filter(has_text=containing) if containing else found).last


async def say(page: Page, text: str) -> None:
    """Type `text` in the message box and send it."""
    box = page.locator(MESSAGE_BOX)
    await box.click()
    await box.fill(text)
    await page.get_by_role("button", name="Send Message").click()


async def choose(page: Page, card: Locator, label: str, option: str) -> None:
    """Open the dropdown labelled `label` on `card` and pick the option shown as `option`."""
    await card.get_by_role("combobox", name=label).click()
    await page.get_by_role("option", name=option, exact=True).click()


async def press(card: Locator, button: str) -> None:
    await card.get_by_role("button", name=button, exact=True).click()


class Shots:
    """Numbered screenshots of a journey: the page as seen, and the card alone (the chat pane
    scrolls, so the page shot may cut a long card)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.number = 0
        self.taken: list[Path] = []

    async def take(self, page: Page, card: Locator, name: str) -> Path:
        self.number += 1
        path = self.folder / f"{self.number:02d}-{name}.png"
        await card.scroll_into_view_if_needed()
        text = await card.inner_text()
        assert "**" not in text, f"Markdown shown as typed on {name}: {text!r}"
        await page.screenshot(path=path)
        await card.screenshot(path=path.with_name(f"{path.stem}-card.png"))
        self.taken.append(path)
        return path


def idea_rows(database: Path) -> list[dict[str, Any]]:
    """The stored ideas, read straight from the bot's SQLite file."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM ideas ORDER BY id")]


def forget_profile(database: Path, object_id: str) -> None:
    """Remove a person's answers about them, straight from the bot's SQLite file, so that
    their next submission asks the optional questions again (no command does this)."""
    with contextlib.closing(sqlite3.connect(database)) as db, db:
        db.execute("DELETE FROM contributor_profiles WHERE object_id = ?", (object_id,))


def card_title(message: Any) -> str:
    """The text of the heading (style "heading") of a BotMessage's card; the first TextBlock of
    a question card is its "step N of M" line, so BotMessage.heading is not the question."""
    for element in message.card.get("body") or []:
        if isinstance(element, dict) and element.get("style") == "heading":
            return element.get("text", "")
    return message.heading
