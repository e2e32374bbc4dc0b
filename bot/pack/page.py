"""The board pack as files: a self-contained HTML page (charts inline, no link out), the month's
ideas as CSV, and the figures as JSON.

The page comes from a Jinja2 template with autoescaping on, so every text from people (titles,
names of portfolios, categories and campaigns, what changed) is escaped. The CSV holds no
contributor, and a cell a spreadsheet would take for a formula is written as text.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.domain.board_pack import BoardPack
from bot.domain.ideas import LONDON, day_words
from bot.domain.text import spreadsheet_text
from bot.pack import charts

PAGE = "board-pack.html"
IDEAS_CSV = "ideas.csv"
FIGURES_JSON = "figures.json"
CSV_HEADER = ("reference", "title", "status", "portfolio", "category", "campaign",
              "submitted", "first response", "decided")

_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                         lstrip_blocks=True)


def render_html(pack: BoardPack) -> str:
    """The pack's page: A4-ready, every chart inline with its alt text."""
    c = pack.counts
    latest = pack.sla_trend[-1] if pack.sla_trend else None
    months = pack.months
    drawn = {
        "submitted": charts.month_bars("Ideas submitted each month", months,
                                       c.submitted_by_month, y_label="Ideas"),
        "status": charts.category_bars("Status now", [x.label for x in c.status_mix],
                                       [x.count for x in c.status_mix], x_label="Ideas"),
        "portfolio": charts.category_bars("By portfolio", [x.label for x in c.by_portfolio],
                                          [x.count for x in c.by_portfolio], x_label="Ideas"),
        "category": charts.category_bars("By category", [x.label for x in c.by_category],
                                         [x.count for x in c.by_category], x_label="Ideas"),
        "compliance": charts.month_line(
            "Ideas answered within two months", [s.month for s in pack.sla_trend],
            [s.compliance for s in pack.sla_trend], y_label="Compliance (%)", percent=True),
        "response": charts.month_line(
            "Median days to a first response", [s.month for s in pack.sla_trend],
            [s.median_days_to_first_response for s in pack.sla_trend], y_label="Days",
            colour=3, marker="s", style="--"),
    }
    return _TEMPLATES.get_template("board_pack.html.j2").render(
        pack=pack, c=c, charts=drawn,
        scope=", ".join(pack.scope) if pack.scope is not None else "",
        made=_moment(pack.made_at), window=f"{months[0]:%B %Y} to {months[-1]:%B %Y}",
        window_total=sum(c.submitted_by_month),
        submitted_in_month=c.submitted_by_month[-1],
        compliance=percent(latest.compliance if latest else None),
        median=number(latest.median_days_to_first_response if latest else None),
        percent=percent, number=number, day=day_words)


def ideas_csv(pack: BoardPack) -> str:
    """The month's ideas, one a row, without contributors."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for idea in pack.counts.month_ideas:
        writer.writerow([_cell(value) for value in (
            idea.reference, idea.title, idea.status, idea.portfolio, idea.category,
            idea.campaign, _stamp(idea.submitted_at), _stamp(idea.first_response_at),
            _stamp(idea.decided_at))])
    return out.getvalue()


def figures_json(pack: BoardPack) -> str:
    return json.dumps(pack.as_json(), indent=2, ensure_ascii=False)


def write_pack(pack: BoardPack, folder: Path) -> list[Path]:
    """The three files in `folder` (made if missing); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in ((PAGE, render_html(pack)), (IDEAS_CSV, ideas_csv(pack)),
                       (FIGURES_JSON, figures_json(pack))):
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written


def percent(value: float | None) -> str:
    return "none due" if value is None else f"{value:.0%}"


def number(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def _moment(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{day_words(local.date())} {local:%H:%M}"


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


def _cell(value: str | date) -> str:
    return spreadsheet_text(str(value))
