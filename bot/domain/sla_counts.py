"""The two-month promise counted over many ideas, as the month report and the board pack show
it: how many were due, kept (reachable or not), breached and still open, and how long the
first responses took. The database counts them (storage/promise_counts.py); this is the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class SlaCounts:
    """The promises of a set of ideas, each judged as at one moment (bot.domain.sla.Promise.
    state); ideas withdrawn before any answer are not due."""

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
        """The counts as the reports' JSON names them, compliance to four places."""
        compliance = self.compliance
        return {"due": self.due, "kept": self.kept, "kept_unreachable": self.kept_unreachable,
                "breached": self.breached, "open": self.open,
                "compliance": None if compliance is None else round(compliance, 4),
                "median_days_to_first_response": self.median_days_to_first_response}


@dataclass(frozen=True, slots=True)
class SlaGroup:
    """The counts of one group of ideas: those due in one `month` (its first day; None: the
    whole span asked for) and of one `portfolio` (its key; None: every portfolio asked for)."""

    month: date | None
    portfolio: str | None
    counts: SlaCounts
