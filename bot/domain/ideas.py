"""Ideas: their statuses, human references and the two-month promise."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.profile import Profile

if TYPE_CHECKING:  # bot.domain.similar describes ideas: it imports this module
    from bot.domain.similar import Match, Visibility

LONDON = ZoneInfo("Europe/London")
SLA_MONTHS = 2


class Status(StrEnum):
    SUBMITTED = "submitted"
    BUSINESS_ASSESSMENT = "business_assessment"
    ESCALATED = "escalated"
    APPROVED = "approved"
    DELIVERED = "delivered"
    DEFERRED = "deferred"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.SUBMITTED: "Submitted",
    Status.BUSINESS_ASSESSMENT: "Business assessment",
    Status.ESCALATED: "Escalated",
    Status.APPROVED: "Approved",
    Status.DELIVERED: "Delivered",
    Status.DEFERRED: "Deferred",
    Status.DECLINED: "Declined",
    Status.WITHDRAWN: "Withdrawn",
}

# Not yet decided: the contributor may still withdraw it, and the promise is still open.
UNDECIDED = frozenset({Status.SUBMITTED, Status.BUSINESS_ASSESSMENT, Status.ESCALATED})


class DeclineReason(StrEnum):
    IN_PROGRESS = "in_progress"
    ALREADY_EXISTS = "already_exists"
    DUPLICATE = "duplicate"
    NOT_VIABLE = "not_viable"

    @property
    def label(self) -> str:
        return _DECLINE_LABELS[self]


_DECLINE_LABELS = {
    DeclineReason.IN_PROGRESS: "in progress already",
    DeclineReason.ALREADY_EXISTS: "already exists",
    DeclineReason.DUPLICATE: "duplicate",
    DeclineReason.NOT_VIABLE: "not viable",
}

# At most nine digits: a number people could have been given; thousands of digits are not one
# (and would not fit the database's integers).
_REFERENCE = re.compile(r"\bIIP-(\d{4})-(\d{4,9})\b", re.IGNORECASE)


def cannot_withdraw(idea: IdeaSummary) -> str:
    """Why a decided idea can no longer be withdrawn, as the contributor reads it."""
    return f"{idea.reference} is {idea.status_label.lower()}, so it can no longer be withdrawn."


def format_reference(year: int, number: int) -> str:
    """The reference people quote, such as IIP-2026-0042."""
    return f"IIP-{year}-{number:04d}"


def find_reference(text: str | None) -> str | None:
    """The first idea reference in `text`, normalised (IIP-2026-0042), or None."""
    match = _REFERENCE.search(text or "")
    if match is None:
        return None
    return format_reference(int(match.group(1)), int(match.group(2)))


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


def uk_day(moment: datetime) -> date:
    """The day `moment` falls on in the UK, summer time or not: the force's calendar day."""
    return moment.astimezone(LONDON).date()


def day_words(day: date) -> str:
    """A day as people here write it: 1 June 2026."""
    return f"{day.day} {day:%B %Y}"


def update_due(submitted_at: datetime) -> date:
    """The date by which the contributor is promised a substantive update (UK calendar)."""
    return add_months(uk_day(submitted_at), SLA_MONTHS)


def _private() -> Visibility:
    """Who may find an idea unless it says otherwise: staff only (bot.domain.similar, which
    reads this module, so it is looked up when first needed)."""
    from bot.domain.similar import Visibility

    return Visibility.PRIVATE


@dataclass(frozen=True, slots=True)
class FirstResponse:
    """When the contributor was first told something substantive on the idea's current
    two-month clock: the time the outbox sent it, or, when it could not be delivered, first
    tried (bot.domain.sla)."""

    at: datetime
    reachable: bool = True


@dataclass(frozen=True, slots=True)
class IdeaSummary:
    """One line of a person's list of ideas."""

    reference: str
    title: str
    status: Status
    decline_reason: DeclineReason | None
    submitted_at: datetime
    updated_at: datetime
    revisit_on: date | None = None  # a deferred idea's: when it is to be looked at again
    # The promise as the idea's row keeps it: the due day of its current clock (None: written
    # by a replica on older code, so the submission's) and its first response, if any.
    due_on: date | None = None
    first_response: FirstResponse | None = None

    @property
    def promise_due(self) -> date:
        """The last day an answer keeps the promise on the idea's current clock."""
        return self.due_on or update_due(self.submitted_at)

    @property
    def update_due(self) -> date | None:
        """The day an update is due by, while one is still owed."""
        if self.status in UNDECIDED and self.first_response is None:
            return self.promise_due
        return None

    @property
    def status_label(self) -> str:
        if self.status is Status.DECLINED and self.decline_reason:
            return f"Declined: {self.decline_reason.label}"
        return self.status.label


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One move in an idea's life: who, when, from what, to what, and why."""

    at: datetime
    actor: str
    action: str
    from_status: Status | None
    to_status: Status
    reason: str | None = None
    message_to_contributor: str | None = None
    detail: dict[str, object] | None = None


@dataclass(frozen=True, slots=True)
class CampaignAnswer:
    """One of a campaign's own questions, and the contributor's answer to it."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class IdeaDetail:
    id: int
    reference: str
    contributor_object_id: str
    title: str
    problem: str
    proposal: str
    benefit: str
    category_key: str
    portfolio_key: str
    campaign_key: str | None
    named_publicly: bool
    status: Status
    decline_reason: DeclineReason | None
    version: int
    submitted_at: datetime
    updated_at: datetime
    history: tuple[HistoryEntry, ...] = ()
    root_cause_problem: str | None = None
    root_cause_implicated: str | None = None
    revisit_on: date | None = None
    duplicate_of: str | None = None
    contributor_name: str | None = None
    due_on: date | None = None  # as IdeaSummary's
    first_response: FirstResponse | None = None
    # The answers to its campaign's own questions, and the campaign's name (None: untagged).
    campaign_answers: tuple[CampaignAnswer, ...] = ()
    campaign_name: str | None = None
    # Who may find it by searching, and the title colleagues see (None: its own).
    visibility: Visibility = field(default_factory=_private)
    public_title: str | None = None
    # How many colleagues support it (idea_supporters) as it was read.
    supporters: int = 0
    # The similar ideas and initiatives found for it after it was saved, best first, while it
    # is undecided (None: not looked for yet, or decided).
    matches: tuple[Match, ...] | None = None

    @property
    def title_for_colleagues(self) -> str:
        """The title its supporters and searching colleagues see: the PMO's, else its own."""
        return self.public_title or self.title

    @property
    def summary(self) -> IdeaSummary:
        return IdeaSummary(self.reference, self.title, self.status, self.decline_reason,
                           self.submitted_at, self.updated_at, self.revisit_on, self.due_on,
                           self.first_response)


@dataclass(frozen=True, slots=True)
class IdeaSubmission:
    """An idea as its contributor submits it: it starts submitted, at version 1."""

    reference: str
    contributor_object_id: str
    contributor_name: str | None
    title: str
    problem: str
    proposal: str
    benefit: str
    category_key: str
    portfolio_key: str
    campaign_key: str | None
    named_publicly: bool
    submitted_at: datetime
    submission_key: str  # the draft it came from: one idea per draft
    profile: Profile  # the contributor's answers as they were at submission, for reporting
    campaign_answers: tuple[CampaignAnswer, ...] = ()
    # Who may find it by searching: the contributor's choice on the check card.
    visibility: Visibility = field(default_factory=_private)


@dataclass(frozen=True, slots=True)
class IdeaChange:
    """What an idea holds after a change: its status and what describes it. Every field is
    written, so `IdeaChange.of(idea)` (nothing but a new version) keeps the idea as it is."""

    status: Status
    decline_reason: DeclineReason | None
    duplicate_of: str | None
    revisit_on: date | None
    portfolio_key: str
    root_cause_problem: str | None
    root_cause_implicated: str | None
    # The change starts a new two-month clock from its time (a reopen): the promise's due
    # day moves, and the first response on the old clock no longer counts.
    restarts_promise: bool = False

    @classmethod
    def of(cls, idea: IdeaDetail) -> IdeaChange:
        """The idea's values as they are."""
        return cls(status=idea.status, decline_reason=idea.decline_reason,
                   duplicate_of=idea.duplicate_of, revisit_on=idea.revisit_on,
                   portfolio_key=idea.portfolio_key,
                   root_cause_problem=idea.root_cause_problem,
                   root_cause_implicated=idea.root_cause_implicated)
