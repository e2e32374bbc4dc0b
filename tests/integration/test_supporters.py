"""Supporting an idea through the real services on SQLite and PostgreSQL: once per person, never
one's own or one colleagues may not see, the draft discarded with it, the idea's staff told,
and every supporter told of each move with their own notice.

The demo organisation: Alex is the PMO and the SPOC of Local Policing, Isaiah its deputy.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update
from support.decisions import (
    CONTRIBUTOR,
    STRANGER,
    actor,
    current,
    decide,
    deliver_everything,
    load_demo_organisation,
    snapshot,
    submit_idea,
    text_of,
)
from support.organisation import ALEX, ISAIAH
from support.tables import count, rows

from bot.app import build_services
from bot.domain.errors import InvalidText, NotAllowed, NotFound, OutOfDate
from bot.domain.ideas import IdeaDetail, Status
from bot.domain.intake import Draft, Step
from bot.domain.lifecycle import Move
from bot.domain.similar import Visibility
from bot.domain.supporters import COMMENT_LIMIT, Standing
from bot.services.reports import Reports
from storage import tables
from storage.uow import unit_of_work_factory

# Two colleagues with no role.
SAM = "5b0e2d1c-6a7f-4c3b-9e8d-1f2a3b4c5d6e"
JO = STRANGER
COMMENT = "Nights at Leeds lose an hour a shift to this."


@pytest.fixture
async def services(engine, clock):
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    return services


async def shared_idea(services: Any, engine: Any, title: str = "Body-worn video docks",
                      visibility: Visibility = Visibility.SHARED) -> IdeaDetail:
    """An idea its contributor submitted and shared with colleagues."""
    idea = await submit_idea(services, title)
    async with engine.begin() as connection:
        await connection.execute(update(tables.ideas).where(tables.ideas.c.id == idea.id)
                                 .values(visibility=visibility.value))
    return idea


async def writing(services: Any, who: str) -> str:
    """`who` has written the title and problem of an idea of their own: its draft id."""
    stored = await services.ideas.new_draft(who, Draft(
        title="Docking stations for cameras", problem="Cameras are not charged at the start.",
        step=Step.PROPOSAL, revision=2))
    return stored.draft_id


async def support(services: Any, who: str, idea: IdeaDetail, comment: Any = COMMENT):
    return await services.supporters.support(actor(who), idea.id,
                                             await writing(services, who), comment)


async def test_a_supporter_is_kept_once_and_their_draft_goes(services, engine):
    idea = await shared_idea(services, engine)
    done = await support(services, SAM, idea)
    assert (done.reference, done.already, done.discarded) == (idea.reference, False, True)
    assert await services.ideas.draft(SAM) is None
    [row] = await rows(engine, tables.idea_supporters)
    assert (row["idea_id"], row["object_id"], row["comment"]) == (idea.id, SAM, COMMENT)
    [audit] = [r for r in await rows(engine, tables.audit_log)
               if r["action"] == "idea.supported"]
    assert (audit["actor"], audit["subject"]) == (SAM, idea.reference)
    assert (await current(services, idea)).supporters == 1

    again = await support(services, SAM, idea, "Still the case.")
    assert (again.already, again.discarded) == (True, True)
    assert await count(engine, tables.idea_supporters) == 1
    assert (await rows(engine, tables.idea_supporters))[0]["comment"] == COMMENT


async def test_two_presses_at_once_make_one_supporter(services, engine):
    idea = await shared_idea(services, engine)
    draft = await writing(services, SAM)
    first, second = await asyncio.gather(*(
        services.supporters.support(actor(SAM), idea.id, draft, COMMENT) for _ in range(2)))
    assert sorted([first.already, second.already]) == [False, True]
    assert await count(engine, tables.idea_supporters) == 1
    told = [r for r in await rows(engine, tables.outbox)
            if r["dedupe_key"].startswith(f"supported:{idea.reference}:")]
    assert len(told) == 1  # the PMO (Alex) once


@pytest.mark.parametrize("why", ["own", "private", "hidden", "withdrawn", "unknown", "none"])
async def test_an_idea_that_cannot_be_supported_changes_nothing(services, engine, why):
    visibility = {"private": Visibility.PRIVATE, "hidden": Visibility.HIDDEN}.get(
        why, Visibility.SHARED)
    idea = await shared_idea(services, engine, visibility=visibility)
    if why == "withdrawn":
        await services.ideas.withdraw(actor(CONTRIBUTOR), idea.reference, None)
    who = CONTRIBUTOR if why == "own" else SAM
    draft = await writing(services, who)
    idea_id = {"unknown": 2**31 - 1, "none": None}.get(why, idea.id)
    before = await snapshot(engine)
    with pytest.raises(NotAllowed if why == "own" else NotFound) as refusal:
        await services.supporters.support(actor(who), idea_id, draft, COMMENT)
    assert "Nothing changed" in str(refusal.value)
    if why == "own":
        assert idea.reference in str(refusal.value)
    assert (await snapshot(engine)).new_since(before) == {"history": [], "outbox": [],
                                                          "audit": []}
    assert await count(engine, tables.idea_supporters) == 0
    assert (await services.ideas.draft(who)) is not None


async def test_a_stale_card_or_a_comment_too_long_changes_nothing(services, engine):
    idea = await shared_idea(services, engine)
    await writing(services, SAM)
    with pytest.raises(OutOfDate):  # a suggestion card shown for an earlier draft
        await services.supporters.support(actor(SAM), idea.id, "an-older-draft", COMMENT)
    draft = await writing(services, SAM)
    with pytest.raises(InvalidText, match="limit is 1,000"):
        await services.supporters.support(actor(SAM), idea.id, draft,
                                          "x" * (COMMENT_LIMIT + 1))
    assert await count(engine, tables.idea_supporters) == 0
    assert (await services.ideas.draft(SAM)) is not None


async def test_the_staff_are_told_and_their_cards_show_the_count(services, engine):
    idea = await shared_idea(services, engine)
    before = await snapshot(engine)
    await support(services, SAM, idea)
    new = (await snapshot(engine)).new_since(before)["outbox"]
    told = [r for r in new if r["dedupe_key"].startswith("supported:")]
    # Awaiting triage: the PMO team hears of it.
    assert [r["object_id"] for r in told] == [ALEX]
    assert "Someone supports it" in text_of(told[0]["card"])
    assert COMMENT in text_of(told[0]["card"])
    # The PMO's triage card, not yet sent, now shows one supporter.
    [card] = [r for r in await rows(engine, tables.outbox)
              if r["dedupe_key"] == f"card:{idea.reference}:{ALEX}"]
    assert "Supporters: 1" in text_of(card["card"])

    allocated = await decide(services, ALEX, await current(services, idea), Move.ALLOCATE,
                             portfolio="local-policing")
    assert "Supporters: 1" in text_of(allocated.card)
    await deliver_everything(engine)
    before = await snapshot(engine)
    await support(services, JO, idea)
    new = (await snapshot(engine)).new_since(before)["outbox"]
    # Allocated: its SPOC and deputy hear of it; each staff card sent is redrawn in place,
    # once, with two, though the idea itself did not move.
    assert sorted(r["object_id"] for r in new if r["dedupe_key"].startswith("supported:")) == \
        sorted([ALEX, ISAIAH])
    idea = await current(services, idea)
    redrawn = {r["object_id"]: r for r in new if r["dedupe_key"].startswith("update:")}
    assert set(redrawn) == {ALEX, ISAIAH}
    assert all(r["dedupe_key"].endswith(f":v{idea.version}:supporters2")
               and r["replaces_id"] is not None and "Supporters: 2" in text_of(r["card"])
               for r in redrawn.values())


async def test_every_supporter_hears_of_each_move_with_their_own_notice(services, engine):
    idea = await shared_idea(services, engine)
    await support(services, SAM, idea)
    await support(services, JO, idea)
    idea = await current(services, idea)
    await decide(services, ALEX, idea, Move.ALLOCATE, portfolio="local-policing")
    idea = await current(services, idea)
    before = await snapshot(engine)
    await decide(services, ALEX, idea, Move.ASK, message="Which stations, Pat?")
    asked = (await snapshot(engine)).new_since(before)["outbox"]
    # A question is for the contributor alone.
    assert [r["object_id"] for r in asked if r["dedupe_key"].startswith("notice:")] == \
        [CONTRIBUTOR]

    idea = await current(services, idea)
    before = await snapshot(engine)
    await decide(services, ALEX, idea, Move.APPROVE, root_causes=True,
                 message="Pat, you will hear from the fleet team.")
    new = (await snapshot(engine)).new_since(before)["outbox"]
    key = f"notice:{idea.reference}:v{idea.version + 1}"
    notices = {r["dedupe_key"]: r for r in new if r["dedupe_key"].startswith("notice:")}
    assert set(notices) == {key, f"{key}:{SAM}", f"{key}:{JO}"}
    assert notices[key]["object_id"] == CONTRIBUTOR
    for who in (SAM, JO):
        card = notices[f"{key}:{who}"]
        assert card["object_id"] == who
        words = text_of(card["card"])
        assert "an idea you support is approved" in words
        assert "Pat, you will hear" not in words  # the contributor's message is theirs
        assert "Pat Contributor" not in words
    assert "Pat, you will hear" in text_of(notices[key]["card"])

    idea = await current(services, idea)
    before = await snapshot(engine)
    await decide(services, ALEX, idea, Move.DELIVER, what_changed="Docks in every station.")
    new = (await snapshot(engine)).new_since(before)["outbox"]
    delivered = [r for r in new if r["dedupe_key"].startswith("notice:")
                 and r["object_id"] in (SAM, JO)]
    assert len(delivered) == 2
    assert all("You said, we did" in text_of(r["card"])
               and "Docks in every station." in text_of(r["card"]) for r in delivered)
    # The promise is the contributor's: a supporter's notice is never its first response.
    [history] = [h for h in await rows(engine, tables.idea_history)
                 if h["action"] == "approve"]
    assert history["notice_key"] == key


async def test_the_writer_sees_which_ideas_are_theirs_or_supported(services, engine):
    mine = await shared_idea(services, engine, "One of mine")
    theirs = await shared_idea(services, engine, "Someone else's")
    other = await shared_idea(services, engine, "Not yet supported")
    await support(services, SAM, theirs)
    assert await services.supporters.standing(CONTRIBUTOR, [mine.id, theirs.id]) == {
        mine.id: Standing.OWN, theirs.id: Standing.OWN}
    assert await services.supporters.standing(SAM, [mine.id, theirs.id, other.id]) == {
        theirs.id: Standing.SUPPORTING}


async def test_the_summary_counts_supporters_as_at_its_moment(services, engine, clock):
    local = await shared_idea(services, engine)
    crime = await submit_idea(services, "Crime's", portfolio="crime-and-justice")
    async with engine.begin() as connection:
        await connection.execute(update(tables.ideas).values(visibility="shared"))
    clock.current = datetime(2026, 12, 1, 10, tzinfo=UTC)
    await support(services, SAM, local)
    clock.current = datetime(2026, 12, 2, 10, tzinfo=UTC)
    await support(services, JO, local)
    await support(services, SAM, crime)
    reports = Reports(unit_of_work_factory(engine))

    async def figures(day: int, portfolio: str | None = None) -> tuple[int, int]:
        summary = await reports.summary(datetime(2026, 12, day, 12, tzinfo=UTC), portfolio)
        return summary.supporters, summary.ideas_supported

    assert await figures(1) == (1, 1)
    assert await figures(3) == (3, 2)
    assert await figures(3, "crime-and-justice") == (1, 1)
    assert (await current(services, local)).status is Status.SUBMITTED


async def test_supporters_hear_of_a_withdrawal_and_may_put_forward_their_own(services, engine):
    idea = await shared_idea(services, engine)
    await support(services, SAM, idea)
    await support(services, JO, idea)
    before = await snapshot(engine)
    await services.ideas.withdraw(actor(CONTRIBUTOR), idea.reference, "Moving to a new team.")
    new = (await snapshot(engine)).new_since(before)["outbox"]
    key = f"notice:{idea.reference}:v{idea.version + 1}"
    told = {r["object_id"]: r for r in new if r["dedupe_key"].startswith(f"{key}:")}
    assert set(told) == {SAM, JO}
    for who, row in told.items():
        assert row["dedupe_key"] == f"{key}:{who}"
        words = text_of(row["card"])
        assert "An idea you support was withdrawn" in words
        assert "Body-worn video docks" in words
        # The contributor's reason and name are theirs and the staff's, not colleagues'.
        assert "Moving to a new team." not in words and "Pat Contributor" not in words
        assert [a["title"] for a in row["card"]["actions"]] == ["Put forward my own idea"]
    # The staff hear of it as before, the reason included.
    staff = [r for r in new if r["dedupe_key"].startswith(f"withdrawn:{idea.reference}:")]
    assert staff and all("Moving to a new team." in text_of(r["card"]) for r in staff)
