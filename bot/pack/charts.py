"""Every chart of the board pack, drawn with matplotlib (Agg, SVG) in one place.

Colours are Okabe and Ito's, safe for the common kinds of colour blindness, and never carry
meaning alone: every bar and point has its number written beside it, series differ in marker
and line style too, and every chart has a title, axis labels and alt text saying what it shows.
Text from people (portfolio, category and campaign names) is drawn as plain text: mathtext is
off, so a "$" is a dollar sign.
"""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import matplotlib
from matplotlib.figure import Figure

matplotlib.use("Agg")
# matplotlib's settings are global: one chart is drawn at a time, whichever thread draws it.
DRAWING = threading.RLock()

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000")
_LABEL_LIMIT = 38
_STYLE: dict[Any, Any] = {
    "text.parse_math": False,
    "svg.hashsalt": "iip-board-pack",  # the same pack draws the same SVG
    "font.family": "DejaVu Sans",  # matplotlib's own font: nothing is fetched
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart, ready for an <img>: its SVG as a data URI, and its alt text."""

    title: str
    alt: str
    data_uri: str


def month_bars(title: str, months: Sequence[date], values: Sequence[int], *,
               y_label: str) -> Chart:
    """A bar a month, each with its number above it."""
    labels = [f"{m:%b %y}" for m in months]
    with DRAWING, matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(7.2, 2.8))
        axes: Any = figure.subplots()
        bars = axes.bar(range(len(labels)), values, color=OKABE_ITO[0], edgecolor="black",
                        linewidth=0.5)
        axes.set_xticks(range(len(labels)), labels)
        axes.bar_label(bars, labels=[f"{v:,}" for v in values], padding=2)
        _axes(axes, title, "Month submitted", y_label)
        axes.set_ylim(0, max([*values, 1]) * 1.18)
        chart = _finish(figure, title)
    listed = ", ".join(f"{label}: {value:,}" for label, value in zip(labels, values, strict=True))
    return Chart(title, f"Bar chart, {title.lower()}. {listed}.", chart)


def category_bars(title: str, labels: Sequence[str], values: Sequence[int], *,
                  x_label: str) -> Chart:
    """Horizontal bars, the largest first, each with its number at its end."""
    if not values:
        return _empty(title)
    short = [_short(label) for label in labels]
    height = 0.6 + 0.32 * len(values)
    with DRAWING, matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(7.2, max(1.8, height)))
        axes: Any = figure.subplots()
        positions = list(range(len(values)))[::-1]
        bars = axes.barh(positions, values, color=OKABE_ITO[2], edgecolor="black",
                         linewidth=0.5)
        axes.set_yticks(positions, short)
        axes.bar_label(bars, labels=[f"{v:,}" for v in values], padding=3)
        axes.set_xlim(0, max(values) * 1.15 or 1)
        _axes(axes, title, x_label, "")
        chart = _finish(figure, title)
    listed = "; ".join(f"{label}: {value:,}" for label, value in zip(labels, values, strict=True))
    return Chart(title, f"Bar chart, {title.lower()}. {listed}.", chart)


def month_line(title: str, months: Sequence[date], values: Sequence[float | None], *,
               y_label: str, percent: bool = False, colour: int = 0, marker: str = "o",
               style: str = "-") -> Chart:
    """A line over the months with each point's value written beside it; a gap where a
    month has none (nothing due, or no first response)."""
    labels = [f"{m:%b %y}" for m in months]
    shown = [None if v is None else (v * 100 if percent else v) for v in values]
    words = ["none" if v is None else (f"{v:.0f}%" if percent else f"{v:g}") for v in shown]
    with DRAWING, matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(7.2, 2.8))
        axes: Any = figure.subplots()
        points = [float("nan") if v is None else v for v in shown]
        axes.plot(range(len(labels)), points, color=OKABE_ITO[colour], marker=marker,
                  linestyle=style, linewidth=1.8, markersize=5)
        axes.set_xticks(range(len(labels)), labels)
        for index, value in enumerate(shown):
            if value is not None:
                axes.annotate(words[index], (index, value), textcoords="offset points",
                              xytext=(0, 6), ha="center")
        top = max([v for v in shown if v is not None] or [1])
        axes.set_ylim(0, 105 if percent else top * 1.25 or 1)
        _axes(axes, title, "Month", y_label)
        chart = _finish(figure, title)
    listed = ", ".join(f"{label}: {word}" for label, word in zip(labels, words, strict=True))
    return Chart(title, f"Line chart, {title.lower()}. {listed}.", chart)


def _axes(axes: Any, title: str, x_label: str, y_label: str) -> None:
    axes.set_title(title, loc="left", fontweight="bold")
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)


def _empty(title: str) -> Chart:
    with DRAWING, matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(7.2, 1.2))
        axes: Any = figure.subplots()
        axes.axis("off")
        axes.set_title(title, loc="left", fontweight="bold")
        axes.text(0, 0.4, "Nothing to show for this period.")
        chart = _finish(figure, title)
    return Chart(title, f"{title}: nothing to show for this period.", chart)


def _finish(figure: Figure, title: str) -> str:
    """The figure as an SVG data URI (no pyplot: nothing is kept open)."""
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Title": title, "Date": None,
                                                  "Creator": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_LIMIT else label[:_LABEL_LIMIT - 1] + "…"
