"""Each job's rule, walked through days with the clock: thresholds across month ends and a leap
year, bank holidays and weekends for the digest and the weekly list, catching up after
downtime, and marks that keep a reminder to one sending."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from support.organisation import ADELE, ALEX, ISAIAH, MEGAN, demo_organisation

from bot.app import working_days_of_england_and_wales
from bot.domain.ideas import LONDON, Status, update_due
from bot.domain.reminders import (
    NONE,
    Job,
    JobState,
    Listed,
    Mark,
    OpenIdea,
    Question,
    Section,
    Timing,
    contributor_apologies,
    owed_at,
    pmo_digest,
    revisits,
    spoc_reminders,
    sponsor_weekly,
)

CONTRIBUTOR = "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"
TIMING = Timing(working_days_of_england_and_wales(), time(8, 0))
ORGANISATION = replace(demo_organisation(), allow_self_decisions=False,
                       executive_sponsor=MEGAN)


def uk(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def open_idea(submitted: datetime, *, n: int = 1, status: Status = Status.BUSINESS_ASSESSMENT,
              portfolio: str = "local-policing", contributor: str = CONTRIBUTOR) -> OpenIdea:
    return OpenIdea(n, f"IIP-2026-{n:04d}", f"Idea {n}", status, portfolio, contributor,
                    submitted, update_due(submitted))


def state(*ideas: OpenIdea, **more: object) -> JobState:
    return JobState(ORGANISATION, open=ideas, **more)  # type: ignore[arg-type]


def reminded(owed: list) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(o.to, o.threshold): o.ideas for o in owed}


def test_business_leads_are_reminded_at_21_and_at_7_days_left() -> None:
    idea = open_idea(uk(2026, 11, 30))  # due on 30 January 2027
    assert idea.due == date(2027, 1, 30)
    assert spoc_reminders(state(idea), uk(2027, 1, 8, 23, 59)) == []  # 22 days left
    at_21 = spoc_reminders(state(idea), uk(2027, 1, 9, 0, 1))
    assert reminded(at_21) == {(ALEX, "21"): ("IIP-2026-0001",),
                               (ISAIAH, "21"): ("IIP-2026-0001",)}
    assert reminded(spoc_reminders(state(idea), uk(2027, 1, 23))) == {
        (ALEX, "7"): ("IIP-2026-0001",), (ISAIAH, "7"): ("IIP-2026-0001",)}
    assert spoc_reminders(state(idea), uk(2027, 1, 31)) == []  # breached: the PMO's list


@pytest.mark.parametrize(("submitted", "due", "day_21"), [
    (uk(2026, 12, 31), date(2027, 2, 28), date(2027, 2, 7)),  # a short month
    (uk(2027, 12, 31), date(2028, 2, 29), date(2028, 2, 8)),  # a leap year
    # 00:30 BST on 1 May is 23:30 UTC on 30 April: the UK day counts, due 1 July.
    (uk(2027, 5, 1, 0, 30), date(2027, 7, 1), date(2027, 6, 10)),
    # Just after midnight on 1 November (GMT) is 1 November: due 1 January.
    (uk(2026, 11, 1, 0, 15), date(2027, 1, 1), date(2026, 12, 11)),
])
def test_thresholds_across_month_ends_and_a_leap_year(submitted: datetime, due: date,
                                                      day_21: date) -> None:
    idea = open_idea(submitted)
    assert idea.due == due
    before = datetime.combine(day_21 - timedelta(days=1), time(12), tzinfo=LONDON)
    on = datetime.combine(day_21, time(0, 30), tzinfo=LONDON)
    assert spoc_reminders(state(idea), before) == []
    assert {o.threshold for o in spoc_reminders(state(idea), on)} == {"21"}


def test_a_pass_after_downtime_sends_the_nearest_threshold_passed_only() -> None:
    idea = open_idea(uk(2026, 11, 30))
    assert {o.threshold for o in spoc_reminders(state(idea), uk(2027, 1, 15))} == {"21"}
    assert {o.threshold for o in spoc_reminders(state(idea), uk(2027, 1, 26))} == {"7"}


def test_a_reminder_marked_as_sent_is_not_owed_again_but_the_next_threshold_is() -> None:
    idea = open_idea(uk(2026, 11, 30))
    first = spoc_reminders(state(idea), uk(2027, 1, 9))
    marks = frozenset().union(*(o.marks for o in first))
    assert marks == {Mark(Job.SPOC_REMINDER, 1, "2027-01-30:21")}
    assert spoc_reminders(state(idea, marks=marks), uk(2027, 1, 12)) == []
    assert spoc_reminders(state(idea, marks=marks), uk(2027, 1, 23)) != []


def test_only_ideas_with_the_business_leads_and_not_their_own_are_reminded() -> None:
    waiting = open_idea(uk(2026, 11, 30), status=Status.SUBMITTED)
    own = open_idea(uk(2026, 11, 30), n=2, contributor=ISAIAH)
    owed = spoc_reminders(state(waiting, own), uk(2027, 1, 9))
    assert reminded(owed) == {(ALEX, "21"): ("IIP-2026-0002",)}


def test_one_card_per_person_lists_all_their_ideas_soonest_first() -> None:
    later = open_idea(uk(2026, 12, 2), n=1)
    sooner = open_idea(uk(2026, 12, 1), n=2)
    other = open_idea(uk(2026, 12, 1), n=3, portfolio="crime-and-justice")
    owed = reminded(spoc_reminders(state(later, sooner, other), uk(2027, 1, 12)))
    assert owed[(ALEX, "21")] == ("IIP-2026-0002", "IIP-2026-0001")
    assert owed[(MEGAN, "21")] == ("IIP-2026-0003",)


def test_keep_drops_the_lines_another_pass_sent() -> None:
    a, b = open_idea(uk(2026, 12, 1), n=1), open_idea(uk(2026, 12, 1), n=2)
    owed = next(o for o in spoc_reminders(state(a, b), uk(2027, 1, 12)) if o.to == ALEX)
    only_b = owed.keep(frozenset({Mark(Job.SPOC_REMINDER, 2, "2027-02-01:21")}))
    assert only_b is not None and only_b.ideas == ("IIP-2026-0002",)
    assert owed.keep(frozenset()) is None
    assert only_b.dedupe_key != owed.dedupe_key  # a line sent elsewhere never blocks it


def digest_at(moment: datetime, the_state: JobState | None = None) -> list:
    return pmo_digest(the_state or state(), moment, TIMING)


@pytest.mark.parametrize(("moment", "sent"), [
    (uk(2027, 1, 20, 7, 59), False),
    (uk(2027, 1, 20, 8, 0), True),
    (uk(2027, 1, 20, 17), True),  # catching up later the same day
    (uk(2027, 1, 23, 9), False),  # a Saturday
    (uk(2026, 12, 28, 9), False),  # Boxing Day (observed)
    (uk(2027, 3, 29, 9), False),  # Easter Monday
    (uk(2027, 3, 30, 8), True),  # BST: 08:00 in London is 07:00 UTC
])
def test_the_digest_goes_on_working_days_from_the_set_time(moment: datetime,
                                                          sent: bool) -> None:
    owed = digest_at(moment)
    assert bool(owed) is sent
    if sent:
        assert [o.to for o in owed] == list(ORGANISATION.pmo)
        day = moment.astimezone(LONDON).date().isoformat()
        assert owed[0].mark == Mark(Job.PMO_DIGEST, NONE, day)
        assert owed[0].threshold == day


def test_an_empty_digest_settles_the_day_and_says_nothing() -> None:
    (owed,) = digest_at(uk(2027, 1, 20, 8))
    assert not owed.says_something
    assert owed.keep(frozenset({owed.mark})) is not None  # its mark is still recorded
    marked = state(marks=frozenset({owed.mark}))
    assert digest_at(uk(2027, 1, 20, 15), marked) == []


def test_the_digest_has_its_six_lists() -> None:
    today = uk(2027, 1, 20, 8)
    near = open_idea(uk(2026, 11, 25), n=1, status=Status.SUBMITTED)  # due 25 January
    far = open_idea(uk(2026, 12, 20), n=2)  # due 20 February: not yet
    breached = open_idea(uk(2026, 11, 10), n=3)  # due 10 January
    triage = [Listed(4, "IIP-2026-0004", "Six working days", Status.SUBMITTED, "local-policing",
                     date(2027, 1, 12)),
              Listed(5, "IIP-2026-0005", "Five working days", Status.SUBMITTED,
                     "local-policing", date(2027, 1, 13))]
    approved = [Listed(6, "IIP-2026-0006", "Long ago", Status.APPROVED, "local-policing",
                       date(2026, 7, 19)),
                Listed(7, "IIP-2026-0007", "Recently", Status.APPROVED, "local-policing",
                       date(2026, 7, 20))]
    orphaned = [Listed(8, "IIP-2026-0008", "Retired", Status.DEFERRED, "old-portfolio",
                       date(2026, 5, 1)),
                Listed(9, "IIP-2026-0009", "Still here", Status.DEFERRED, "local-policing",
                       date(2026, 5, 1))]
    asked = today - timedelta(days=14)
    questions = [
        Question(Listed(10, "IIP-2026-0010", "Asked long ago", Status.BUSINESS_ASSESSMENT,
                        "local-policing", date(2027, 1, 6)), asked, None),
        Question(Listed(11, "IIP-2026-0011", "Answered", Status.BUSINESS_ASSESSMENT,
                        "local-policing", date(2027, 1, 6)), asked, asked + timedelta(hours=1)),
        Question(Listed(12, "IIP-2026-0012", "Asked lately", Status.BUSINESS_ASSESSMENT,
                        "local-policing", date(2027, 1, 7)), asked + timedelta(hours=1), None),
    ]
    the_state = JobState(ORGANISATION, open=(near, far, breached),
                         awaiting_triage=tuple(triage), approved=tuple(approved),
                         orphaned=tuple(orphaned), questions=tuple(questions))
    (owed, *_rest) = digest_at(today, the_state)
    lists = {listing.section: [line.reference for line in listing.lines]
             for listing in owed.listings}
    assert lists == {
        Section.NEAR_BREACH: ["IIP-2026-0001"],
        Section.BREACHED: ["IIP-2026-0003"],
        Section.AWAITING_TRIAGE: ["IIP-2026-0004"],
        Section.UNDELIVERED: ["IIP-2026-0006"],
        Section.NO_PORTFOLIO: ["IIP-2026-0008"],
        Section.UNANSWERED: ["IIP-2026-0010"],
    }


def test_the_sponsor_hears_weekly_of_breaches_by_portfolio() -> None:
    breached = (open_idea(uk(2026, 11, 10), n=1),
                open_idea(uk(2026, 11, 11), n=2, portfolio="crime-and-justice"))
    # Easter Monday 2027 is a bank holiday: the week's list waits for the Tuesday.
    assert sponsor_weekly(state(*breached), uk(2027, 3, 29, 10), TIMING) == []
    assert sponsor_weekly(state(*breached), uk(2027, 3, 30, 7, 59), TIMING) == []
    (owed,) = sponsor_weekly(state(*breached), uk(2027, 3, 30, 8), TIMING)
    assert (owed.to, owed.threshold) == (MEGAN, "2027-W13")
    assert [(listing.portfolio_key, [line.reference for line in listing.lines])
            for listing in owed.listings] == [("local-policing", ["IIP-2026-0001"]),
                                              ("crime-and-justice", ["IIP-2026-0002"])]
    marked = state(*breached, marks=frozenset({owed.mark}))
    assert sponsor_weekly(marked, uk(2027, 4, 1, 9), TIMING) == []
    assert sponsor_weekly(marked, uk(2027, 4, 5, 9), TIMING) != []  # next week
    nobody = JobState(replace(ORGANISATION, executive_sponsor=None), open=breached)
    assert sponsor_weekly(nobody, uk(2027, 3, 30, 8), TIMING) == []


def test_the_contributor_gets_an_apology_on_the_due_day_only() -> None:
    idea = open_idea(uk(2026, 11, 30))  # due 30 January 2027
    assert contributor_apologies(state(idea), uk(2027, 1, 29, 23)) == []
    (owed,) = contributor_apologies(state(idea), uk(2027, 1, 30, 0, 5))
    assert (owed.to, owed.ideas, owed.threshold) == (CONTRIBUTOR, ("IIP-2026-0001",), "0")
    assert contributor_apologies(state(idea), uk(2027, 2, 6)) != []  # catching up
    assert contributor_apologies(state(idea), uk(2027, 2, 7)) == []
    marked = state(idea, marks=owed.marks)
    assert contributor_apologies(marked, uk(2027, 1, 30, 12)) == []


def test_a_deferred_idea_comes_back_on_its_revisit_day() -> None:
    deferred = Listed(5, "IIP-2026-0005", "Deferred", Status.DEFERRED, "crime-and-justice",
                      date(2027, 1, 20))
    the_state = state(deferred=(deferred,))
    assert revisits(the_state, uk(2027, 1, 19, 23)) == []
    owed = revisits(the_state, uk(2027, 1, 20, 0, 1))
    assert [(o.to, o.ideas, o.threshold) for o in owed] == [
        (MEGAN, ("IIP-2026-0005",), "2027-01-20"), (ALEX, ("IIP-2026-0005",), "2027-01-20")]
    assert revisits(replace(the_state, marks=owed[0].marks), uk(2027, 1, 21)) == []
    assert revisits(the_state, uk(2027, 3, 1)) != []  # never lost


def test_every_job_together() -> None:
    idea = open_idea(uk(2026, 11, 20))  # due 20 January 2027
    jobs = {o.job for o in owed_at(state(idea), uk(2027, 1, 20, 9), TIMING) if o.says_something}
    assert jobs == {Job.SPOC_REMINDER, Job.PMO_DIGEST, Job.CONTRIBUTOR_APOLOGY}
    assert ADELE not in {o.to for o in owed_at(state(idea), uk(2027, 1, 20, 9), TIMING)}
