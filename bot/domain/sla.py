"""The two-month promise: every contributor gets a substantive update within two calendar
months of submitting (UK calendar), and this is the one rule for when it falls due, what keeps
it, and where each idea stands.

What keeps it is the first substantive notice the outbox *sends* to the contributor (not the
press of the button): an approval, a decline (at triage or after assessment), a deferral, an
escalation, a question, or an update. The receipt, an allocation, a re-allocation, a revisit,
a reopen, a delivery (which comes after a decision) and every automatic message do not. A
notice that could not be delivered (the person blocked the app) keeps the promise, unreachable,
at the time it was first tried. A reopened idea starts a new two-month clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.domain.ideas import LONDON, update_due
from bot.domain.moves import Move

# The moves whose notice to the contributor is a substantive update.
KEEPING_MOVES = frozenset({Move.APPROVE, Move.DECLINE, Move.DECLINE_AT_TRIAGE, Move.DEFER,
                           Move.ESCALATE, Move.ASK, Move.UPDATE})
# The history's action for a contributor's own withdrawal.
WITHDRAWN = "withdrawn"


class SlaState(StrEnum):
    OPEN = "open"  # not answered yet, and not yet due
    KEPT = "kept"
    KEPT_UNREACHABLE = "kept_unreachable"  # answered, but the person could not be reached
    BREACHED = "breached"
    NOT_APPLICABLE = "not_applicable"  # withdrawn before any answer was due or given

    @property
    def kept(self) -> bool:
        return self in (SlaState.KEPT, SlaState.KEPT_UNREACHABLE)


def keeps_promise(action: str) -> bool:
    """Whether a history entry's move is one whose notice keeps the promise."""
    return action in {move.value for move in KEEPING_MOVES}


@dataclass(frozen=True, slots=True)
class FirstResponse:
    """When the contributor was first told something substantive on the current clock: the
    time the outbox sent it, or, when it could not be delivered, first tried."""

    at: datetime
    reachable: bool = True


@dataclass(frozen=True, slots=True)
class Promise:
    """One idea's current two-month clock and what has happened on it."""

    started_at: datetime  # the submission, or the latest reopen
    first_response: FirstResponse | None = None
    withdrawn_at: datetime | None = None  # withdrawn on this clock before any response

    @property
    def due(self) -> date:
        """The last day (UK calendar) on which an answer keeps the promise."""
        return update_due(self.started_at)

    def state(self, as_at: datetime) -> SlaState:
        """Where the promise stood at `as_at`: what happened later is not yet known then, so
        any past month can be judged again exactly."""
        today = _uk_day(as_at)
        response = self.first_response
        if response is not None and response.at <= as_at:
            if _uk_day(response.at) > self.due:
                return SlaState.BREACHED
            return SlaState.KEPT if response.reachable else SlaState.KEPT_UNREACHABLE
        withdrawn = self.withdrawn_at
        if withdrawn is not None and withdrawn <= as_at and _uk_day(withdrawn) <= self.due:
            return SlaState.NOT_APPLICABLE
        return SlaState.BREACHED if today > self.due else SlaState.OPEN

    def days_left(self, as_at: datetime) -> int:
        """Whole UK days from `as_at`'s day to the due day (0 on the day, negative after)."""
        return (self.due - _uk_day(as_at)).days


@dataclass(frozen=True, slots=True)
class Event:
    """What the promise is built from: an entry of the idea's history, and for one whose
    notice keeps the promise, what became of that notice in the outbox."""

    at: datetime  # when the entry was made
    action: str
    notice: FirstResponse | None = None  # sent (or given up on) notice; None: not sent yet


def promise_of(submitted_at: datetime, events: Iterable[Event]) -> Promise:
    """The idea's current promise, derived from its history (in order) and its notices: never
    typed in, so it can always be computed again."""
    promise = Promise(submitted_at)
    for event in events:
        if event.action == Move.REOPEN.value:
            promise = Promise(event.at)
        elif keeps_promise(event.action) and event.notice is not None:
            first = promise.first_response
            if first is None or event.notice.at < first.at:
                promise = Promise(promise.started_at, event.notice, promise.withdrawn_at)
        elif event.action == WITHDRAWN and promise.first_response is None:
            promise = Promise(promise.started_at, None, event.at)
    return promise


def _uk_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()
