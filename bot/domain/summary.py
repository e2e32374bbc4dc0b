"""The portfolio's figures as they stood at any moment (`iip report summary`): what each idea
submitted by then was (its status rebuilt from its history), its two-month promise judged then,
and the breakdowns a board reads.

Words defined once here and used by every report:
- an idea is **taken forward** when it is approved, escalated or delivered (TAKEN_FORWARD);
- a **decision** is a move that answers the contributor with a verdict: one into approved,
  escalated, delivered, deferred or declined (DECIDED). Questions, updates, allocations and
  withdrawals are not decisions. An imported idea's one move to its status is its decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.domain.ideas import DeclineReason, Status, uk_day
from bot.domain.sla import Promise, SlaState

TAKEN_FORWARD = frozenset({Status.APPROVED, Status.ESCALATED, Status.DELIVERED})
DECIDED = frozenset({Status.APPROVED, Status.ESCALATED, Status.DELIVERED, Status.DEFERRED,
                     Status.DECLINED})


def status_key(status: Status, reason: DeclineReason | None) -> str:
    """The `by_status` key of an idea in `status` (a declined one's names its reason)."""
    if status is Status.DECLINED and reason is not None:
        return f"declined_{reason.value}"
    return status.value


# The keys of `by_status`, in the order reports show them: every status, a decline by reason.
STATUS_KEYS: tuple[str, ...] = tuple(
    key for status in Status for key in (
        [status_key(status, reason) for reason in DeclineReason]
        if status is Status.DECLINED else [status.value]))



def status_key_label(key: str) -> str:
    """A `by_status` key as people read it: "Declined (not viable)"."""
    for reason in DeclineReason:
        if key == status_key(Status.DECLINED, reason):
            return f"{Status.DECLINED.label} ({reason.label})"
    return Status(key).label


class SlaFigure(StrEnum):
    """Where a summary counts an idea's promise as at its moment."""

    KEPT = "kept"
    BREACHED = "breached"
    NOT_RECORDED = "not_recorded"  # imported: a decision on record, but no first-response time


def sla_figure(promise: Promise, as_at: datetime, *,
               decided_unrecorded: bool = False) -> SlaFigure | None:
    """The promise as a summary counts it at `as_at`, from the one rule (Promise.state): None
    when not due (its due day is after `as_at`'s day, or it was withdrawn before any answer).
    Due and unanswered is breached, on the due day itself too (the issue's rule: a summary as
    at a day is taken at the day's end). `decided_unrecorded`: the idea came from the old list
    with a decision by `as_at` and no first-response time, so it cannot be judged."""
    if promise.due > uk_day(as_at):
        return None
    state = promise.state(as_at)
    if state is SlaState.NOT_APPLICABLE:
        return None
    if state.kept:
        return SlaFigure.KEPT
    response = promise.first_response
    answered = response is not None and response.at <= as_at
    if not answered and decided_unrecorded:
        return SlaFigure.NOT_RECORDED
    return SlaFigure.BREACHED


@dataclass(frozen=True, slots=True)
class SlaSummary:
    """The promise across the ideas due by the summary's moment."""

    due: int = 0
    kept: int = 0
    breached: int = 0
    not_recorded: int = 0

    @property
    def compliance(self) -> float | None:
        """kept / (kept + breached); None when neither."""
        judged = self.kept + self.breached
        return None if judged == 0 else self.kept / judged

    def as_json(self) -> dict[str, int | float | None]:
        compliance = self.compliance
        return {"due": self.due, "kept": self.kept, "breached": self.breached,
                "not_recorded": self.not_recorded,
                "compliance": None if compliance is None else round(compliance, 4)}


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures as at `as_of`, of one portfolio or all. `by_status` has every key of
    STATUS_KEYS; `by_category`, `by_portfolio` and `by_campaign` map a key to its number of
    ideas (only keys with some; ideas in no campaign are not in `by_campaign`);
    `median_days_to_decision` is whole UK days from submission to the first decision, over the
    ideas decided by then (None when none was); `supporters` counts the colleagues who
    supported one of those ideas by then (each once per idea), `ideas_supported` the ideas
    they supported."""

    as_of: datetime
    portfolio: str | None  # the one portfolio asked for, or None: all of them
    total: int
    by_status: dict[str, int]
    sla: SlaSummary
    by_category: dict[str, int] = field(default_factory=dict[str, int])
    by_portfolio: dict[str, int] = field(default_factory=dict[str, int])
    by_campaign: dict[str, int] = field(default_factory=dict[str, int])
    taken_forward: int = 0
    median_days_to_decision: float | None = None
    # Colleagues' supports of those ideas by then (one per person and idea), and how many of
    # the ideas had at least one.
    supporters: int = 0
    ideas_supported: int = 0

    def as_json(self) -> dict[str, object]:
        """The issue's keys, exactly, then the supporters' (`as_of` in ISO 8601, UTC)."""
        return {
            "as_of": self.as_of.isoformat(),
            "total": self.total,
            "by_status": {key: self.by_status.get(key, 0) for key in STATUS_KEYS},
            "sla": self.sla.as_json(),
            "by_category": dict(sorted(self.by_category.items())),
            "by_portfolio": dict(sorted(self.by_portfolio.items())),
            "by_campaign": dict(sorted(self.by_campaign.items())),
            "taken_forward": self.taken_forward,
            "median_days_to_decision": self.median_days_to_decision,
            "supporters": self.supporters,
            "ideas_supported": self.ideas_supported,
        }
