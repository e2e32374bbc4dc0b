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

from bot.domain.ideas import UNDECIDED, FirstResponse, IdeaSummary, uk_day, update_due
from bot.domain.moves import Move

# The moves whose notice to the contributor is a substantive update.
KEEPING_MOVES = frozenset({Move.APPROVE, Move.DECLINE, Move.DECLINE_AT_TRIAGE, Move.DEFER,
                           Move.ESCALATE, Move.ASK, Move.UPDATE})
# The moves that start a new two-month clock.
RESTARTING_MOVES = frozenset({Move.REOPEN})
# The history's action for a contributor's own withdrawal.
WITHDRAWN = "withdrawn"
# The history's actions a promise is derived from (see promise_of).
PROMISE_ACTIONS = frozenset({*(move.value for move in KEEPING_MOVES | RESTARTING_MOVES),
                             WITHDRAWN})


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
        today = uk_day(as_at)
        response = self.first_response
        if response is not None and response.at <= as_at:
            if uk_day(response.at) > self.due:
                return SlaState.BREACHED
            return SlaState.KEPT if response.reachable else SlaState.KEPT_UNREACHABLE
        withdrawn = self.withdrawn_at
        if withdrawn is not None and withdrawn <= as_at and uk_day(withdrawn) <= self.due:
            return SlaState.NOT_APPLICABLE
        return SlaState.BREACHED if today > self.due else SlaState.OPEN

    def days_left(self, as_at: datetime) -> int:
        """Whole UK days from `as_at`'s day to the due day (0 on the day, negative after)."""
        return (self.due - uk_day(as_at)).days


@dataclass(frozen=True, slots=True)
class Event:
    """What the promise is built from: an entry of the idea's history, and for one whose
    notice keeps the promise, what became of that notice in the outbox."""

    at: datetime  # when the entry was made
    action: str
    notice: FirstResponse | None = None  # sent (or given up on) notice; None: not sent yet


def first_response_of(sent_at: datetime | None, dead: bool,
                      first_attempt_at: datetime | None,
                      due_at: datetime) -> FirstResponse | None:
    """What became of a notice in the outbox, as the promise counts it: sent (at the time it
    was sent), given up on (unreachable, at its first attempt: a row a replica on older code
    gave up on has none recorded, and counts from when it was owed), or neither yet."""
    if sent_at is not None:
        return FirstResponse(sent_at)
    if dead:
        return FirstResponse(first_attempt_at or due_at, reachable=False)
    return None


def promise_of(submitted_at: datetime, events: Iterable[Event],
               imported: FirstResponse | None = None) -> Promise:
    """The idea's current promise, derived from its history (in order) and its notices: never
    typed in, so it can always be computed again. An idea imported from the list kept before
    the bot has no notices for what happened before: `imported` is the first response that
    list recorded, on the submission's clock."""
    promise = Promise(submitted_at, imported)
    for event in events:
        if event.action in {move.value for move in RESTARTING_MOVES}:
            promise = Promise(event.at)
        elif keeps_promise(event.action) and event.notice is not None:
            first = promise.first_response
            if first is None or event.notice.at < first.at:
                promise = Promise(promise.started_at, event.notice, promise.withdrawn_at)
        elif event.action == WITHDRAWN and promise.first_response is None:
            promise = Promise(promise.started_at, None, event.at)
    return promise


@dataclass(frozen=True, slots=True)
class Recorded:
    """The promise as an idea's row keeps it: the columns kept up to date as things happen,
    which every report reads."""

    due: date | None  # None: written by a replica on code older than the column
    first_response: FirstResponse | None

    def agrees_with(self, promise: Promise) -> bool:
        return self.due == promise.due and self.first_response == promise.first_response


@dataclass(frozen=True, slots=True)
class IdeaPromise:
    """One idea's promise as its row keeps it (`recorded`), and as a `Promise` derived again
    from its history and the outbox (to check the row)."""

    idea_id: int
    reference: str
    portfolio_key: str
    recorded: Recorded
    promise: Promise


class Shown(StrEnum):
    """What an idea's card says about its promise."""

    DUE = "due"  # an update is owed, and not yet late
    OVERDUE = "overdue"  # an update is owed, and the due day has passed
    ANSWERED = "answered"  # answered in time
    ANSWERED_LATE = "answered_late"  # answered, after the due day


@dataclass(frozen=True, slots=True)
class Standing:
    """An idea's promise as its cards show it."""

    shown: Shown
    due: date
    answered: FirstResponse | None = None

    @property
    def answered_on(self) -> date | None:
        return uk_day(self.answered.at) if self.answered else None


def standing(idea: IdeaSummary, today: date | None = None) -> Standing | None:
    """Where the idea's promise stands, from the columns its row keeps; None when there is
    nothing to say (decided, and its notice not sent yet; or withdrawn unanswered). Without
    `today` a late update is still shown as due (what the contributor is shown)."""
    due, response = idea.promise_due, idea.first_response
    if response is not None:
        late = uk_day(response.at) > due
        return Standing(Shown.ANSWERED_LATE if late else Shown.ANSWERED, due, response)
    if idea.status not in UNDECIDED:
        return None
    late = today is not None and today > due
    return Standing(Shown.OVERDUE if late else Shown.DUE, due)
