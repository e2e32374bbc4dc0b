"""The similar-ideas pass and the one-press decline as a duplicate, through the real services
and the real index (characters only, as tests run), on SQLite and PostgreSQL.

A submits an idea; B submits the same idea in other words; C something else. After the pass,
the PMO's card of B's idea shows A's as a likely duplicate, with a button that declines B as its
duplicate through the ordinary decision path.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event, update
from support.cards import walk
from support.decisions import (
    ROOT_CAUSES,
    TENANT,
    actor,
    decide,
    load_demo_organisation,
    snapshot,
    text_of,
)
from support.organisation import ALEX, DEMO_FILE, MEGAN
from support.similar_ideas import BODY_WORN, RADIOS
from support.tables import rows

from bot.app import build_services
from bot.domain.duplicates import DECLINE_DUPLICATE, MATCHED, parse_decline_duplicate
from bot.domain.ideas import IdeaDetail, Status
from bot.domain.identity import Caller
from bot.domain.intake import Draft
from bot.domain.lifecycle import Move, Party
from bot.domain.organisation import Organisation
from bot.domain.similar import MatchKind
from bot.services.match_pass import MatchPass
from bot.services.organisation import read_organisation_file
from cards.decisions import DecisionCards
from storage import tables
from storage.engine import connect
from storage.uow import unit_of_work_factory

A_PERSON = Caller("00000000-0000-4000-8000-00000000000a", "Ada Original", TENANT)
B_PERSON = Caller("00000000-0000-4000-8000-00000000000b", "Ben Second", TENANT)
C_PERSON = Caller("00000000-0000-4000-8000-00000000000c", "Cat Other", TENANT)
BWV = replace(BODY_WORN, title="BWV footage uploads too slowly",
              problem="Officers wait at the end of their shift for body worn video footage to "
                      "upload at the docking station before going home.")


@pytest.fixture
async def services(engine, clock):
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    return services


def match_pass(services, engine, clock, card: Any = None, limit: int = 20) -> MatchPass:
    views = DecisionCards(today=lambda: clock.now().date())
    return MatchPass(unit_of_work_factory(engine), clock, services.similar,
                     card or views.idea_card, TENANT, limit=limit)


async def submit(services, who: Caller, draft: Draft) -> IdeaDetail:
    stored = await services.ideas.new_draft(who.object_id, draft)
    reference = (await services.ideas.submit(who, stored.draft_id, draft.revision)).reference
    return await services.ideas.idea_of(who.object_id, reference)


async def three_ideas(services) -> tuple[IdeaDetail, IdeaDetail, IdeaDetail]:
    """A's, then B's (the same in other words), then C's (another)."""
    return (await submit(services, A_PERSON, BODY_WORN),
            await submit(services, B_PERSON, BWV), await submit(services, C_PERSON, RADIOS))


async def organisation_of(services) -> Organisation:
    return read_organisation_file(DEMO_FILE)


async def stored(services, idea: IdeaDetail) -> IdeaDetail:
    return await services.ideas.idea_of(idea.contributor_object_id, idea.reference)


async def set_idea(engine, idea: IdeaDetail, **values: Any) -> None:
    async with connect(engine) as connection:
        await connection.execute(update(tables.ideas).where(tables.ideas.c.id == idea.id)
                                 .values(**values))
        await connection.commit()


async def matched_audit(engine) -> list[str]:
    return [r["subject"] for r in await rows(engine, tables.audit_log)
            if r["action"] == "idea.matched"]


def card_key(idea: IdeaDetail, object_id: str) -> str:
    return f"card:{idea.reference}:{object_id}"


async def outbox_by_key(engine) -> dict[str, dict[str, Any]]:
    return {r["dedupe_key"]: r for r in await rows(engine, tables.outbox)}


async def deliver_everything(engine) -> None:
    async with connect(engine) as connection:
        await connection.execute(
            update(tables.outbox).where(tables.outbox.c.state == "pending")
            .values(state="sent", sent_conversation_id="a:chat",
                    activity_id="activity-" + tables.outbox.c.id.cast(tables.String)))
        await connection.commit()


# The pass


async def test_the_pass_keeps_each_new_ideas_matches_once_and_its_first_card_shows_them(
        services, engine, clock):
    a, b, c = await three_ideas(services)
    waiting = (await outbox_by_key(engine))[card_key(b, ALEX)]
    assert "Similar ideas" not in text_of(waiting["card"])
    assert (await stored(services, b)).matches is None

    kept = await match_pass(services, engine, clock).run()

    assert kept == [c.reference, b.reference, a.reference]  # the newest first
    b_now = await stored(services, b)
    assert [(m.kind, m.reference, m.likely_duplicate) for m in b_now.matches or ()][:1] == [
        (MatchKind.IDEA, a.reference, True)]
    assert b.reference not in {m.reference for m in b_now.matches or ()}
    assert all(not m.likely_duplicate for m in (await stored(services, c)).matches or ())
    # The PMO's first card of B's idea, not sent yet, is rewritten: it shows A's, and the button.
    outbox = await outbox_by_key(engine)
    card = outbox[card_key(b, ALEX)]["card"]
    assert outbox[card_key(b, ALEX)]["id"] == waiting["id"]
    assert f"{a.reference}: {BODY_WORN.title}" in text_of(card)
    assert "very close" in text_of(card)
    assert [n["title"] for n in _execute_buttons(card) if n["verb"] == DECLINE_DUPLICATE] == [
        f"Decline as duplicate of {a.reference}"]
    assert not [key for key in outbox if key.endswith(f":{MATCHED}")]
    assert await matched_audit(engine) == [c.reference, b.reference, a.reference]
    assert b_now.version == b.version  # finding its matches is no move: no card goes stale

    before = await snapshot(engine)
    assert await match_pass(services, engine, clock).run() == []
    assert await snapshot(engine) == before


async def test_a_card_already_sent_is_replaced_in_place(services, engine, clock):
    a, b, c = await three_ideas(services)
    await deliver_everything(engine)

    await match_pass(services, engine, clock).run()

    # Nothing like C's: its card is not sent again only to say so (its next redraw will).
    assert (await stored(services, c)).matches == ()
    assert not [key for key in await outbox_by_key(engine)
                if key.startswith(f"update:{c.reference}:")]
    c_card = DecisionCards(today=lambda: clock.now().date()).idea_card(
        await stored(services, c), frozenset({Party.PMO}), await organisation_of(services))
    assert "No similar ideas or known initiatives were found." in text_of(c_card.card)

    outbox = await outbox_by_key(engine)
    first = outbox[card_key(b, ALEX)]
    redrawn = outbox[f"update:{b.reference}:{ALEX}:v{b.version}:{MATCHED}"]
    assert redrawn["replaces_id"] == first["id"]
    assert f"{a.reference}: {BODY_WORN.title}" in text_of(redrawn["card"])
    assert "Similar ideas" not in text_of(first["card"])


async def test_two_passes_at_once_keep_each_ideas_matches_once(services, engine, clock):
    ideas = await three_ideas(services)
    other_replica = build_services(engine, clock)

    first, second = await asyncio.gather(match_pass(services, engine, clock).run(),
                                         match_pass(other_replica, engine, clock).run())

    assert sorted(first + second) == sorted(i.reference for i in ideas)
    assert not set(first) & set(second)
    assert sorted(await matched_audit(engine)) == sorted(i.reference for i in ideas)
    outbox = await rows(engine, tables.outbox)
    assert len({r["dedupe_key"] for r in outbox}) == len(outbox)


async def test_a_pass_stopped_mid_way_loses_nothing_and_the_next_one_finishes(
        services, engine, clock):
    a, b, c = await three_ideas(services)
    views = DecisionCards(today=lambda: clock.now().date())
    drawn: list[str] = []

    def stops_while_redrawing_b(idea, *args: Any, **kwargs: Any):
        drawn.append(idea.reference)
        if idea.reference == b.reference:  # C's found nothing to redraw; B's came next
            raise RuntimeError("the replica stopped")
        return views.idea_card(idea, *args, **kwargs)

    with pytest.raises(RuntimeError):
        await match_pass(services, engine, clock, card=stops_while_redrawing_b).run()

    assert await matched_audit(engine) == [c.reference]
    b_row = (await rows(engine, tables.ideas, tables.ideas.c.id == b.id))[0]
    assert b_row["matched_at"] is None
    assert await rows(engine, tables.idea_matches, tables.idea_matches.c.idea_id == b.id) == []

    assert await match_pass(services, engine, clock).run() == [b.reference, a.reference]
    assert await matched_audit(engine) == [c.reference, b.reference, a.reference]


async def test_work_is_bounded_and_the_rest_is_taken_by_the_next_pass(services, engine, clock):
    a, b, c = await three_ideas(services)
    bounded = match_pass(services, engine, clock, limit=2)

    assert await bounded.run() == [c.reference, b.reference]
    assert bounded.seconds_to_next() == 0.0  # more waiting: at once
    assert await bounded.run() == [a.reference]
    assert bounded.seconds_to_next() is None


async def test_no_pass_keeps_anything_until_the_engine_has_learned_what_is_kept(
        services, engine, clock):
    ideas = await three_ideas(services)
    warmed_up = False
    waiting = MatchPass(unit_of_work_factory(engine), clock, services.similar,
                        DecisionCards(today=lambda: clock.now().date()).idea_card, TENANT,
                        ready=lambda: warmed_up)

    assert await waiting.run() == []
    assert await matched_audit(engine) == []
    warmed_up = True
    assert sorted(await waiting.run()) == sorted(i.reference for i in ideas)


async def test_with_nothing_to_do_a_pass_is_one_indexed_read(services, engine, clock):
    await three_ideas(services)
    await match_pass(services, engine, clock).run()
    statements: list[tuple[str, Any]] = []

    def seen(_conn, _cursor, statement, parameters, *_args: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        assert await match_pass(services, engine, clock).run() == []
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)

    [(statement, parameters)] = statements
    assert "matched_at IS NULL" in statement
    if engine.dialect.name == "sqlite":
        async with connect(engine) as connection:
            plan = " ".join(str(r[-1]) for r in await connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters))
        assert "USING INDEX ix_ideas_status_matched_at" in plan


async def test_ideas_decided_first_are_left_and_a_reopened_one_is_matched_again(
        services, engine, clock):
    a, b, c = await three_ideas(services)
    await decide(services, ALEX, c, Move.DECLINE_AT_TRIAGE, reason="already_exists",
                 message="We have new radios coming.")

    assert await match_pass(services, engine, clock).run() == [b.reference, a.reference]
    c_now = await stored(services, c)
    assert c_now.matches is None

    clock.advance(days=3)
    await decide(services, ALEX, c_now, Move.REOPEN, reason="The new radios were cancelled.")
    assert await match_pass(services, engine, clock).run() == [c.reference]
    await decide(services, ALEX, a, Move.DECLINE_AT_TRIAGE, reason="in_progress",
                 message="Upload over wifi is being rolled out.")
    a_now = await stored(services, a)
    assert a_now.matches is None  # decided: its card shows no matches
    clock.advance(days=3)
    await decide(services, ALEX, a_now, Move.REOPEN, reason="The roll-out stopped.")
    assert (await stored(services, a)).matches is None  # to be found again
    assert await match_pass(services, engine, clock).run() == [a.reference]
    assert await matched_audit(engine) == [b.reference, a.reference, c.reference,
                                           a.reference]


# The one-press decline


async def press(services, who: str, idea: IdeaDetail, original: str, *,
                version: int | None = None, **answers: str) -> dict[str, Any]:
    """`who` presses "Decline as duplicate of `original`" on their card of `idea`."""
    data = {"action": DECLINE_DUPLICATE, "idea": idea.id,
            "version": idea.version if version is None else version,
            "original": original, **answers}
    card = await services.decisions.decide(actor(who), parse_decline_duplicate(data))
    return card.card


async def matched(services, engine, clock) -> tuple[IdeaDetail, IdeaDetail, IdeaDetail]:
    a, b, c = await three_ideas(services)
    await match_pass(services, engine, clock).run()
    return (await stored(services, a), await stored(services, b), await stored(services, c))


def notices_to(outbox: list[dict[str, Any]], who: Caller) -> list[str]:
    return [text_of(r["card"]) for r in outbox if r["object_id"] == who.object_id
            and r["dedupe_key"].startswith("notice:")]


async def test_one_press_at_triage_declines_it_as_a_duplicate_of_the_original(
        services, engine, clock):
    a, b, _ = await matched(services, engine, clock)
    await set_idea(engine, a, visibility="shared")

    card = await press(services, ALEX, b, a.reference)

    b_now = await stored(services, b)
    assert (b_now.status, b_now.decline_reason, b_now.duplicate_of) == (
        Status.DECLINED, "duplicate", a.reference)
    assert "Declined: duplicate" in text_of(card)
    end = await snapshot(engine)
    entry = end.history[-1]
    assert (entry["actor"], entry["action"], entry["detail"]) == (
        ALEX, "decline_at_triage", {"duplicate_of": a.reference})
    audit = end.audit[-1]
    assert (audit["action"], audit["subject"], audit["detail"]["one_press"]) == (
        "idea.decline_at_triage", b.reference, DECLINE_DUPLICATE)
    [told] = notices_to(end.outbox, B_PERSON)
    assert f"{a.reference}: {BODY_WORN.title}" in told
    assert "The same idea has already reached us" in told
    assert A_PERSON.name not in told


async def test_a_private_original_is_named_to_the_other_contributor_by_reference_only(
        services, engine, clock):
    a, b, _ = await matched(services, engine, clock)  # ideas start private

    await press(services, ALEX, b, a.reference)

    [told] = notices_to((await snapshot(engine)).outbox, B_PERSON)
    assert a.reference in told and "only its reference is given" in told
    assert BODY_WORN.title not in told and A_PERSON.name not in told


async def test_in_assessment_one_press_needs_the_root_cause_answers_on_the_card(
        services, engine, clock):
    a, b, _ = await matched(services, engine, clock)
    await decide(services, ALEX, b, Move.ALLOCATE, portfolio="local-policing",
                 message="Passed to Local Policing.")
    b = await stored(services, b)
    assert b.matches and b.matches[0].reference == a.reference  # still shown in assessment
    before = await snapshot(engine)

    card = await press(services, ALEX, b, a.reference)

    assert await snapshot(engine) == before
    assert "Please answer both root-cause questions" in text_of(card)
    card = await press(services, ALEX, b, a.reference, **ROOT_CAUSES)
    b_now = await stored(services, b)
    assert (b_now.status, b_now.duplicate_of) == (Status.DECLINED, a.reference)
    assert b_now.root_cause_problem == ROOT_CAUSES["root_cause_problem"]
    assert (await snapshot(engine)).history[-1]["action"] == "decline"


@pytest.mark.parametrize(("original", "words"), [
    ("self", "An idea cannot be a duplicate of itself."),
    ("IIP-2026-0999", "There is no idea IIP-2026-0999."),
    ("unmatched", "is not one of the similar ideas found for"),
    ("withdrawn", "was withdrawn by its contributor"),
    ("hidden", "is hidden by the PMO team"),
])
async def test_an_original_that_may_not_be_named_is_refused_and_nothing_changes(
        services, engine, clock, original, words):
    a, b, c = await matched(services, engine, clock)
    if original == "withdrawn":
        await services.ideas.withdraw(A_PERSON, a.reference, "Not needed")
    if original == "hidden":
        await set_idea(engine, a, visibility="hidden")
    reference = {"self": b.reference, "unmatched": c.reference}.get(
        original, a.reference if original in {"withdrawn", "hidden"} else original)
    before = await snapshot(engine)

    card = await press(services, ALEX, b, reference)

    assert words in text_of(card)
    assert await snapshot(engine) == before
    assert (await stored(services, b)).status is Status.SUBMITTED


async def test_two_ideas_cannot_each_be_declined_as_the_duplicate_of_the_other(
        services, engine, clock):
    a, b, _ = await matched(services, engine, clock)
    await press(services, ALEX, b, a.reference)
    a = await stored(services, a)
    assert b.reference in {m.reference for m in a.matches or ()}
    before = await snapshot(engine)

    card = await press(services, ALEX, a, b.reference)

    assert f"{b.reference} was itself declined as a duplicate of {a.reference}" \
        in text_of(card)
    assert await snapshot(engine) == before


async def test_a_stale_press_or_one_by_someone_who_may_not_decline_changes_nothing(
        services, engine, clock):
    a, b, _ = await matched(services, engine, clock)
    before = await snapshot(engine)

    stale = await press(services, ALEX, b, a.reference, version=b.version - 1)
    not_theirs = await press(services, MEGAN, b, a.reference)  # a business lead, at triage
    contributor = await press(services, B_PERSON.object_id, b, a.reference)

    assert "This card was out of date" in text_of(stale)
    assert "You are not one of the people who can" in text_of(not_theirs)
    assert "You are not one of the people who can act on this idea" in text_of(contributor)
    assert await snapshot(engine) == before


def _execute_buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in walk(card) if n.get("type") == "Action.Execute"]
