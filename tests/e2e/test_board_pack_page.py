"""The board pack's page in headless Chromium, offline: every section drawn (a screenshot of
each, as printed on A4, kept in test-artefacts/e2e/board-pack/), every chart an image with alt
text, nothing fetched, people's text shown as text, and the printed PDF's page count.

Each section starts a printed page; the small pack's sections each fit on one, so it prints
on exactly as many pages as it has sections. The long pack's registers run on, with their
table headings repeated, and never cut a chart.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from support.submission_steps import CHROMIUM_ARGS, async_playwright

from bot.domain.board_pack import (
    BoardPack,
    CampaignResult,
    Count,
    DeferredIdea,
    DeliveredIdea,
    DiversityTable,
    PackCounts,
    SlaMonthFigure,
    month_starts,
)
from bot.domain.suppression import suppress
from bot.pack.page import render_html

OCTOBER = date(2026, 10, 1)
HOSTILE = '<script>alert("x")</script> & <img src=https://example.com/t.png>'
SECTIONS = ("summary", "mix", "promise", "delivered", "campaigns", "deferred", "diversity")


def a_pack(*, deferred: int = 3) -> BoardPack:
    months = month_starts(OCTOBER)
    counts = PackCounts(
        submitted_by_month=tuple(30 + 7 * (i % 4) for i in range(12)),
        status_mix=(Count("submitted", "Submitted", 41), Count("approved", "Approved", 63),
                    Count("delivered", "Delivered", 18), Count("deferred", "Deferred", 22),
                    Count("declined_duplicate", "Declined (duplicate)", 9)),
        by_portfolio=(Count("local-policing", "Local Policing", 80),
                      Count("crime", "Crime and Justice $5 a head " + "x" * 60, 73)),
        by_category=(Count("process", "Process improvement", 101),
                     Count("tech", HOSTILE, 52)),
        taken_forward=12, delivered=3,
        delivered_ideas=(DeliveredIdea("IIP-2026-0042", HOSTILE, "Local Policing",
                                       date(2026, 10, 14), "Notebooks went digital.",
                                       "An hour a shift saved."),),
        campaigns=(CampaignResult("Custody", date(2026, 9, 1), date(2026, 10, 31), 14, 412),
                   CampaignResult("Draft only", date(2026, 10, 1), date(2026, 10, 31), 2,
                                  None)),
        deferred=tuple(DeferredIdea(f"IIP-2026-{n:04d}", f"Deferred idea {n}", "Local Policing",
                                    date(2027, 1 + n % 12, 1)) for n in range(1, deferred + 1)),
        deferred_total=deferred,
        diversity={},
        month_ideas=(),
    )
    trend = tuple(SlaMonthFigure(m, 20, 15 + i % 5, 5 - i % 5, 0, (15 + i % 5) / 20, 30.0 + i)
                  for i, m in enumerate(months))
    tables = tuple(DiversityTable(d, d.title(), {"a": "First", "b": "Second", "c": HOSTILE},
                                  suppress({"a": 40, "b": 3, "c": 11}))
                   for d in ("department", "function", "location", "grade", "role_type"))
    return BoardPack(OCTOBER, datetime(2026, 11, 2, 9, 0, tzinfo=UTC), None, counts, trend,
                     tables)


async def printed(chromium: Path, html: str, shots: Path | None) -> tuple[int, list[str]]:
    """The page in Chromium, offline: its printed A4 page count, and every request it made
    that was not for itself or a data: URI; each section's screenshot saved in `shots`."""
    assert async_playwright is not None
    fetched: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium),
                                                   args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 794, "height": 1123})
            page.on("request", lambda r: None if r.url.startswith(("data:", "about:"))
                    else fetched.append(r.url))
            dialogs: list[str] = []
            page.on("dialog", lambda d: dialogs.append(d.message))
            await page.set_content(html, wait_until="load")
            await page.emulate_media(media="print")
            assert dialogs == []
            images = await page.eval_on_selector_all(
                "img", "els => els.map(e => [e.alt, e.complete && e.naturalWidth > 0])")
            assert images and all(alt.strip() and loaded for alt, loaded in images), images
            assert await page.locator("script").count() == 0
            assert await page.get_by_text(HOSTILE).first.is_visible()
            if shots is not None:
                for section in SECTIONS:
                    await page.locator(f"section#{section}").screenshot(
                        path=str(shots / f"{section}.png"))
            pdf = await page.pdf(format="A4", print_background=True)
        finally:
            await browser.close()
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)), fetched


@pytest.mark.timeout(120)
async def test_the_pack_prints_a_page_a_section_offline_with_every_chart_described(
        chromium: Path, artefacts: Path):
    html = render_html(a_pack())
    shots = artefacts / "e2e" / "board-pack"
    shots.mkdir(parents=True, exist_ok=True)

    pages, fetched = await printed(chromium, html, shots)

    assert fetched == []
    assert pages == len(SECTIONS)


@pytest.mark.timeout(120)
async def test_a_long_register_runs_on_to_further_pages(chromium: Path):
    pages, fetched = await printed(chromium, render_html(a_pack(deferred=200)), None)

    assert fetched == []
    assert pages > len(SECTIONS)
