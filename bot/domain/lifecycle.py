"""The life of an idea as one table: every move, from which status, to which, and who may make it.

The PMO triages and may act on any idea; a portfolio's SPOCs (and deputies) act on ideas
allocated to their portfolio; the contributor may withdraw an undecided idea. Anything not in
the table is refused. A deferred idea stays in the deferred register until it is revisited,
deferred again (a new date), declined or withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.errors import InvalidText, NotAllowed
from bot.domain.ideas import (
    DeclineReason,
    HistoryEntry,
    IdeaChange,
    IdeaDetail,
    Status,
    add_months,
    day_words,
)
from bot.domain.moves import (
    MESSAGE,
    NOTE,
    OPTIONAL_MESSAGE,
    REOPEN_REASON,
    ROOT_CAUSES,
    SPECS,
    Move,
)
from bot.domain.organisation import Organisation
from bot.domain.sla import RESTARTING_MOVES


class Party(StrEnum):
    PMO = "pmo"
    SPOC = "spoc"  # a SPOC or deputy of the idea's portfolio
    CONTRIBUTOR = "contributor"
    # Staff who submitted the idea: they follow it as staff would, and decide nothing on it.
    RECUSED = "recused"


STAFF = frozenset({Party.PMO, Party.SPOC})
PMO_ONLY = frozenset({Party.PMO})
CLOSED = frozenset({Status.DELIVERED, Status.DECLINED, Status.WITHDRAWN})


@dataclass(frozen=True, slots=True)
class Rule:
    to: Status | None  # None: the status stays as it is
    who: frozenset[Party]


_S = Status
TRANSITIONS: dict[tuple[Status, Move], Rule] = {
    (_S.SUBMITTED, Move.ALLOCATE): Rule(_S.BUSINESS_ASSESSMENT, PMO_ONLY),
    (_S.SUBMITTED, Move.DECLINE_AT_TRIAGE): Rule(_S.DECLINED, PMO_ONLY),
    (_S.SUBMITTED, Move.UPDATE): Rule(None, PMO_ONLY),
    (_S.SUBMITTED, Move.WITHDRAW): Rule(_S.WITHDRAWN, frozenset({Party.CONTRIBUTOR})),
    (_S.BUSINESS_ASSESSMENT, Move.APPROVE): Rule(_S.APPROVED, STAFF),
    (_S.BUSINESS_ASSESSMENT, Move.DECLINE): Rule(_S.DECLINED, STAFF),
    (_S.BUSINESS_ASSESSMENT, Move.DEFER): Rule(_S.DEFERRED, STAFF),
    (_S.BUSINESS_ASSESSMENT, Move.ESCALATE): Rule(_S.ESCALATED, STAFF),
    (_S.BUSINESS_ASSESSMENT, Move.REALLOCATE): Rule(None, STAFF),
    (_S.BUSINESS_ASSESSMENT, Move.ASK): Rule(None, STAFF),
    (_S.BUSINESS_ASSESSMENT, Move.UPDATE): Rule(None, STAFF),
    (_S.BUSINESS_ASSESSMENT, Move.WITHDRAW): Rule(_S.WITHDRAWN, frozenset({Party.CONTRIBUTOR})),
    (_S.ESCALATED, Move.APPROVE): Rule(_S.APPROVED, STAFF),
    (_S.ESCALATED, Move.DECLINE): Rule(_S.DECLINED, STAFF),
    (_S.ESCALATED, Move.DEFER): Rule(_S.DEFERRED, STAFF),
    (_S.ESCALATED, Move.ASK): Rule(None, STAFF),
    (_S.ESCALATED, Move.UPDATE): Rule(None, STAFF),
    (_S.ESCALATED, Move.WITHDRAW): Rule(_S.WITHDRAWN, frozenset({Party.CONTRIBUTOR})),
    (_S.DEFERRED, Move.REVISIT): Rule(_S.BUSINESS_ASSESSMENT, STAFF),
    (_S.DEFERRED, Move.DEFER): Rule(_S.DEFERRED, STAFF),  # a new revisit date
    (_S.DEFERRED, Move.DECLINE): Rule(_S.DECLINED, STAFF),
    (_S.DEFERRED, Move.UPDATE): Rule(None, STAFF),
    (_S.DEFERRED, Move.WITHDRAW): Rule(_S.WITHDRAWN, frozenset({Party.CONTRIBUTOR})),
    (_S.APPROVED, Move.DELIVER): Rule(_S.DELIVERED, STAFF),
    (_S.APPROVED, Move.UPDATE): Rule(None, STAFF),
    (_S.DELIVERED, Move.REOPEN): Rule(_S.SUBMITTED, PMO_ONLY),
    (_S.DECLINED, Move.REOPEN): Rule(_S.SUBMITTED, PMO_ONLY),
    (_S.WITHDRAWN, Move.REOPEN): Rule(_S.SUBMITTED, PMO_ONLY),
}

# The history's action for a contributor's answer to a question (not a move: no status changes).
ANSWERED = "answered"
# Moves that decide: both root-cause questions must be answered first.
NEEDS_ROOT_CAUSE = frozenset(move for move, spec in SPECS.items() if spec.root_cause)
TRIAGE_DECLINE_REASONS = frozenset({DeclineReason.DUPLICATE, DeclineReason.ALREADY_EXISTS,
                                    DeclineReason.IN_PROGRESS})


def parties(object_id: str, contributor: str, portfolio: str, *, pmo: bool,
            assesses: frozenset[str], self_decisions: bool) -> frozenset[Party]:
    """What a person is to one idea, from the organisation's records (never from card data).

    Nobody decides their own idea: a member of staff who submitted it is its contributor and
    recused, unless the organisation allows self-decisions."""
    found: set[Party] = set()
    if pmo:
        found.add(Party.PMO)
    if portfolio in assesses:
        found.add(Party.SPOC)
    if object_id == contributor:
        if found and not self_decisions:
            return frozenset({Party.CONTRIBUTOR, Party.RECUSED})
        found.add(Party.CONTRIBUTOR)
    return frozenset(found)


# Once allocated, the portfolio's SPOCs follow the idea as well as the PMO.
ALLOCATED = frozenset({Status.BUSINESS_ASSESSMENT, Status.ESCALATED, Status.APPROVED,
                       Status.DEFERRED, Status.DELIVERED})


def followers_of(idea: IdeaDetail, organisation: Organisation) -> list[str]:
    """The staff who should see this idea's card now: the PMO, and the portfolio's SPOCs and
    deputies once it is allocated."""
    people = list(organisation.pmo)
    if idea.status in ALLOCATED:
        portfolio = next((p for p in organisation.portfolios if p.key == idea.portfolio_key),
                         None)
        if portfolio is not None:
            people += [oid for oid in (*portfolio.spocs, *portfolio.deputies)
                       if oid not in people]
    return people


@dataclass(frozen=True, slots=True)
class Deciders:
    """Who may move an idea now, its contributor aside (Entra object ids)."""

    business_leads: tuple[str, ...]  # the portfolio's SPOCs and deputies
    pmo: tuple[str, ...]


def deciders(idea: IdeaDetail, organisation: Organisation) -> Deciders:
    """The portfolio's SPOCs and deputies, and the PMO, each only where the idea's status
    lets them move it; never its contributor."""
    who = frozenset[Party]().union(*(rule.who for (at, _move), rule in TRANSITIONS.items()
                              if at is idea.status))
    portfolio = next((p for p in organisation.portfolios if p.key == idea.portfolio_key), None)
    leads = ((*portfolio.spocs, *portfolio.deputies)
             if Party.SPOC in who and portfolio is not None else ())
    pmo = organisation.pmo if Party.PMO in who else ()
    return Deciders(
        business_leads=tuple(oid for oid in leads if oid != idea.contributor_object_id),
        pmo=tuple(oid for oid in pmo if oid != idea.contributor_object_id),
    )


_NOBODY = Rule(None, frozenset())


def withdrawable(status: Status) -> bool:
    """Whether the contributor may withdraw an idea in `status` (the table says so)."""
    return Party.CONTRIBUTOR in TRANSITIONS.get((status, Move.WITHDRAW), _NOBODY).who


def answerable(status: Status) -> bool:
    """A question can be answered while one could be asked; once decided, it is moot."""
    return (status, Move.ASK) in TRANSITIONS


@dataclass(frozen=True, slots=True)
class Question:
    """The latest question staff asked about an idea, and the contributor's answer, if any."""

    asked: HistoryEntry
    answer: str | None
    answered: HistoryEntry | None


def latest_question(idea: IdeaDetail) -> Question | None:
    for n in range(len(idea.history) - 1, -1, -1):
        if idea.history[n].action == Move.ASK.value:
            replies = [e for e in idea.history[n + 1:] if e.action == ANSWERED]
            last = replies[-1] if replies else None
            answer = (last.detail or {}).get("answer") if last else None
            return Question(idea.history[n], answer if isinstance(answer, str) else None, last)
    return None


def moves_for(status: Status, who: frozenset[Party]) -> list[Move]:
    """The moves these parties may make on an idea in `status`, in the table's order."""
    return [move for (at, move), rule in TRANSITIONS.items() if at is status and rule.who & who]


def rule_for(status: Status, move: Move, who: frozenset[Party]) -> Rule:
    """The rule for this move, or NotAllowed with a reason fit to show the person."""
    rule = TRANSITIONS.get((status, move))
    if rule is None:
        if status in CLOSED:
            raise NotAllowed(f"This idea is {status.label.lower()}, so it can no longer be "
                             f"{SPECS[move].past}.")
        raise NotAllowed(f"An idea that is {status.label.lower()} cannot be {SPECS[move].past}.")
    if not rule.who & who:
        if Party.RECUSED in who and rule.who & STAFF:
            raise NotAllowed("You submitted this idea, so you cannot decide it yourself.")
        raise NotAllowed("You are not one of the people who can do that for this idea.")
    return rule


@dataclass(frozen=True, slots=True)
class Decision:
    """A checked request to move an idea, with everything the history records."""

    move: Move
    message: str | None = None  # to the contributor, in plain words
    note: str | None = None  # internal
    reason: DeclineReason | None = None
    duplicate_of: str | None = None
    revisit_on: date | None = None
    portfolio: str | None = None
    root_cause_problem: str | None = None
    root_cause_implicated: str | None = None
    what_changed: str | None = None
    benefit_seen: str | None = None
    reopen_reason: str | None = None  # internal: the contributor is told in plain words

    @property
    def why(self) -> str | None:
        """The reason the history records for this move."""
        return self.reason.label if self.reason else self.reopen_reason


def message(value: object, *, required: bool = True) -> str | None:
    return (MESSAGE if required else OPTIONAL_MESSAGE).text(value)


def note(value: object) -> str | None:
    return NOTE.text(value)


def reopen_reason(value: object) -> str:
    """Why the PMO reopens an idea: required, and for the staff only."""
    reason = REOPEN_REASON.text(value)
    assert reason is not None  # required: an empty one is refused
    return reason


# Reasons the history keeps for the staff only: the contributor is told in plain words.
INTERNAL_REASONS = frozenset({Move.REOPEN.value})


def reason_for_contributor(entry: HistoryEntry) -> str | None:
    """The reason an entry of the idea's history gives its contributor, if any."""
    return None if entry.action in INTERNAL_REASONS else entry.reason


def root_causes(problem: object, implicated: object) -> tuple[str, str]:
    """Both root-cause answers, required before a decision."""
    first, second = (answer.text(value) for answer, value in
                     zip(ROOT_CAUSES, (problem, implicated), strict=True))
    assert first is not None and second is not None  # required: empty ones are refused
    return first, second


def change_for(decision: Decision, to: Status, idea: IdeaDetail) -> IdeaChange:
    """What `idea` holds once `decision` moves it to `to`. What described its old status no
    longer does (the history keeps it)."""
    declined, deferred = to is Status.DECLINED, to is Status.DEFERRED
    return IdeaChange(
        status=to,
        decline_reason=decision.reason or (idea.decline_reason if declined else None),
        duplicate_of=decision.duplicate_of or (idea.duplicate_of if declined else None),
        revisit_on=decision.revisit_on or (idea.revisit_on if deferred else None),
        portfolio_key=decision.portfolio or idea.portfolio_key,
        root_cause_problem=decision.root_cause_problem or idea.root_cause_problem,
        root_cause_implicated=(decision.root_cause_implicated if decision.root_cause_problem
                               else idea.root_cause_implicated),
        restarts_promise=decision.move in RESTARTING_MOVES,
    )


# The furthest ahead a deferral may look: three years, in calendar months.
REVISIT_HORIZON_MONTHS = 36


@dataclass(frozen=True, slots=True)
class RevisitWindow:
    """The days a revisit date may fall on, both included (UK calendar)."""

    first: date
    last: date


def revisit_window(today: date) -> RevisitWindow:
    """From tomorrow to three years from today: a date in the past would never come round,
    and one further ahead is as good as forgotten."""
    return RevisitWindow(today + timedelta(days=1), add_months(today, REVISIT_HORIZON_MONTHS))


def revisit_date(value: object, today: date) -> date:
    """A revisit date for a deferral: required, after today and at most three years ahead."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidText("revisit_on", "Please choose the date to look at this idea again.")
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidText("revisit_on", "Please choose the revisit date from the calendar.") \
            from None
    allowed = revisit_window(today)
    if day < allowed.first:
        raise InvalidText("revisit_on", "The revisit date must be in the future. Please "
                                        "choose a day after today.")
    if day > allowed.last:
        raise InvalidText("revisit_on", "The revisit date can be at most three years ahead: "
                                        f"please choose a day up to {day_words(allowed.last)}.")
    return day


def decline_reason(value: object, *, at_triage: bool) -> DeclineReason:
    allowed = TRIAGE_DECLINE_REASONS if at_triage else frozenset(DeclineReason)
    try:
        reason = DeclineReason(value)
    except ValueError:
        raise InvalidText("reason", "Please choose why it is declined.") from None
    if reason not in allowed:
        raise InvalidText("reason", "At triage an idea can only be declined as a duplicate, "
                                    "as already existing, or as in progress already.")
    return reason
