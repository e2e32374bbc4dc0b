"""Reports on the ideas: the figures as at any moment (`summary`, counted by the database) and
the two-month promise month by month, read from the columns each idea's row keeps.

`sla_month`: the ideas whose promise fell due in a month, each judged as at a moment (now, or
any past one: what happened later is not yet known then), counted as the issue's monthly
report asks: kept, kept though the contributor could not be reached, breached, still open;
compliance = (kept + kept unreachable) / (due - open), none when nothing is due; the median
whole UK days from the clock's start to the first response. Ideas withdrawn before any
answer are not due.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

from bot.domain.errors import InvalidText
from bot.domain.ideas import add_months, uk_day
from bot.domain.moments import EARLIEST_YEAR, LATEST_YEAR, quoted
from bot.domain.sla import IdeaPromise, SlaState
from bot.domain.summary import Summary
from bot.services.ports import UnitOfWorkFactory

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, slots=True)
class SlaCounts:
    due: int = 0
    kept: int = 0
    kept_unreachable: int = 0
    breached: int = 0
    open: int = 0
    median_days_to_first_response: float | None = None

    @property
    def compliance(self) -> float | None:
        """(kept + kept unreachable) / (due - open); None when nothing is due (or all is
        still open)."""
        judged = self.due - self.open
        return None if judged <= 0 else (self.kept + self.kept_unreachable) / judged

    def as_json(self) -> dict[str, int | float | None]:
        compliance = self.compliance
        return {"due": self.due, "kept": self.kept, "kept_unreachable": self.kept_unreachable,
                "breached": self.breached, "open": self.open,
                "compliance": None if compliance is None else round(compliance, 4),
                "median_days_to_first_response": self.median_days_to_first_response}


@dataclass(frozen=True, slots=True)
class SlaMonth:
    month: str  # "2026-10"
    as_at: datetime
    portfolio: str | None  # the one portfolio asked for, or None: all of them
    total: SlaCounts
    by_portfolio: dict[str, SlaCounts] = field(default_factory=dict[str, SlaCounts])

    def as_json(self) -> dict[str, object]:
        return {"month": self.month, **self.total.as_json(),
                "by_portfolio": {key: counts.as_json()
                                 for key, counts in sorted(self.by_portfolio.items())}}


def parse_month(text: str) -> tuple[date, date]:
    """The first and last day of a month given as YYYY-MM; InvalidText if it is not one."""
    match = _MONTH.fullmatch(text.strip())
    month = int(match.group(2)) if match else 0
    year = int(match.group(1)) if match else 0
    if match is None or not 1 <= month <= 12 or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise InvalidText("month", f"{quoted(text)} is not a month: give one like 2026-10.")
    first = date(int(match.group(1)), month, 1)
    return first, date.fromordinal(add_months(first, 1).toordinal() - 1)


def tally(promises: Iterable[IdeaPromise], as_at: datetime) -> SlaCounts:
    """Count each idea's promise as it stood at `as_at`."""
    states: dict[SlaState, int] = dict.fromkeys(SlaState, 0)
    days: list[int] = []
    for idea in promises:
        promise = idea.promise
        states[promise.state(as_at)] += 1
        response = promise.first_response
        if response is not None and response.at <= as_at:
            days.append((uk_day(response.at) - uk_day(promise.started_at)).days)
    due = sum(states.values()) - states[SlaState.NOT_APPLICABLE]
    return SlaCounts(due=due, kept=states[SlaState.KEPT],
                     kept_unreachable=states[SlaState.KEPT_UNREACHABLE],
                     breached=states[SlaState.BREACHED], open=states[SlaState.OPEN],
                     median_days_to_first_response=float(median(days)) if days else None)


class Reports:
    """The reports people ask the portal for, each read in one transaction."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def sla_month(self, month: str, as_at: datetime,
                        portfolio: str | None = None) -> SlaMonth:
        """The promise for the ideas due in `month` (YYYY-MM), judged as at `as_at`: all of
        them and by portfolio (or `portfolio`'s alone). One query over that month's ideas."""
        first, last = parse_month(month)
        async with self._uow() as uow:
            promises = await uow.promises.due_in(first, last, portfolio)
        portfolios: dict[str, list[IdeaPromise]] = {}
        for idea in promises:
            portfolios.setdefault(idea.portfolio_key, []).append(idea)
        return SlaMonth(f"{first:%Y-%m}", as_at, portfolio, tally(promises, as_at),
                        {key: tally(ideas, as_at) for key, ideas in portfolios.items()})

    async def summary(self, as_of: datetime, portfolio: str | None = None) -> Summary:
        """Every idea submitted by `as_of`, as it stood then (bot.domain.summary): of
        `portfolio` alone, or of all. InvalidText for a portfolio the organisation never had."""
        async with self._uow() as uow:
            if portfolio is not None and not await uow.summaries.portfolio_known(portfolio):
                raise InvalidText("portfolio", f"There is no portfolio {quoted(portfolio)}: "
                                               "give the key of one, as the organisation "
                                               "file names it.")
            return await uow.summaries.summary(as_of, portfolio)
