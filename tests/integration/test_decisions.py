"""Triage and decisions through the real services (bot.app.build_services) on SQLite and
PostgreSQL: every move, who hears about it, who may make it, and what is recorded.

The demo organisation: Alex is the PMO and the SPOC of Local Policing, Isaiah its deputy;
Megan is the SPOC of Crime and Justice and of People and Wellbeing; Adele of Digital, Data and
Technology and of People and Wellbeing. The contributor and the stranger hold no role.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
import structlog
from sqlalchemy import update
from support.decisions import (
    CONTRIBUTOR,
    ROOT_CAUSES,
    STRANGER,
    Snapshot,
    actor,
    current,
    decide,
    deliver_everything,
    execute,
    load_demo_organisation,
    notices_to,
    snapshot,
    submit_idea,
    text_of,
    verbs_of,
)
from support.organisation import ADELE, ALEX, ISAIAH, MEGAN

from bot.app import build_services
from bot.domain.errors import NotAllowed, NotFound
from bot.domain.ideas import IdeaDetail, Status
from bot.domain.identity import Caller
from bot.domain.lifecycle import Move
from storage import tables
from storage.engine import make_engine
from storage.ideas import SqlIdeas

NEWS_CHANNEL = "channel-announcements-id"
OUT_OF_DATE = "This card was out of date"
FUTURE = "That button does not match this idea. Nothing changed"
NOT_YOURS = "You are not one of the people who can act on this idea, so nothing changed."


@pytest.fixture
async def services(engine, clock):
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    return services


def assert_nothing_lost(before: Snapshot, after: Snapshot) -> None:
    """Nothing is ever deleted: every idea is still there, history and audit rows unchanged."""
    assert {r["id"] for r in before.ideas} <= {r["id"] for r in after.ideas}
    assert after.history[:len(before.history)] == before.history
    assert after.audit[:len(before.audit)] == before.audit
    assert {r["id"] for r in before.outbox} <= {r["id"] for r in after.outbox}


def assert_unchanged(before: Snapshot, after: Snapshot) -> None:
    assert after.ideas == before.ideas
    assert after.history == before.history
    assert after.outbox == before.outbox
    assert after.audit == before.audit


def staff_cards(snap: Snapshot, idea: IdeaDetail) -> dict[str, dict[str, Any]]:
    """The first card of `idea` each member of staff was sent, by object id."""
    prefix = f"card:{idea.reference}:"
    return {r["dedupe_key"].removeprefix(prefix): r for r in snap.outbox
            if r["dedupe_key"].startswith(prefix)}


def latest_card_of(snap: Snapshot, idea: IdeaDetail, object_id: str) -> dict[str, Any]:
    """The card this person sees now: the last replacement of their card, or the card."""
    first = staff_cards(snap, idea)[object_id]
    replacements = [r for r in snap.outbox if r["replaces_id"] == first["id"]]
    return (replacements[-1] if replacements else first)["card"]


async def allocated(services, title: str = "Digital pocket notebooks",
                    portfolio: str = "local-policing", **options: Any) -> IdeaDetail:
    idea = await submit_idea(services, title, portfolio=portfolio, **options)
    await decide(services, ALEX, idea, Move.ALLOCATE, portfolio=portfolio,
                 message="Passed to the portfolio.")
    return await current(services, idea)


# The whole life of an idea


async def test_submitted_allocated_approved_delivered_and_the_contributor_told_each_time(
    services, engine, clock
):
    idea = await submit_idea(services, "Digital pocket notebooks", named_publicly=True)
    start = await snapshot(engine)
    assert list(staff_cards(start, idea)) == [ALEX]  # the PMO's triage card
    triage = staff_cards(start, idea)[ALEX]["card"]
    assert verbs_of(triage) == ["allocate", "decline_at_triage", "update"]
    await deliver_everything(engine)

    clock.advance(hours=2)
    card = await decide(services, ALEX, idea, Move.ALLOCATE, portfolio="local-policing",
                        message="The Local Policing lead will look at it.",
                        note="Looks promising")
    assert "Business assessment" in text_of(card.card)
    after_allocation = await snapshot(engine)
    idea = await current(services, idea)
    assert (idea.status, idea.version, idea.portfolio_key) == (
        Status.BUSINESS_ASSESSMENT, 2, "local-policing")
    # The deputy of Local Policing gets a card; Alex's triage card is replaced in Teams.
    cards = staff_cards(after_allocation, idea)
    assert list(cards) == [ALEX, ISAIAH]
    replacement = [r for r in after_allocation.outbox if r["replaces_id"] == cards[ALEX]["id"]]
    assert len(replacement) == 1 and replacement[0]["state"] == "pending"
    assert "approve" in verbs_of(replacement[0]["card"])
    assert verbs_of(cards[ISAIAH]["card"])[:4] == ["approve", "decline", "defer", "escalate"]

    clock.advance(days=3)
    await decide(services, ALEX, idea, Move.APPROVE, root_causes=True,
                 message="We will roll this out in the spring.", note="Budget agreed")
    idea = await current(services, idea)
    assert idea.status is Status.APPROVED
    assert (idea.root_cause_problem, idea.root_cause_implicated) == (
        ROOT_CAUSES["root_cause_problem"], ROOT_CAUSES["root_cause_implicated"])

    clock.advance(days=30)
    card = await decide(services, ISAIAH, idea, Move.DELIVER,
                        what_changed="Officers write notes on their tablets.",
                        benefit_seen="Two hours a week saved.", message="")
    assert "Delivered" in text_of(card.card) and verbs_of(card.card) == []
    end = await snapshot(engine)
    assert_nothing_lost(start, end)
    idea = await current(services, idea)
    assert idea.status is Status.DELIVERED and idea.version == 4

    history = [r for r in end.history if r["idea_id"] == idea.id]
    assert [(h["action"], h["from_status"], h["to_status"], h["actor"]) for h in history] == [
        ("submitted", None, "submitted", CONTRIBUTOR),
        ("allocate", "submitted", "business_assessment", ALEX),
        ("approve", "business_assessment", "approved", ALEX),
        ("deliver", "approved", "delivered", ISAIAH),
    ]
    assert history[1]["message_to_contributor"] == "The Local Policing lead will look at it."
    assert history[1]["internal_note"] == "Looks promising"
    assert history[2]["internal_note"] == "Budget agreed"
    assert history[3]["detail"] == {"what_changed": "Officers write notes on their tablets.",
                                    "benefit_seen": "Two hours a week saved."}
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)
    audit = [(a["actor"], a["action"], a["subject"]) for a in end.audit
             if a["action"].startswith("idea.")]
    assert audit == [(CONTRIBUTOR, "idea.submitted", idea.reference),
                     (ALEX, "idea.allocate", idea.reference),
                     (ALEX, "idea.approve", idea.reference),
                     (ISAIAH, "idea.deliver", idea.reference)]

    notices = notices_to(end, CONTRIBUTOR)
    assert [h["notice_key"] for h in history[1:]] == [n["dedupe_key"] for n in notices]
    words = [text_of(n["card"]) for n in notices]
    assert "Your idea is being assessed" in words[0] and "Local Policing" in words[0]
    assert "The Local Policing lead will look at it." in words[0]
    assert "Good news: your idea is approved" in words[1]
    assert "We will roll this out in the spring." in words[1]
    assert "You said, we did: thank you" in words[2]
    assert "Officers write notes on their tablets." in words[2]
    for notice, internal in zip(words, ("Looks promising", "Budget agreed"), strict=False):
        assert internal not in notice
    [recognition] = [r for r in end.outbox if r["conversation_id"] == NEWS_CHANNEL]
    assert "You said, we did" in text_of(recognition["card"])
    assert "Pat Contributor" in text_of(recognition["card"])
    assert "Officers write notes on their tablets." in text_of(recognition["card"])
    # Every staff copy now shows the delivered idea: only the PMO may still reopen it.
    for person, verbs in ((ALEX, ["reopen"]), (ISAIAH, [])):
        seen = latest_card_of(end, idea, person)
        assert "Status: Delivered" in text_of(seen) and verbs_of(seen) == verbs


async def test_no_recognition_post_without_consent(services, engine):
    idea = await allocated(services, named_publicly=False)
    await decide(services, ALEX, idea, Move.APPROVE, root_causes=True, message="Yes.")
    idea = await current(services, idea)
    await decide(services, ALEX, idea, Move.DELIVER, what_changed="New tablets.")

    end = await snapshot(engine)
    assert (await current(services, idea)).status is Status.DELIVERED
    assert not [r for r in end.outbox if r["conversation_id"] == NEWS_CHANNEL]
    assert not [r for r in end.outbox if r["dedupe_key"].startswith("recognition:")]
    assert "You said, we did: thank you" in text_of(notices_to(end, CONTRIBUTOR)[-1]["card"])


# Every kind of move: what the contributor hears


async def test_decline_at_triage_as_a_duplicate_names_the_original(services, engine):
    original = await submit_idea(services, "Body-worn video in custody")
    idea = await submit_idea(services, "Cameras for custody officers")
    async with engine.begin() as connection:  # its contributor lets colleagues see it
        await connection.execute(update(tables.ideas).where(tables.ideas.c.id == original.id)
                                 .values(visibility="shared"))

    await decide(services, ALEX, idea, Move.DECLINE_AT_TRIAGE, reason="duplicate",
                 duplicate_of=original.reference.lower(),
                 message="Someone suggested this first; we will keep you posted on it.",
                 note="Same as the custody one")

    idea = await current(services, idea)
    assert idea.status is Status.DECLINED and idea.duplicate_of == original.reference
    assert idea.summary.status_label == "Declined: duplicate"
    end = await snapshot(engine)
    words = text_of(notices_to(end, CONTRIBUTOR)[-1]["card"])
    assert "Your idea was declined" in words and "duplicate" in words
    assert f"{original.reference}: Body-worn video in custody" in words
    assert "Someone suggested this first" in words and "Same as the custody" not in words
    entry = end.history[-1]
    assert (entry["action"], entry["reason"], entry["detail"]) == (
        "decline_at_triage", "duplicate", {"duplicate_of": original.reference})
    assert entry["internal_note"] == "Same as the custody one"


async def test_decline_at_triage_as_existing_or_in_progress(services, engine):
    for reason, words in (("already_exists", "already exists"),
                          ("in_progress", "in progress already")):
        idea = await submit_idea(services)
        await decide(services, ALEX, idea, Move.DECLINE_AT_TRIAGE, reason=reason,
                     message="The new custody system does this.")
        stored = await current(services, idea)
        assert stored.status is Status.DECLINED and stored.decline_reason.value == reason
        notice = text_of(notices_to(await snapshot(engine), CONTRIBUTOR)[-1]["card"])
        assert f"It was declined: {words}." in notice
        assert "The new custody system does this." in notice


async def test_decline_after_assessment_as_not_viable(services, engine):
    idea = await allocated(services, portfolio="crime-and-justice")
    await decide(services, MEGAN, idea, Move.DECLINE, root_causes=True, reason="not_viable",
                 message="The cost is far greater than the saving.")
    stored = await current(services, idea)
    assert stored.summary.status_label == "Declined: not viable"
    assert stored.root_cause_problem == ROOT_CAUSES["root_cause_problem"]
    end = await snapshot(engine)
    assert end.history[-1]["reason"] == "not viable"
    notice = text_of(notices_to(end, CONTRIBUTOR)[-1]["card"])
    assert "It was declined: not viable." in notice
    assert "The cost is far greater than the saving." in notice


async def test_deferral_keeps_a_revisit_date_and_a_revisit_brings_it_back(
    services, engine, clock
):
    idea = await allocated(services, portfolio="digital-and-data")
    await decide(services, ADELE, idea, Move.DEFER, revisit_on="2027-04-01",
                 message="We will look again when the new tablets arrive.")
    deferred = await current(services, idea)
    assert deferred.status is Status.DEFERRED and deferred.revisit_on == date(2027, 4, 1)
    snap = await snapshot(engine)
    assert snap.history[-1]["detail"] == {"revisit_on": "2027-04-01"}
    notice = text_of(notices_to(snap, CONTRIBUTOR)[-1]["card"])
    assert "Your idea is deferred" in notice and "1 April 2027" in notice
    assert "We will look again when the new tablets arrive." in notice
    card = latest_card_of(snap, deferred, ADELE)
    assert "Revisit on: 1 April 2027" in text_of(card)
    assert verbs_of(card) == ["decline", "defer", "revisit", "update"]

    clock.advance(days=150)
    await decide(services, ADELE, deferred, Move.REVISIT)
    revisited = await current(services, deferred)
    assert revisited.status is Status.BUSINESS_ASSESSMENT
    notice = text_of(notices_to(await snapshot(engine), CONTRIBUTOR)[-1]["card"])
    assert "Your idea is being looked at again" in notice
    assert "Digital, Data and Technology is assessing it again" in notice


async def test_a_deferred_idea_is_deferred_again_and_the_contributor_told_the_new_date(
    services, engine, clock
):
    idea = await allocated(services, portfolio="digital-and-data")
    await decide(services, ADELE, idea, Move.DEFER, revisit_on="2027-04-01",
                 message="After the new tablets arrive.")
    clock.advance(days=140)
    await decide(services, ADELE, await current(services, idea), Move.DEFER,
                 revisit_on="2027-09-01", message="The tablets are late.")
    again = await current(services, idea)
    assert again.status is Status.DEFERRED and again.revisit_on == date(2027, 9, 1)
    snap = await snapshot(engine)
    assert [h["action"] for h in snap.history[-2:]] == ["defer", "defer"]
    assert snap.history[-1]["detail"] == {"revisit_on": "2027-09-01"}
    notices = notices_to(snap, CONTRIBUTOR)
    assert len({n["dedupe_key"] for n in notices}) == len(notices)
    notice = text_of(notices[-1]["card"])
    assert "Your idea is deferred" in notice and "1 September 2027" in notice
    assert "The tablets are late." in notice
    assert "Revisit on: 1 September 2027" in text_of(latest_card_of(snap, again, ADELE))
    assert snap.audit[-1]["action"] == "idea.defer"


async def test_a_deferred_idea_may_be_declined_and_then_leaves_the_register(services, engine):
    idea = await allocated(services)
    await decide(services, ISAIAH, idea, Move.DEFER, revisit_on="2027-04-01", message="Later")
    await decide(services, ISAIAH, await current(services, idea), Move.DECLINE,
                 root_causes=True, reason="not_viable", message="It costs too much.")
    declined = await current(services, idea)
    assert declined.status is Status.DECLINED and declined.revisit_on is None
    notice = text_of(notices_to(await snapshot(engine), CONTRIBUTOR)[-1]["card"])
    assert "It was declined: not viable." in notice
    assert (await services.staff.deferred(ALEX)).window.total == 0


async def test_the_contributor_may_withdraw_a_deferred_idea(services, engine):
    idea = await allocated(services)
    await decide(services, ISAIAH, idea, Move.DEFER, revisit_on="2027-04-01", message="Later")
    withdrawn = await services.ideas.withdraw(actor(CONTRIBUTOR), idea.reference, "Fixed.")
    assert withdrawn.status is Status.WITHDRAWN and withdrawn.revisit_on is None
    told = {r["object_id"] for r in (await snapshot(engine)).outbox
            if r["dedupe_key"].startswith(f"withdrawn:{idea.reference}:")}
    assert told == {ALEX, ISAIAH}  # the PMO, and the portfolio's SPOC and deputy


async def test_an_update_then_escalation_then_approval(services, engine):
    idea = await allocated(services)
    await decide(services, ISAIAH, idea, Move.UPDATE,
                 message="We are talking to the tablet supplier.")
    updated = await current(services, idea)
    assert updated.status is Status.BUSINESS_ASSESSMENT
    notice = text_of(notices_to(await snapshot(engine), CONTRIBUTOR)[-1]["card"])
    assert "An update on your idea" in notice
    assert "We are talking to the tablet supplier." in notice

    await decide(services, ISAIAH, updated, Move.ESCALATE, root_causes=True,
                 message="It needs money for tablets, so the change board will decide.")
    escalated = await current(services, idea)
    assert escalated.status is Status.ESCALATED
    notice = text_of(notices_to(await snapshot(engine), CONTRIBUTOR)[-1]["card"])
    assert "Your idea has been escalated" in notice and "change governance" in notice
    assert "It needs money for tablets" in notice

    await decide(services, ALEX, escalated, Move.APPROVE, root_causes=True,
                 message="The change board funded it.")
    approved = await current(services, idea)
    assert approved.status is Status.APPROVED
    assert [h.action for h in approved.history] == ["submitted", "allocate", "update",
                                                    "escalate", "approve"]
    assert [(h.from_status, h.to_status) for h in approved.history[2:]] == [
        (Status.BUSINESS_ASSESSMENT, Status.BUSINESS_ASSESSMENT),
        (Status.BUSINESS_ASSESSMENT, Status.ESCALATED),
        (Status.ESCALATED, Status.APPROVED)]


async def test_reallocation_moves_the_cards_to_the_new_portfolios_spocs(services, engine):
    idea = await allocated(services)
    await deliver_everything(engine)

    await decide(services, ISAIAH, idea, Move.REALLOCATE, portfolio="people-and-wellbeing",
                 message="This is for People and Wellbeing.")

    moved = await current(services, idea)
    assert moved.portfolio_key == "people-and-wellbeing"
    assert moved.status is Status.BUSINESS_ASSESSMENT
    snap = await snapshot(engine)
    cards = staff_cards(snap, moved)
    assert list(cards) == [ALEX, ISAIAH, MEGAN, ADELE]
    for spoc in (MEGAN, ADELE):  # new cards with the buttons
        assert cards[spoc]["replaces_id"] is None and cards[spoc]["state"] == "pending"
        assert "approve" in verbs_of(cards[spoc]["card"])
    isaiah_now = latest_card_of(snap, moved, ISAIAH)  # replaced in place, read-only
    assert verbs_of(isaiah_now) == []
    assert "Portfolio: People and Wellbeing" in text_of(isaiah_now)
    assert snap.history[-1]["detail"] == {"from_portfolio": "local-policing",
                                          "to_portfolio": "people-and-wellbeing"}
    notice = text_of(notices_to(snap, CONTRIBUTOR)[-1]["card"])
    assert "Your idea has moved" in notice and "People and Wellbeing" in notice

    # The old portfolio may no longer act; the new one may.
    before = await snapshot(engine)
    refused = await decide(services, ISAIAH, moved, Move.APPROVE, root_causes=True,
                           message="Yes")
    assert NOT_YOURS in text_of(refused.card)
    assert_unchanged(before, await snapshot(engine))
    await decide(services, MEGAN, moved, Move.APPROVE, root_causes=True, message="Yes")
    assert (await current(services, idea)).status is Status.APPROVED


async def test_a_question_is_answered_and_everyone_following_the_idea_is_told(services, engine):
    idea = await allocated(services, portfolio="people-and-wellbeing")
    await decide(services, ADELE, idea, Move.ASK,
                 message="How many officers would use it each week?")
    asked = await current(services, idea)
    assert asked.status is Status.BUSINESS_ASSESSMENT and asked.version == idea.version + 1
    question = notices_to(await snapshot(engine), CONTRIBUTOR)[-1]["card"]
    assert "A question about your idea" in text_of(question)
    assert "How many officers would use it each week?" in text_of(question)
    assert any(n.get("id") == "answer" for n in question["body"])

    before = await snapshot(engine)
    with pytest.raises(NotFound):  # only the contributor may answer
        await services.decisions.answer(actor(MEGAN), idea.reference, "About forty")
    assert_unchanged(before, await snapshot(engine))

    await services.decisions.answer(actor(CONTRIBUTOR), idea.reference,
                                    "  About forty on each shift.  ")
    after = await snapshot(engine)
    new = after.new_since(before)
    [entry] = new["history"]
    assert (entry["action"], entry["actor"], entry["detail"]) == (
        "answered", CONTRIBUTOR, {"answer": "About forty on each shift."})
    told = [r for r in new["outbox"] if r["dedupe_key"].startswith("answer:")]
    # Everyone following the idea, not only the asker: the PMO and both SPOCs.
    assert [r["object_id"] for r in told] == [ALEX, MEGAN, ADELE]
    for row in told:
        assert "About forty on each shift." in text_of(row["card"])
        assert "How many officers would use it each week?" in text_of(row["card"])
    for person in (ALEX, MEGAN, ADELE):  # every staff card now shows the answer
        assert "About forty on each shift." in text_of(latest_card_of(after, idea, person))
    assert [a["action"] for a in new["audit"]] == ["idea.answered"]
    # Not a decision: the status stays; the version moves, so each card is replaced.
    [stored] = after.ideas
    assert stored["status"] == asked.status.value and stored["version"] == asked.version + 1
    # A decision pressed on a card from before the answer says what changed meanwhile.
    stale = await decide(services, MEGAN, asked, Move.APPROVE, root_causes=True, message="Yes")
    assert "Pat Contributor answered the question about it at" in text_of(stale.card)
    assert "About forty on each shift." in text_of(stale.card)


async def test_staff_answering_about_their_own_idea_are_not_told_of_their_own_answer(
    services, engine
):
    idea = await submit_idea(services, contributor=ALEX)  # the demo allows self-decisions
    await decide(services, ALEX, idea, Move.ALLOCATE, portfolio="local-policing")
    await decide(services, ISAIAH, await current(services, idea), Move.ASK, message="When?")
    before = await snapshot(engine)

    await services.decisions.answer(actor(ALEX), idea.reference, "Next month.")

    told = [r for r in (await snapshot(engine)).new_since(before)["outbox"]
            if r["dedupe_key"].startswith("answer:")]
    assert [r["object_id"] for r in told] == [ISAIAH]


async def test_an_answer_when_nothing_was_asked_is_refused_and_adds_nothing(services, engine):
    idea = await allocated(services, portfolio="people-and-wellbeing")
    before = await snapshot(engine)

    with pytest.raises(NotAllowed, match="Nobody has asked a question about"):
        await services.decisions.answer(actor(CONTRIBUTOR), idea.reference, "About forty")

    assert_unchanged(before, await snapshot(engine))


async def test_the_pmo_reopens_a_declined_idea_with_a_reason(services, engine):
    idea = await allocated(services, portfolio="crime-and-justice")
    original = await submit_idea(services, "The original")
    await decide(services, MEGAN, idea, Move.DECLINE, root_causes=True, reason="duplicate",
                 duplicate_of=original.reference, message="It is the same as another.")
    declined = await current(services, idea)
    assert declined.status is Status.DECLINED

    before = await snapshot(engine)
    refused = await decide(services, MEGAN, declined, Move.REOPEN, message="Reopen")
    assert "You are not one of the people who can do that" in text_of(refused.card)
    assert_unchanged(before, await snapshot(engine))

    without_reason = await decide(services, ALEX, declined, Move.REOPEN, reason=" ",
                                  message="Back again")
    assert "Please say why it is reopened" in text_of(without_reason.card)
    assert_unchanged(before, await snapshot(engine))

    await decide(services, ALEX, declined, Move.REOPEN, reason="Original withdrawn",
                 message="The other idea was withdrawn, so yours is looked at again.")
    reopened = await current(services, idea)
    assert reopened.status is Status.SUBMITTED and reopened.decline_reason is None
    assert reopened.duplicate_of is None  # no longer declined as a duplicate
    end = await snapshot(engine)
    entry = end.history[-1]
    assert (entry["action"], entry["actor"], entry["from_status"], entry["to_status"]) == (
        "reopen", ALEX, "declined", "submitted")
    assert entry["message_to_contributor"] == ("The other idea was withdrawn, so yours is "
                                               "looked at again.")
    assert entry["reason"] == "Original withdrawn"  # the staff's, never the contributor's
    notice = text_of(notices_to(end, CONTRIBUTOR)[-1]["card"])
    assert "Your idea has been reopened" in notice and "looked at again" in notice
    assert "Original withdrawn" not in notice
    card = latest_card_of(end, reopened, ALEX)
    assert "Duplicate of" not in text_of(card)
    assert verbs_of(card)[:2] == ["allocate", "decline_at_triage"]
    assert_nothing_lost(before, end)


# Who may do what


async def test_others_are_refused_politely_and_nothing_changes(services, engine):
    idea = await allocated(services)  # Local Policing: Alex and Isaiah
    before = await snapshot(engine)

    for who in (MEGAN, ADELE, CONTRIBUTOR, STRANGER):
        card = await decide(services, who, idea, Move.APPROVE, root_causes=True,
                            message="Approved")
        words = text_of(card.card)
        assert words == NOT_YOURS, who
        assert verbs_of(card.card) == [] and card.summary == "Nothing changed"
    # A SPOC's deputy may assess, but triage is the PMO's.
    submitted = await submit_idea(services, "Another")
    before = await snapshot(engine)
    card = await decide(services, ISAIAH, submitted, Move.ALLOCATE, portfolio="local-policing")
    assert "You are not one of the people who can do that for this idea." in text_of(card.card)
    assert verbs_of(card.card) == []
    # The contributor cannot withdraw through a staff button either.
    card = await decide(services, CONTRIBUTOR, submitted, Move.WITHDRAW, message="Bye")
    assert text_of(card.card) == NOT_YOURS
    assert_unchanged(before, await snapshot(engine))


async def test_identity_in_the_card_data_is_ignored(services, engine):
    idea = await allocated(services)
    forged = {"actor": ALEX, "object_id": ALEX, "aadObjectId": ALEX,
              "from": {"aadObjectId": ALEX, "name": "Alex Wilber"}, "pmo": True,
              "role": "pmo", "portfolio": "local-policing"}
    before = await snapshot(engine)

    for who in (MEGAN, CONTRIBUTOR, STRANGER):
        data = {"action": "approve", "idea": idea.id, "version": idea.version,
                **ROOT_CAUSES, "approve.message": "Forged", **forged}
        card = await execute(services, actor(who), "approve", data)
        assert text_of(card.card) == NOT_YOURS
    assert_unchanged(before, await snapshot(engine))

    # Alex's own press, carrying someone else's id, is recorded as Alex's.
    data = {"action": "update", "idea": idea.id, "version": idea.version,
            "update.message": "News", "actor": MEGAN, "object_id": MEGAN,
            "from": {"aadObjectId": MEGAN}}
    await execute(services, actor(ALEX), "update", data)
    after = await snapshot(engine)
    assert after.history[-1]["actor"] == ALEX and after.audit[-1]["actor"] == ALEX


# Two presses at once, a second press, a stale card


async def test_two_decisions_at_once_exactly_one_is_recorded(services, engine, database_url,
                                                             clock, monkeypatch):
    idea = await allocated(services)
    # The two SPOCs press on two replicas of the bot, each with its own engine (one process
    # queues its own turns for SQLite's one connection, so only replicas can race there).
    replica_engine = make_engine(database_url)
    replica = build_services(replica_engine, clock)
    # Hold both presses at the write until both have read the same version, so that they
    # really race for it (without this, one might finish before the other starts).
    barrier = asyncio.Barrier(2)
    change = SqlIdeas.change

    async def racing(self, *args, **kwargs):
        await asyncio.wait_for(barrier.wait(), 5)
        return await change(self, *args, **kwargs)

    monkeypatch.setattr(SqlIdeas, "change", racing)
    before = await snapshot(engine)

    try:
        with structlog.testing.capture_logs() as logged:
            cards = await asyncio.gather(
                decide(services, ALEX, idea, Move.APPROVE, root_causes=True,
                       message="Yes from Alex"),
                decide(replica, ISAIAH, idea, Move.DECLINE, root_causes=True,
                       reason="not_viable", message="No from Isaiah"),
            )
    finally:
        await replica_engine.dispose()

    # Both read the same version; the database let one write it.
    assert [(e["event"], e["why"]) for e in logged] == [("decision.refused", "lost the race")]

    after = await snapshot(engine)
    new = after.new_since(before)
    assert len(new["history"]) == 1 and len(new["audit"]) == 1
    assert len(notices_to(after, CONTRIBUTOR)) == len(notices_to(before, CONTRIBUTOR)) + 1
    winner = new["history"][0]
    stored = await current(services, idea)
    assert stored.version == idea.version + 1
    if winner["actor"] == ALEX:
        assert stored.status is Status.APPROVED
        loser_card, winner_words = cards[1], "Alex Wilber approved it at"
    else:
        assert stored.status is Status.DECLINED
        loser_card, winner_words = cards[0], "Isaiah Langer declined it at"
    words = text_of(loser_card.card)
    assert OUT_OF_DATE in words and winner_words in words, words


async def test_two_presses_at_once_without_help(services, engine):
    """The same race, left to the scheduler, on several ideas."""
    ideas = [await allocated(services, f"Idea {n}") for n in range(4)]
    before = await snapshot(engine)
    await asyncio.gather(*[
        decide(services, who, idea, Move.UPDATE, message=f"From {who}")
        for idea in ideas for who in (ALEX, ISAIAH)
    ])
    new = (await snapshot(engine)).new_since(before)
    assert sorted(h["idea_id"] for h in new["history"]) == sorted(i.id for i in ideas)
    for idea in ideas:
        assert (await current(services, idea)).version == idea.version + 1


async def test_a_second_press_and_a_stale_card_change_nothing(services, engine, clock):
    idea = await allocated(services)
    clock.advance(minutes=5)
    await decide(services, ISAIAH, idea, Move.APPROVE, root_causes=True, message="Yes")
    before = await snapshot(engine)

    again = await decide(services, ISAIAH, idea, Move.APPROVE, root_causes=True,
                         message="Yes")
    other = await decide(services, ALEX, idea, Move.DEFER, revisit_on="2027-01-01",
                         message="Later")

    assert_unchanged(before, await snapshot(engine))
    for card in (again, other):
        words = text_of(card.card)
        assert "This card was out of date: Isaiah Langer approved it at 09:35 on 02 November" \
            in words
        assert "Status: Approved" in words
    assert verbs_of(again.card) == ["deliver", "update"]  # the current state's buttons


async def test_an_action_on_a_withdrawn_idea_says_so(services, engine):
    idea = await allocated(services)
    await services.ideas.withdraw(Caller(CONTRIBUTOR, "Pat Contributor", None),
                                  idea.reference, "Changed my mind")
    withdrawn = await current(services, idea)
    before = await snapshot(engine)

    stale = await decide(services, ISAIAH, idea, Move.APPROVE, root_causes=True,
                         message="Yes")
    fresh = await decide(services, ISAIAH, withdrawn, Move.APPROVE, root_causes=True,
                         message="Yes")

    assert "Pat Contributor withdrew it at" in text_of(stale.card)
    assert "This idea is withdrawn, so it can no longer be approved." in text_of(fresh.card)
    for card in (stale, fresh):
        assert "Status: Withdrawn" in text_of(card.card)
    assert verbs_of(fresh.card) == []
    assert_unchanged(before, await snapshot(engine))
    reopen = await decide(services, ALEX, withdrawn, Move.REOPEN, reason="Asked to")
    assert "Status: Submitted" in text_of(reopen.card)


# Bad input: a clear answer on the card, and nothing changes


BAD_PRESSES: list[tuple[str, dict[str, Any], str]] = [
    # (what, how the press differs, words the answer shows)
    ("unknown verb", {"move": "obliterate"}, "That button is not one I know. Nothing changed."),
    ("verb of the wrong type", {"move": ["approve"]}, "That button is not one I know."),
    ("no idea id", {"idea": None}, "That button is missing what it needs. Nothing changed."),
    ("idea id as text", {"idea": "1"}, "That button is missing what it needs."),
    ("idea id as a float", {"idea": 1.0}, "That button is missing what it needs."),
    ("idea id as a boolean", {"idea": True}, "That button is missing what it needs."),
    ("idea id as an object", {"idea": {"id": 1}}, "That button is missing what it needs."),
    ("no version", {"version": None}, "That button is missing what it needs."),
    ("version as text", {"version": "2"}, "That button is missing what it needs."),
    ("version as a boolean", {"version": True}, "That button is missing what it needs."),
    ("no such idea", {"idea": 987654}, "That idea could not be found. Nothing changed."),
    ("negative idea id", {"idea": -1}, "That idea could not be found."),
    ("idea id too large for the database", {"idea": 2**63},
     "That idea could not be found."),
    ("idea id far too large", {"idea": 10**30}, "That idea could not be found."),
    ("version from the future", {"version_offset": 1}, FUTURE),
    ("version far in the future", {"version": 2**70}, FUTURE),
    ("version from the past", {"version_offset": -1}, OUT_OF_DATE),
    ("version zero", {"version": 0}, OUT_OF_DATE),
    ("empty required message", {"message": "   "},
     "The message to the contributor is empty."),
    ("message of the wrong type", {"message": ["Yes"]},
     "The message to the contributor must be text."),
    ("message too long", {"message": "x" * 2001}, "the limit is 2,000"),
    ("no root causes", {"root_causes": False},
     "Please answer both root-cause questions before you approve, decline or escalate."),
]


async def test_a_forged_or_broken_approval_changes_nothing(services, engine):
    idea = await allocated(services)
    before = await snapshot(engine)
    for what, changes, expected in BAD_PRESSES:
        data: dict[str, Any] = {
            "action": "approve", "idea": changes.get("idea", idea.id),
            "version": changes.get("version",
                                   idea.version + changes.get("version_offset", 0)),
            "approve.message": changes.get("message", "Approved."),
            **(ROOT_CAUSES if changes.get("root_causes", True) else {}),
        }
        with structlog.testing.capture_logs() as logged:
            card = await execute(services, actor(ALEX), changes.get("move", "approve"), data)
        assert expected in text_of(card.card), what
        assert card.summary and card.fallback_text, what
        assert [e["event"] for e in logged] == ["decision.refused"], what
        assert_unchanged(before, await snapshot(engine))
    # The same press, unbroken, counts.
    await decide(services, ALEX, idea, Move.APPROVE, root_causes=True, message="Approved.")
    assert (await current(services, idea)).status is Status.APPROVED


async def test_a_refused_press_keeps_what_the_spoc_typed(services, engine):
    idea = await allocated(services)
    data = {"action": "approve", "idea": idea.id, "version": idea.version,
            "approve.message": "Thank you, we will buy a second docking station.",
            "root_cause_problem": "One docking station for forty officers."}

    card = await execute(services, actor(ALEX), "approve", data)

    assert "Please answer both root-cause questions" in text_of(card.card)
    values = {}

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and "value" in node:
                values[node["id"]] = node["value"]
            for child in node.values():
                collect(child)
        elif isinstance(node, list):
            for child in node:
                collect(child)

    collect(card.card)
    assert values["approve.message"] == data["approve.message"]
    assert values["root_cause_problem"] == data["root_cause_problem"]
    assert "root_cause_implicated" not in values
    assert (await current(services, idea)).status is Status.BUSINESS_ASSESSMENT


BAD_MOVES: list[tuple[str, str, str, dict[str, Any], str]] = [
    # (what, status to be in, move, inputs, words the answer shows)
    ("revisit date in the past", "assess", "defer",
     {"revisit_on": "2026-10-01", "message": "Later"}, "The revisit date must be in the future."),
    ("revisit date today", "assess", "defer",
     {"revisit_on": "2026-11-02", "message": "Later"}, "The revisit date must be in the future."),
    ("no revisit date", "assess", "defer", {"message": "Later"},
     "Please choose the date to look at this idea again."),
    ("revisit date not a date", "assess", "defer",
     {"revisit_on": "soon", "message": "Later"}, "Please choose the revisit date"),
    ("deferral more than three years ahead", "assess", "defer",
     {"revisit_on": "2029-11-03", "message": "Later"},
     "The revisit date can be at most three years ahead: please choose a day up to "
     "2 November 2029."),
    ("deferral without a message", "assess", "defer", {"revisit_on": "2027-01-01"},
     "The message to the contributor is empty."),
    ("duplicate of itself", "triage", "decline_at_triage",
     {"reason": "duplicate", "duplicate_of": "SELF", "message": "Dup"},
     "An idea cannot be a duplicate of itself."),
    ("duplicate of a missing idea", "triage", "decline_at_triage",
     {"reason": "duplicate", "duplicate_of": "IIP-2026-9999", "message": "Dup"},
     "There is no idea IIP-2026-9999."),
    ("duplicate with no reference", "triage", "decline_at_triage",
     {"reason": "duplicate", "duplicate_of": "the other one", "message": "Dup"},
     "Please give the reference of the original idea"),
    ("not viable at triage", "triage", "decline_at_triage",
     {"reason": "not_viable", "message": "No"}, "At triage an idea can only be declined as"),
    ("unknown decline reason", "assess", "decline",
     {"reason": "rejected", "message": "No"}, "Please choose why it is declined."),
    ("duplicate of a missing idea after assessment", "assess", "decline",
     {"reason": "duplicate", "duplicate_of": "IIP-2031-0001", "message": "No"},
     "There is no idea IIP-2031-0001."),
    ("allocation to an unknown portfolio", "triage", "allocate",
     {"portfolio": "special-branch"}, "Please choose the portfolio to allocate it to."),
    ("re-allocation to the same portfolio", "assess", "reallocate",
     {"portfolio": "local-policing"}, "It is already with that portfolio."),
    ("delivery of an idea not approved", "assess", "deliver",
     {"what_changed": "Things"}, "An idea that is business assessment cannot be marked "
                                 "delivered."),
    ("reopening an open idea", "assess", "reopen", {"message": "Again"},
     "An idea that is business assessment cannot be reopened."),
    ("an update without a message", "assess", "update", {"message": ""},
     "The message to the contributor is empty."),
    ("a question without a message", "assess", "ask", {}, "The message to the contributor "
                                                          "is empty."),
]


async def test_a_move_with_a_wrong_answer_changes_nothing(services, engine):
    ideas = {"triage": await submit_idea(services, "To triage"),
             "assess": await allocated(services, "To assess")}
    before = await snapshot(engine)
    for what, where, move, fields, expected in BAD_MOVES:
        idea = ideas[where]
        fields = {k: (idea.reference if v == "SELF" else v) for k, v in fields.items()}
        with structlog.testing.capture_logs() as logged:
            card = await decide(services, ALEX, idea, move, root_causes=True, **fields)
        words = text_of(card.card)
        assert expected in words, (what, words)
        assert idea.reference in words, what  # the idea's card, to try again
        assert verbs_of(card.card), what  # with its buttons
        assert [e["event"] for e in logged] == ["decision.refused"], what
        assert_unchanged(before, await snapshot(engine))


# What waits for whom


async def test_queues_oldest_first_and_only_for_staff(services, clock):
    ideas = []
    for n, portfolio in enumerate(["local-policing", "crime-and-justice", "local-policing",
                                   "people-and-wellbeing", "local-policing"]):
        ideas.append(await submit_idea(services, f"Idea {n}", portfolio=portfolio))
        clock.advance(hours=1)
    for idea in ideas[:4]:
        await decide(services, ALEX, idea, Move.ALLOCATE, portfolio=idea.portfolio_key)
    await decide(services, ISAIAH, await current(services, ideas[2]), Move.DEFER,
                 revisit_on="2027-01-01", message="Later")

    def listed(page) -> list[str]:
        return [i.reference for i in page.ideas]

    queue = await services.staff.queue(ISAIAH)
    assert queue.triage is None
    assert listed(queue.assess) == [ideas[0].reference]
    queue = await services.staff.queue(MEGAN)
    assert queue.triage is None
    assert listed(queue.assess) == [ideas[1].reference, ideas[3].reference]
    assert queue.assess.window.total == 2
    triage = await services.staff.triage(ALEX)
    assert listed(triage) == [ideas[4].reference]
    # Alex is in the PMO team and the business lead of local policing: both wait for him.
    queue = await services.staff.queue(ALEX)
    assert listed(queue.triage) == [ideas[4].reference]
    assert listed(queue.assess) == [ideas[0].reference]
    for who in (CONTRIBUTOR, STRANGER):
        with pytest.raises(NotAllowed):
            await services.staff.queue(who)
        with pytest.raises(NotAllowed):
            await services.staff.triage(who)
    with pytest.raises(NotAllowed):
        await services.staff.triage(MEGAN)


async def test_the_deferred_register_soonest_first_for_the_pmo_and_each_portfolio(
        services, clock):
    dates = {"local-policing": ["2027-06-01", "2027-02-01"],
             "crime-and-justice": ["2027-03-01"], "digital-and-data": ["2027-01-15"]}
    deciders = {"local-policing": ISAIAH, "crime-and-justice": MEGAN,
                "digital-and-data": ADELE}
    revisits: dict[str, str] = {}
    for portfolio, days in dates.items():
        for day in days:
            idea = await allocated(services, f"Deferred to {day}", portfolio=portfolio)
            await decide(services, deciders[portfolio], idea, Move.DEFER, revisit_on=day,
                         message="Later")
            revisits[idea.reference] = day
    still_assessed = await allocated(services, "Not deferred", portfolio="crime-and-justice")

    def listed(page) -> list[str]:
        return [i.reference for i in page.ideas]

    soonest_first = sorted(revisits, key=revisits.__getitem__)
    register = await services.staff.deferred(ALEX)
    assert listed(register) == soonest_first and register.window.total == 4
    assert still_assessed.reference not in listed(register)
    assert [i.revisit_on.isoformat() for i in register.ideas] == sorted(revisits.values())
    megan = await services.staff.deferred(MEGAN)  # Crime and Justice only
    assert [revisits[r] for r in listed(megan)] == ["2027-03-01"]
    isaiah = await services.staff.deferred(ISAIAH)  # Local Policing's deputy
    assert [revisits[r] for r in listed(isaiah)] == ["2027-02-01", "2027-06-01"]
    for who in (CONTRIBUTOR, STRANGER):
        with pytest.raises(NotAllowed, match="register of deferred ideas"):
            await services.staff.deferred(who)


async def test_the_deferred_register_pages_ten_at_a_time(services):
    for n in range(12):
        idea = await allocated(services, f"Deferred {n}")
        await decide(services, ISAIAH, idea, Move.DEFER, revisit_on=f"2027-03-{n + 1:02d}",
                     message="Later")
    first = await services.staff.deferred(ALEX)
    second = await services.staff.deferred(ALEX, 2)
    assert (len(first.ideas), len(second.ideas)) == (10, 2)
    assert (second.window.number, second.window.pages, second.window.total) == (2, 2, 12)
    assert [i.revisit_on for i in second.ideas] == [date(2027, 3, 11), date(2027, 3, 12)]
    assert (await services.staff.deferred(ALEX, 99)).window.number == 2
