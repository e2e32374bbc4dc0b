"""Reports on the ideas: the figures as at any moment (`summary`) and the two-month promise
month by month (`sla_month`, from the columns each idea's row keeps), both counted by the
database.

`sla_month`: the ideas whose promise fell due in a month, each judged as at a moment (now, or
any past one: what happened later is not yet known then), counted as the issue's monthly
report asks: kept, kept though the contributor could not be reached, breached, still open;
compliance = (kept + kept unreachable) / (due - open), none when nothing is due; the median
whole UK days from the clock's start to the first response. Ideas withdrawn before any
answer are not due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.errors import InvalidText
from bot.domain.ideas import add_months
from bot.domain.moments import EARLIEST_YEAR, LATEST_YEAR, quoted
from bot.domain.sla_counts import SlaCounts
from bot.domain.summary import Summary
from bot.services.ports import UnitOfWorkFactory

_MONTH = re.compile(r"(\d{4})-(\d{2})")


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


class Reports:
    """The reports people ask the portal for, each read in one transaction."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def sla_month(self, month: str, as_at: datetime,
                        portfolio: str | None = None) -> SlaMonth:
        """The promise for the ideas due in `month` (YYYY-MM), judged as at `as_at`: all of
        them and by portfolio (or `portfolio`'s alone), counted by the database in one
        statement."""
        first, last = parse_month(month)
        async with self._uow() as uow:
            groups = await uow.promises.counted(
                first, last, as_at, portfolios=None if portfolio is None else (portfolio,),
                by_portfolio=True)
        total = next((group.counts for group in groups if group.portfolio is None),
                     SlaCounts())
        return SlaMonth(f"{first:%Y-%m}", as_at, portfolio, total,
                        {group.portfolio: group.counts for group in groups
                         if group.portfolio is not None})

    async def summary(self, as_of: datetime, portfolio: str | None = None) -> Summary:
        """Every idea submitted by `as_of`, as it stood then (bot.domain.summary): of
        `portfolio` alone, or of all. InvalidText for a portfolio the organisation never had."""
        async with self._uow() as uow:
            if portfolio is not None and not await uow.summaries.portfolio_known(portfolio):
                raise InvalidText("portfolio", f"There is no portfolio {quoted(portfolio)}: "
                                               "give the key of one, as the organisation "
                                               "file names it.")
            return await uow.summaries.summary(as_of, portfolio)
