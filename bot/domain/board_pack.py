"""The monthly board pack's figures (`iip report monthly`, `report` in Teams), as plain values.

A pack covers one month and the twelve months that end with it (the window), for every
portfolio or for a scope of them. Ideas submitted per month cover the window; the status mix,
portfolios, categories, campaigns and the submitters' diversity cover the ideas submitted in the
window, as they stand when the pack is made; ideas taken forward and delivered count the moves
made in the month; the deferred register is the ideas deferred now. Every count comes from the
database as an aggregate: nothing here walks ideas one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from bot.domain.ideas import LONDON, add_months
from bot.domain.suppression import SuppressedRow

WINDOW_MONTHS = 12
# How many delivered ideas and deferred ideas a pack lists, at most (the counts are whole).
LISTED = 200


def month_starts(first: date, months: int = WINDOW_MONTHS) -> list[date]:
    """The first days of the `months` months that end with `first`'s, oldest first."""
    return [add_months(first, offset) for offset in range(1 - months, 1)]


def uk_midnight(day: date) -> datetime:
    """The moment a UK day begins, in UTC (the bounds stored moments are compared with)."""
    return datetime.combine(day, time(), LONDON).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Count:
    """One bar or row: a key, what people read for it, and how many."""

    key: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class SlaMonthFigure:
    """The two-month promise for the ideas due in one month (the SLA month report's)."""

    month: date
    due: int
    kept: int
    breached: int
    open: int
    compliance: float | None
    median_days_to_first_response: float | None


@dataclass(frozen=True, slots=True)
class DeliveredIdea:
    reference: str
    title: str
    portfolio: str
    delivered_on: date
    what_changed: str
    benefit_seen: str


@dataclass(frozen=True, slots=True)
class CampaignResult:
    name: str
    opens_on: date
    closes_on: date
    ideas: int
    reached: int | None  # people the call was sent to; None while it was never sent


@dataclass(frozen=True, slots=True)
class DeferredIdea:
    reference: str
    title: str
    portfolio: str
    revisit_on: date | None


@dataclass(frozen=True, slots=True)
class MonthIdea:
    """One row of the pack's CSV: an idea submitted in the month, with no contributor."""

    reference: str
    title: str
    status: str
    portfolio: str
    category: str
    campaign: str
    submitted_at: datetime
    first_response_at: datetime | None
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class DiversityTable:
    """Distinct submitters in the window by one of their answers, small numbers suppressed."""

    dimension: str
    title: str
    labels: dict[str, str]  # answer key -> what people read
    row: SuppressedRow


@dataclass(frozen=True, slots=True)
class PackCounts:
    """What the database counts for a pack (the storage port's answer)."""

    submitted_by_month: tuple[int, ...]
    status_mix: tuple[Count, ...]
    by_portfolio: tuple[Count, ...]
    by_category: tuple[Count, ...]
    taken_forward: int
    delivered: int
    delivered_ideas: tuple[DeliveredIdea, ...]
    campaigns: tuple[CampaignResult, ...]
    deferred: tuple[DeferredIdea, ...]
    deferred_total: int
    diversity: dict[str, dict[str, int]]  # dimension -> answer key -> distinct submitters
    month_ideas: tuple[MonthIdea, ...]


@dataclass(frozen=True, slots=True)
class BoardPack:
    """Everything one pack shows, ready for its page, CSV and JSON."""

    month: date  # its first day
    made_at: datetime
    scope: tuple[str, ...] | None  # the portfolios' names, or None: every portfolio
    counts: PackCounts
    sla_trend: tuple[SlaMonthFigure, ...]
    diversity: tuple[DiversityTable, ...]

    @property
    def months(self) -> list[date]:
        return month_starts(self.month)

    @property
    def month_name(self) -> str:
        return f"{self.month:%B %Y}"

    def as_json(self) -> dict[str, object]:
        """The figures as `figures.json` holds them (no idea lists beyond the registers)."""
        c = self.counts
        return {
            "month": f"{self.month:%Y-%m}",
            "made_at": self.made_at.isoformat(),
            "scope": list(self.scope) if self.scope is not None else "all portfolios",
            "submitted_by_month": {f"{m:%Y-%m}": n for m, n in
                                   zip(self.months, c.submitted_by_month, strict=True)},
            "status_mix": {x.key: x.count for x in c.status_mix},
            "by_portfolio": {x.key: x.count for x in c.by_portfolio},
            "by_category": {x.key: x.count for x in c.by_category},
            "sla_trend": [{"month": f"{s.month:%Y-%m}", "due": s.due, "kept": s.kept,
                           "breached": s.breached, "open": s.open,
                           "compliance": None if s.compliance is None
                           else round(s.compliance, 4),
                           "median_days_to_first_response": s.median_days_to_first_response}
                          for s in self.sla_trend],
            "taken_forward": c.taken_forward,
            "delivered": c.delivered,
            "delivered_ideas": [{"reference": d.reference, "title": d.title,
                                 "portfolio": d.portfolio,
                                 "delivered_on": d.delivered_on.isoformat(),
                                 "what_changed": d.what_changed,
                                 "benefit_seen": d.benefit_seen} for d in c.delivered_ideas],
            "campaigns": [{"name": r.name, "opens_on": r.opens_on.isoformat(),
                           "closes_on": r.closes_on.isoformat(), "ideas": r.ideas,
                           "reached": r.reached} for r in c.campaigns],
            "deferred_total": c.deferred_total,
            "deferred": [{"reference": d.reference, "title": d.title,
                          "portfolio": d.portfolio,
                          "revisit_on": d.revisit_on.isoformat() if d.revisit_on else None}
                         for d in c.deferred],
            "diversity": {t.dimension: {"cells": t.row.cells, "total": t.row.total}
                          for t in self.diversity},
        }
