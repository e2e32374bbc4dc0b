"""The scheduler's jobs: what the portal owes people at a moment, computed from the state.

Each job is a pure function of the state and the time. Nothing is queued in advance: every
pass works out again what is owed, so a pass after downtime catches up, and a decision made
first simply takes the idea out of what is owed. What a pass has done is recorded as marks
(job, idea, threshold), claimed in the same transaction as the messages, so that two passes at
once, or a pass after a restart, send each reminder once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.ideas import LONDON, UNDECIDED, Status, add_months, uk_day
from bot.domain.organisation import Organisation
from bot.domain.working_days import WorkingDays

# Days left before the promise's due day at which the business leads are reminded.
SPOC_THRESHOLDS = (21, 7)
# Ideas closer than this to their due day are on the PMO's digest.
NEAR_BREACH_DAYS = 7
# An apology missed on the due day (the service was down) is still sent this many days later;
# after that, the PMO's list of breaches has the idea.
APOLOGY_CATCH_UP_DAYS = 7
TRIAGE_WORKING_DAYS = 5
UNDELIVERED_MONTHS = 6
UNANSWERED_QUESTION_DAYS = 14
# The business leads assess an idea once it is allocated, until it is decided.
ASSESSED = frozenset({Status.BUSINESS_ASSESSMENT, Status.ESCALATED})
# An idea that may still move on: one in a retired portfolio has nobody to move it.
NOT_CLOSED = frozenset(Status) - {Status.DELIVERED, Status.DECLINED, Status.WITHDRAWN}
# A question may be answered while the idea is in one of these.
ASKABLE = frozenset({Status.BUSINESS_ASSESSMENT, Status.ESCALATED})
NONE = 0  # the idea id of a mark that is not about one idea (a digest's day)


class Job(StrEnum):
    SPOC_REMINDER = "spoc_reminder"
    PMO_DIGEST = "pmo_digest"
    SPONSOR_WEEKLY = "sponsor_weekly"
    CONTRIBUTOR_APOLOGY = "contributor_apology"
    REVISIT = "revisit"
    RETENTION = "retention"  # the day's purge of what is kept no longer (bot.domain.retention)


class Section(StrEnum):
    """A list in a message, by what its ideas have in common."""

    DUE_SOON = "due_soon"  # a business lead's: no answer yet, the due day is near
    NEAR_BREACH = "near_breach"
    BREACHED = "breached"  # past the due day with no answer
    AWAITING_TRIAGE = "awaiting_triage"
    UNDELIVERED = "undelivered"  # approved long ago, not delivered
    NO_PORTFOLIO = "no_portfolio"  # its portfolio was retired
    UNANSWERED = "unanswered"  # a question to the contributor, long unanswered
    APOLOGY = "apology"
    REVISIT = "revisit"


@dataclass(frozen=True, slots=True, order=True)
class Mark:
    """Something a pass has done, recorded so that no pass does it again."""

    job: Job
    idea_id: int  # NONE for a digest
    threshold: str


@dataclass(frozen=True, slots=True)
class Line:
    """One idea in a message, with the day that matters for its list (its due day, the day it
    was submitted, approved or asked about, its revisit day)."""

    idea_id: int
    reference: str
    title: str
    portfolio_key: str
    day: date
    mark: Mark | None = None  # a line that may be sent once: its own mark


@dataclass(frozen=True, slots=True)
class Listing:
    section: Section
    lines: tuple[Line, ...]
    portfolio_key: str | None = None  # a list of one portfolio's ideas


@dataclass(frozen=True, slots=True)
class Owed:
    """One message a pass owes one person (`to`, an Entra object id)."""

    job: Job
    to: str
    threshold: str  # days left ("21"), the digest's day or week, the revisit day
    listings: tuple[Listing, ...]
    mark: Mark | None = None  # a whole message sent once (a digest): its mark
    on: date | None = None  # the UK day the message is for

    @property
    def ideas(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.reference for listing in self.listings
                                   for line in listing.lines))

    @property
    def says_something(self) -> bool:
        return any(listing.lines for listing in self.listings)

    @property
    def marks(self) -> frozenset[Mark]:
        own: set[Mark] = {self.mark} if self.mark else set()
        return frozenset(own | {line.mark for listing in self.listings for line in listing.lines
                                if line.mark is not None})

    @property
    def dedupe_key(self) -> str:
        """One message per job, person and what its marks say: the day or week of a digest,
        or the first idea it lists with that idea's threshold (and clock). Two passes that
        claimed different ideas never share a key, and a reopened idea's new clock is new."""
        first = next((line for listing in self.listings for line in listing.lines
                      if line.mark is not None), None)
        if first is not None and first.mark is not None:
            what = f"{first.reference}:{first.mark.threshold}"
        else:
            what = self.mark.threshold if self.mark else self.threshold
        return f"{self.job.value}:{self.to}:{what}"[:400]

    def keep(self, claimed: frozenset[Mark]) -> Owed | None:
        """This message as this pass should send it, now that it holds `claimed`: without the
        lines another pass sent, and not at all if another pass sent it whole."""
        if self.mark is not None and self.mark not in claimed:
            return None
        listings = tuple(replace(listing, lines=tuple(
            line for line in listing.lines if line.mark is None or line.mark in claimed
        )) for listing in self.listings)
        kept = replace(self, listings=listings)
        return kept if kept.says_something or self.mark is not None else None


@dataclass(frozen=True, slots=True)
class OpenIdea:
    """An undecided idea whose contributor has had no substantive answer on its clock yet."""

    id: int
    reference: str
    title: str
    status: Status
    portfolio_key: str
    contributor: str
    submitted_at: datetime
    due: date

    def line(self, mark: Mark | None = None, day: date | None = None) -> Line:
        return Line(self.id, self.reference, self.title, self.portfolio_key, day or self.due,
                    mark)


@dataclass(frozen=True, slots=True)
class Listed:
    """An idea on a list, with the day that matters for it."""

    id: int
    reference: str
    title: str
    status: Status
    portfolio_key: str
    day: date
    contributor: str = ""

    def line(self, mark: Mark | None = None) -> Line:
        return Line(self.id, self.reference, self.title, self.portfolio_key, self.day, mark)


@dataclass(frozen=True, slots=True)
class Question:
    """The latest question asked about an idea, and the contributor's latest answer."""

    idea: Listed  # its day: when the question was asked
    asked_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class Reading:
    """What a pass at `now` reads: the bounds that keep it to the ideas that could matter."""

    now: datetime
    today: date
    due_until: date  # open ideas due on or before this day
    submitted_before: datetime  # ... or, with no due day stored, submitted before this
    triage_before: datetime  # awaiting triage since before this
    approved_before: datetime  # approved before this
    asked_before: datetime  # questions asked before this
    day_marks: tuple[Mark, ...]  # the digests this pass could owe

    @classmethod
    def at(cls, now: datetime, calendar: WorkingDays) -> Reading:
        today = uk_day(now)
        due_until = today + timedelta(days=max(SPOC_THRESHOLDS))
        # Two months before `due_until`, and a few days more for the months' lengths.
        submitted_before = _start_of(add_months(due_until, -2) + timedelta(days=4))
        return cls(
            now=now, today=today, due_until=due_until, submitted_before=submitted_before,
            triage_before=_start_of(calendar.back(today, TRIAGE_WORKING_DAYS + 1)),
            approved_before=_start_of(add_months(today, -UNDELIVERED_MONTHS)),
            asked_before=now - timedelta(days=UNANSWERED_QUESTION_DAYS),
            day_marks=(Mark(Job.PMO_DIGEST, NONE, today.isoformat()),
                       Mark(Job.SPONSOR_WEEKLY, NONE, iso_week(today))),
        )


@dataclass(frozen=True, slots=True)
class JobState:
    """Everything the jobs read, as of one moment."""

    organisation: Organisation
    open: tuple[OpenIdea, ...] = ()  # due on or before the reading's `due_until`
    awaiting_triage: tuple[Listed, ...] = ()  # submitted before the reading's bound
    approved: tuple[Listed, ...] = ()  # day: approved on
    orphaned: tuple[Listed, ...] = ()  # not closed, in a portfolio that is not the org's
    questions: tuple[Question, ...] = ()
    deferred: tuple[Listed, ...] = ()  # day: the revisit day, today or before
    marks: frozenset[Mark] = field(default_factory=frozenset[Mark])


@dataclass(frozen=True, slots=True)
class Timing:
    """When the daily and weekly messages go: the PMO's digest from `digest_at` (UK time) on
    working days; the sponsor's from then on the week's first working day."""

    calendar: WorkingDays = field(default_factory=WorkingDays)
    digest_at: time = time(8, 0)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _start_of(day: date) -> datetime:
    """Midnight at the start of `day`, UK time, as UTC."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def spoc_reminders(state: JobState, now: datetime) -> list[Owed]:
    """Each business lead of an idea's portfolio, when 21 and when 7 days remain without an
    answer: one message per person and threshold, listing their ideas. An idea found later
    (after downtime) gets the reminder of the nearest threshold it has passed, not both."""
    today = uk_day(now)
    organisation = state.organisation
    leads = {p.key: tuple(dict.fromkeys((*p.spocs, *p.deputies)))
             for p in organisation.portfolios}
    owed: dict[tuple[str, int], list[Line]] = {}
    for idea in state.open:
        left = (idea.due - today).days
        threshold = next((t for t in sorted(SPOC_THRESHOLDS) if left <= t), None)
        if idea.status not in ASSESSED or left < 0 or threshold is None:
            continue
        mark = Mark(Job.SPOC_REMINDER, idea.id, f"{idea.due.isoformat()}:{threshold}")
        if mark in state.marks:
            continue
        for person in leads.get(idea.portfolio_key, ()):
            if person != idea.contributor or organisation.allow_self_decisions:
                owed.setdefault((person, threshold), []).append(idea.line(mark))
    return [Owed(Job.SPOC_REMINDER, person, str(threshold),
                 (Listing(Section.DUE_SOON, _soonest(lines)),), on=today)
            for (person, threshold), lines in owed.items()]


def pmo_digest(state: JobState, now: datetime, timing: Timing) -> list[Owed]:
    """The PMO's digest, once on each working day from the set time: one message per member
    of the PMO, the same six lists for each. The first pass from that time settles the day:
    when every list is empty, nothing is sent that day."""
    local = now.astimezone(LONDON)
    today = local.date()
    mark = Mark(Job.PMO_DIGEST, NONE, today.isoformat())
    if (not timing.calendar.is_working(today) or local.time().replace(tzinfo=None)
            < timing.digest_at or mark in state.marks):
        return []
    listings = tuple(Listing(section, lines) for section, lines in digest_lists(state, now,
                                                                                   timing))
    return [Owed(Job.PMO_DIGEST, person, today.isoformat(), listings, mark, on=today)
            for person in state.organisation.pmo]


def digest_lists(state: JobState, now: datetime,
                 timing: Timing) -> list[tuple[Section, tuple[Line, ...]]]:
    """The digest's six lists as of `now`."""
    today = uk_day(now)
    near = [i.line() for i in state.open if 0 <= (i.due - today).days <= NEAR_BREACH_DAYS]
    reading = Reading.at(now, timing.calendar)
    triage = [i.line() for i in state.awaiting_triage
              if i.status is Status.SUBMITTED and i.day < uk_day(reading.triage_before)]
    approved = [i.line() for i in state.approved
                if i.status is Status.APPROVED and i.day < uk_day(reading.approved_before)]
    keys = {p.key for p in state.organisation.portfolios}
    orphaned = [i.line() for i in state.orphaned
                if i.status in NOT_CLOSED and i.portfolio_key not in keys]
    unanswered = [q.idea.line() for q in state.questions
                  if q.idea.status in ASKABLE and q.asked_at <= reading.asked_before
                  and (q.answered_at is None or q.answered_at < q.asked_at)]
    return [(Section.NEAR_BREACH, _soonest(near)), (Section.BREACHED, breaches(state, today)),
            (Section.AWAITING_TRIAGE, _soonest(triage)), (Section.UNDELIVERED, _soonest(approved)),
            (Section.NO_PORTFOLIO, tuple(orphaned)), (Section.UNANSWERED, _soonest(unanswered))]


def breaches(state: JobState, today: date) -> tuple[Line, ...]:
    """Undecided ideas past their due day with no answer, the longest overdue first."""
    return _soonest(i.line() for i in state.open if i.status in UNDECIDED and i.due < today)


def sponsor_weekly(state: JobState, now: datetime, timing: Timing) -> list[Owed]:
    """The executive sponsor's weekly list of breaches by portfolio, from the digest's time on
    the week's first working day; nothing when there are none (or no sponsor)."""
    local = now.astimezone(LONDON)
    today = local.date()
    first = timing.calendar.first_of_week(today)
    sponsor = state.organisation.executive_sponsor
    mark = Mark(Job.SPONSOR_WEEKLY, NONE, iso_week(today))
    if (sponsor is None or first is None or today < first or mark in state.marks
            or (today == first and local.time().replace(tzinfo=None) < timing.digest_at)):
        return []
    by_portfolio: dict[str, list[Line]] = {}
    for line in breaches(state, today):
        by_portfolio.setdefault(line.portfolio_key, []).append(line)
    order = [p.key for p in state.organisation.portfolios]
    keys = sorted(by_portfolio, key=lambda k: (order.index(k) if k in order else len(order), k))
    listings = tuple(Listing(Section.BREACHED, tuple(by_portfolio[k]), k) for k in keys)
    return [Owed(Job.SPONSOR_WEEKLY, sponsor, iso_week(today), listings, mark, on=today)]


def contributor_apologies(state: JobState, now: datetime) -> list[Owed]:
    """On the due day, to the contributor of an idea that has had no substantive answer: an
    honest apology that it is still being looked at. It does not keep the promise."""
    today = uk_day(now)
    owed: list[Owed] = []
    for idea in state.open:
        left = (idea.due - today).days
        mark = Mark(Job.CONTRIBUTOR_APOLOGY, idea.id, idea.due.isoformat())
        if idea.status in UNDECIDED and -APOLOGY_CATCH_UP_DAYS <= left <= 0 \
                and mark not in state.marks:
            owed.append(Owed(Job.CONTRIBUTOR_APOLOGY, idea.contributor, "0",
                             (Listing(Section.APOLOGY, (idea.line(mark),)),), on=today))
    return owed


def revisits(state: JobState, now: datetime) -> list[Owed]:
    """On a deferred idea's revisit day (or the first pass after it), its portfolio's business
    leads and the PMO: one message each, pointing at the idea's own card."""
    today = uk_day(now)
    organisation = state.organisation
    owed: list[Owed] = []
    for idea in state.deferred:
        mark = Mark(Job.REVISIT, idea.id, idea.day.isoformat())
        if idea.status is not Status.DEFERRED or idea.day > today or mark in state.marks:
            continue
        portfolio = next((p for p in organisation.portfolios if p.key == idea.portfolio_key),
                         None)
        leads = (*portfolio.spocs, *portfolio.deputies) if portfolio else ()
        for person in dict.fromkeys((*leads, *organisation.pmo)):
            owed.append(Owed(Job.REVISIT, person, idea.day.isoformat(),
                             (Listing(Section.REVISIT, (idea.line(mark),)),), on=today))
    return owed


def owed_at(state: JobState, now: datetime, timing: Timing) -> list[Owed]:
    """Every job's messages at `now`, in the jobs' order."""
    return [*spoc_reminders(state, now), *pmo_digest(state, now, timing),
            *sponsor_weekly(state, now, timing), *contributor_apologies(state, now),
            *revisits(state, now)]


def _soonest(lines: Iterable[Line]) -> tuple[Line, ...]:
    return tuple(sorted(lines, key=lambda line: (line.day, line.reference)))
