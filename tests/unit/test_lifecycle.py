"""The lifecycle table, tested exhaustively against the product brief (../shared/DOMAIN.md).

`EXPECTED` below is written out by hand from the brief, not copied from bot/domain/lifecycle.py:
a move added, dropped or given to someone else in the code fails these tests until the
brief's reading here is changed too.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from itertools import combinations

import pytest
from support.organisation import ADELE, ALEX, ISAIAH, MEGAN, demo_organisation

from bot.domain.errors import InvalidText, NotAllowed
from bot.domain.ideas import DeclineReason, IdeaDetail, Status
from bot.domain.lifecycle import (
    CLOSED,
    NEEDS_ROOT_CAUSE,
    TRANSITIONS,
    Deciders,
    Move,
    Party,
    deciders,
    decline_reason,
    followers_of,
    message,
    moves_for,
    note,
    parties,
    revisit_date,
    revisit_window,
    root_causes,
    rule_for,
    withdrawable,
)

S, M = Status, Move
PMO, SPOC, CONTRIBUTOR = Party.PMO, Party.SPOC, Party.CONTRIBUTOR
STAFF = {PMO, SPOC}

# (status, move): (the status it goes to, None when it stays; who may make it)
EXPECTED: dict[tuple[Status, Move], tuple[Status | None, set[Party]]] = {
    # The PMO triages: allocate, or decline duplicates and existing things at triage.
    (S.SUBMITTED, M.ALLOCATE): (S.BUSINESS_ASSESSMENT, {PMO}),
    (S.SUBMITTED, M.DECLINE_AT_TRIAGE): (S.DECLINED, {PMO}),
    (S.SUBMITTED, M.UPDATE): (None, {PMO}),
    (S.SUBMITTED, M.WITHDRAW): (S.WITHDRAWN, {CONTRIBUTOR}),
    # The portfolio's SPOCs (and the PMO, who may act on any idea) assess.
    (S.BUSINESS_ASSESSMENT, M.APPROVE): (S.APPROVED, STAFF),
    (S.BUSINESS_ASSESSMENT, M.DECLINE): (S.DECLINED, STAFF),
    (S.BUSINESS_ASSESSMENT, M.DEFER): (S.DEFERRED, STAFF),
    (S.BUSINESS_ASSESSMENT, M.ESCALATE): (S.ESCALATED, STAFF),
    (S.BUSINESS_ASSESSMENT, M.REALLOCATE): (None, STAFF),
    (S.BUSINESS_ASSESSMENT, M.ASK): (None, STAFF),
    (S.BUSINESS_ASSESSMENT, M.UPDATE): (None, STAFF),
    (S.BUSINESS_ASSESSMENT, M.WITHDRAW): (S.WITHDRAWN, {CONTRIBUTOR}),
    (S.ESCALATED, M.APPROVE): (S.APPROVED, STAFF),
    (S.ESCALATED, M.DECLINE): (S.DECLINED, STAFF),
    (S.ESCALATED, M.DEFER): (S.DEFERRED, STAFF),
    (S.ESCALATED, M.ASK): (None, STAFF),
    (S.ESCALATED, M.UPDATE): (None, STAFF),
    (S.ESCALATED, M.WITHDRAW): (S.WITHDRAWN, {CONTRIBUTOR}),
    # A deferred idea is never forgotten: revisited, deferred again to a new date, declined,
    # or withdrawn by its contributor.
    (S.DEFERRED, M.REVISIT): (S.BUSINESS_ASSESSMENT, STAFF),
    (S.DEFERRED, M.DEFER): (S.DEFERRED, STAFF),
    (S.DEFERRED, M.DECLINE): (S.DECLINED, STAFF),
    (S.DEFERRED, M.UPDATE): (None, STAFF),
    (S.DEFERRED, M.WITHDRAW): (S.WITHDRAWN, {CONTRIBUTOR}),
    (S.APPROVED, M.DELIVER): (S.DELIVERED, STAFF),
    (S.APPROVED, M.UPDATE): (None, STAFF),
    # Closed ideas: only the PMO may reopen them, back to triage.
    (S.DELIVERED, M.REOPEN): (S.SUBMITTED, {PMO}),
    (S.DECLINED, M.REOPEN): (S.SUBMITTED, {PMO}),
    (S.WITHDRAWN, M.REOPEN): (S.SUBMITTED, {PMO}),
}

# Every set of parties someone might be to an idea (recusal has its own tests below).
PARTY_SETS = [frozenset(c) for n in range(4) for c in combinations((PMO, SPOC, CONTRIBUTOR), n)]
RECUSED = frozenset({CONTRIBUTOR, Party.RECUSED})
def _name(value: object) -> str:
    if isinstance(value, frozenset):
        return "+".join(sorted(value)) or "nobody"
    return str(value)


def test_the_table_is_the_briefs_table():
    actual = {key: (rule.to, set(rule.who)) for key, rule in TRANSITIONS.items()}
    assert actual == EXPECTED


def test_the_party_sets_cover_pmo_spoc_contributor_and_nobody():
    assert len(PARTY_SETS) == 8
    assert {frozenset(), frozenset({PMO}), frozenset({SPOC}),
            frozenset({CONTRIBUTOR})} <= set(PARTY_SETS)


@pytest.mark.parametrize("move", list(Move))
@pytest.mark.parametrize("status", list(Status))
def test_every_status_and_move_for_every_party(status: Status, move: Move):
    expected = EXPECTED.get((status, move))
    for who in PARTY_SETS:
        if expected is not None and expected[1] & who:
            assert rule_for(status, move, who).to == expected[0], _name(who)
            continue
        with pytest.raises(NotAllowed) as refusal:
            rule_for(status, move, who)
        words = str(refusal.value)
        assert words.endswith(".") and len(words) < 120
        if expected is not None:  # a real move, but not theirs
            assert words == "You are not one of the people who can do that for this idea.", \
                _name(who)
        elif status in CLOSED:
            assert f"This idea is {status.label.lower()}, so it can no longer be" in words
        else:
            assert f"An idea that is {status.label.lower()} cannot be" in words


def test_closed_means_delivered_declined_or_withdrawn():
    assert {S.DELIVERED, S.DECLINED, S.WITHDRAWN} == CLOSED
    for status in CLOSED:  # nothing moves a closed idea but the PMO's reopen
        assert [m for (at, m) in EXPECTED if at is status] == [M.REOPEN]


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("who", PARTY_SETS, ids=_name)
def test_moves_for_lists_what_these_parties_may_do_in_table_order(
    status: Status, who: frozenset[Party]
):
    expected = [move for (at, move), (_to, allowed) in EXPECTED.items()
                if at is status and allowed & who]
    assert moves_for(status, who) == expected


def test_moves_for_examples():
    assert moves_for(S.SUBMITTED, frozenset({PMO})) == [M.ALLOCATE, M.DECLINE_AT_TRIAGE,
                                                        M.UPDATE]
    assert moves_for(S.SUBMITTED, frozenset({SPOC})) == []
    assert moves_for(S.BUSINESS_ASSESSMENT, frozenset({CONTRIBUTOR})) == [M.WITHDRAW]
    assert moves_for(S.DECLINED, frozenset({SPOC, CONTRIBUTOR})) == []
    assert moves_for(S.DECLINED, frozenset({PMO})) == [M.REOPEN]
    assert moves_for(S.APPROVED, frozenset()) == []


def test_every_move_is_somewhere_in_the_table_and_has_a_label():
    assert {m for (_s, m) in TRANSITIONS} == set(Move)
    for move in Move:
        assert move.label and not move.label.endswith(".")


# Who someone is to an idea: from the organisation's records only


@pytest.mark.parametrize("self_decisions", [False, True])
def test_parties_come_from_the_records(self_decisions: bool):
    def of(who: str, *, pmo: bool, assesses: set[str]) -> frozenset[Party]:
        return parties(who, "c", "p", pmo=pmo, assesses=frozenset(assesses),
                       self_decisions=self_decisions)

    assert of("a", pmo=True, assesses=set()) == {PMO}
    assert of("a", pmo=False, assesses={"p", "q"}) == {SPOC}
    assert of("a", pmo=False, assesses={"q"}) == frozenset()
    assert of("c", pmo=False, assesses=set()) == {CONTRIBUTOR}
    assert of("c", pmo=False, assesses={"q"}) == {CONTRIBUTOR}  # staff, not of this idea


def test_nobody_decides_their_own_idea_unless_the_organisation_allows_it():
    for pmo, assesses in ((True, frozenset()), (False, frozenset({"p"})),
                          (True, frozenset({"p"}))):
        assert parties("c", "c", "p", pmo=pmo, assesses=assesses,
                       self_decisions=False) == RECUSED
    assert parties("c", "c", "p", pmo=True, assesses=frozenset({"p"}),
                   self_decisions=True) == {PMO, SPOC, CONTRIBUTOR}


@pytest.mark.parametrize("status", list(Status))
def test_a_recused_contributor_may_only_do_what_a_contributor_may(status: Status):
    assert moves_for(status, RECUSED) == moves_for(status, frozenset({CONTRIBUTOR}))
    for (at, move), (_to, allowed) in EXPECTED.items():
        if at is not status or CONTRIBUTOR in allowed:
            continue
        with pytest.raises(NotAllowed) as refusal:
            rule_for(status, move, RECUSED)
        assert str(refusal.value) == "You submitted this idea, so you cannot decide it yourself."


def test_who_decides_instead_follows_the_status_and_never_names_the_contributor():
    organisation = dataclasses.replace(demo_organisation(), pmo=(ALEX, MEGAN))
    own = dataclasses.replace(_idea(S.SUBMITTED, "local-policing"), contributor_object_id=ALEX)
    assert deciders(own, organisation) == Deciders(business_leads=(), pmo=(MEGAN,))
    assessed = dataclasses.replace(own, status=S.BUSINESS_ASSESSMENT)
    assert deciders(assessed, organisation) == Deciders((ISAIAH,), (MEGAN,))
    declined = dataclasses.replace(own, status=S.DECLINED)  # only the PMO reopens
    assert deciders(declined, organisation) == Deciders((), (MEGAN,))
    alone = dataclasses.replace(organisation, pmo=(ALEX,))
    assert deciders(own, alone) == Deciders((), ())


def _idea(status: Status, portfolio: str = "people-and-wellbeing") -> IdeaDetail:
    moment = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    return IdeaDetail(id=1, reference="IIP-2026-0001", contributor_object_id="c", title="t",
                      problem="p", proposal="p", benefit="b", category_key="process",
                      portfolio_key=portfolio, campaign_key=None, named_publicly=False,
                      status=status, decline_reason=None, version=1, submitted_at=moment,
                      updated_at=moment)


def test_followers_are_the_pmo_then_the_portfolios_spocs_and_deputies_once_allocated():
    organisation = demo_organisation()
    assert followers_of(_idea(S.SUBMITTED), organisation) == [ALEX]
    assert followers_of(_idea(S.BUSINESS_ASSESSMENT), organisation) == [ALEX, MEGAN, ADELE]
    assert followers_of(_idea(S.APPROVED, "local-policing"), organisation) == [ALEX, ISAIAH]
    assert followers_of(_idea(S.DECLINED), organisation) == [ALEX]
    assert followers_of(_idea(S.BUSINESS_ASSESSMENT, "gone"), organisation) == [ALEX]


# The answers each move needs


@pytest.mark.parametrize("empty", [None, "", "   ", "\n\t "])
def test_a_decision_needs_a_message_to_the_contributor(empty):
    with pytest.raises(InvalidText) as problem:
        message(empty)
    assert problem.value.field == "message"
    assert "The message to the contributor is empty" in str(problem.value)
    assert message(empty, required=False) is None


@pytest.mark.parametrize("forged", [42, ["a"], {"text": "a"}, True])
def test_a_message_must_be_text(forged):
    with pytest.raises(InvalidText, match="must be text"):
        message(forged)


def test_a_message_is_trimmed_and_limited():
    assert message("  Thank you.  ") == "Thank you."
    assert message("x" * 2000) == "x" * 2000
    with pytest.raises(InvalidText, match="the limit is 2,000"):
        message("x" * 2001)
    with pytest.raises(InvalidText, match="control characters"):
        message("bad\x00text")
    assert note("") is None and note(" internal ") == "internal"


TODAY = date(2026, 11, 2)


@pytest.mark.parametrize("given", ["2026-11-02", "2026-11-01", "2020-01-01"])
def test_a_revisit_date_must_be_in_the_future(given):
    with pytest.raises(InvalidText, match="must be in the future") as problem:
        revisit_date(given, TODAY)
    assert problem.value.field == "revisit_on"


@pytest.mark.parametrize("given", [None, "", "  ", 20261203, ["2026-12-03"],
                                   "next week", "2026-13-01", "03/12/2026"])
def test_a_revisit_date_must_be_given_as_a_date(given):
    with pytest.raises(InvalidText) as problem:
        revisit_date(given, TODAY)
    assert problem.value.field == "revisit_on"
    assert "future" not in str(problem.value)


def test_the_day_after_today_is_a_good_revisit_date():
    assert revisit_date("2026-11-03", TODAY) == date(2026, 11, 3)
    assert revisit_date(" 2027-05-01 ", TODAY) == date(2027, 5, 1)


def test_a_revisit_date_may_be_three_years_ahead_and_no_further():
    assert revisit_date("2029-11-02", TODAY) == date(2029, 11, 2)
    for given in ("2029-11-03", "2031-01-01", "9999-12-31"):
        with pytest.raises(InvalidText, match="at most three years ahead: please choose a day "
                                              "up to 2 November 2029") as problem:
            revisit_date(given, TODAY)
        assert problem.value.field == "revisit_on"


@pytest.mark.parametrize(("today", "first", "last"), [
    (date(2026, 11, 2), date(2026, 11, 3), date(2029, 11, 2)),
    (date(2026, 12, 31), date(2027, 1, 1), date(2029, 12, 31)),  # across a year end
    (date(2028, 2, 29), date(2028, 3, 1), date(2031, 2, 28)),  # a leap day has no match
])
def test_the_revisit_window_runs_from_tomorrow_to_three_years_on(today, first, last):
    allowed = revisit_window(today)
    assert (allowed.first, allowed.last) == (first, last)
    assert revisit_date(first.isoformat(), today) == first
    assert revisit_date(last.isoformat(), today) == last


def test_who_may_withdraw_comes_from_the_table():
    assert [s for s in Status if withdrawable(s)] == [
        s for s in Status if (s, M.WITHDRAW) in EXPECTED]
    assert withdrawable(S.DEFERRED) and not withdrawable(S.APPROVED)


@pytest.mark.parametrize("reason", ["duplicate", "already_exists", "in_progress"])
def test_at_triage_an_idea_is_declined_only_as_duplicate_existing_or_in_progress(reason):
    assert decline_reason(reason, at_triage=True) is DeclineReason(reason)


def test_not_viable_is_an_assessors_reason_not_a_triage_one():
    with pytest.raises(InvalidText, match="At triage an idea can only be declined as"):
        decline_reason("not_viable", at_triage=True)
    assert decline_reason("not_viable", at_triage=False) is DeclineReason.NOT_VIABLE
    for reason in DeclineReason:
        assert decline_reason(reason.value, at_triage=False) is reason


@pytest.mark.parametrize("forged", [None, "", "Duplicate", "rejected", 3, ["duplicate"]])
def test_an_unknown_decline_reason_is_refused(forged):
    for at_triage in (True, False):
        with pytest.raises(InvalidText, match="Please choose why it is declined") as problem:
            decline_reason(forged, at_triage=at_triage)
        assert problem.value.field == "reason"


def test_root_causes_are_needed_to_approve_decline_or_escalate():
    assert {M.APPROVE, M.DECLINE, M.ESCALATE} == NEEDS_ROOT_CAUSE
    assert root_causes(" Slow forms ", "The crime system") == ("Slow forms", "The crime system")


@pytest.mark.parametrize(("problem", "implicated", "field"), [
    ("", "The crime system", "root_cause_problem"),
    (None, "The crime system", "root_cause_problem"),
    ("Slow forms", "  ", "root_cause_implicated"),
    ("Slow forms", None, "root_cause_implicated"),
    (None, None, "root_cause_problem"),
    ("Slow forms", 7, "root_cause_implicated"),
])
def test_each_root_cause_answer_is_required(problem, implicated, field):
    with pytest.raises(InvalidText) as refusal:
        root_causes(problem, implicated)
    assert refusal.value.field == field
