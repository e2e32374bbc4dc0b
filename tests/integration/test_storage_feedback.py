"""FeedbackService: feedback is stored once per form, audited, and queued for the PMO team."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support.organisation import ALEX, MEGAN, demo_data, demo_organisation
from support.tables import count, rows

from bot.domain.errors import AlreadyReceived, InvalidText
from bot.domain.feedback import Rating
from bot.domain.identity import Caller
from bot.domain.organisation import parse_organisation
from bot.services.feedback import FeedbackService
from bot.services.organisation import OrganisationService
from cards.feedback import feedback_for_pmo_card
from cards.requests import feedback_form_of
from storage import tables
from storage.uow import unit_of_work_factory

ADELE = Caller(object_id="00000000-0000-0000-0000-0000000000022", name="Adele Vance",
               tenant_id="50612dbb-0237-4969-b378-8d42590f9c00")
ANSWERS = feedback_form_of({"action": "feedback.send", "comment": "Works well on a phone",
                            "rating": "5", "may_contact": "true"})


@pytest.fixture
async def service(engine: AsyncEngine, clock) -> FeedbackService:
    uow = unit_of_work_factory(engine)
    data = demo_data()
    data["pmo"]["members"] = [ALEX, MEGAN]
    await OrganisationService(uow, clock).replace(parse_organisation(data), actor="test")
    return FeedbackService(uow, clock, feedback_for_pmo_card)


def feedback_audit(engine: AsyncEngine):
    return rows(engine, tables.audit_log, tables.audit_log.c.action == "feedback.submitted")


async def test_feedback_is_stored_audited_and_queued_for_each_pmo_member(
        engine: AsyncEngine, service: FeedbackService, clock) -> None:
    feedback = await service.submit(ADELE, ANSWERS, card_id="1759944781430")
    assert (feedback.comment, feedback.rating, feedback.may_contact) == (
        "Works well on a phone", Rating.VERY_EASY, True)

    (row,) = await rows(engine, tables.feedback)
    assert (row["author_object_id"], row["comment"], row["rating"], row["may_contact"],
            row["card_id"], row["created_at"]) == (
        ADELE.object_id, "Works well on a phone", "5", True, "1759944781430", clock.now())

    (entry,) = await feedback_audit(engine)
    assert (entry["actor"], entry["subject"], entry["detail"]) == (
        ADELE.object_id, f"feedback {row['id']}", {"rating": "5"})

    queued = await rows(engine, tables.outbox)
    assert sorted(q["object_id"] for q in queued) == sorted([ALEX, MEGAN])
    assert {q["kind"] for q in queued} == {"feedback"}
    assert {q["tenant_id"] for q in queued} == {ADELE.tenant_id}
    assert all("Adele Vance" in q["summary"] for q in queued)


async def test_the_same_form_sent_twice_is_stored_once(
        engine: AsyncEngine, service: FeedbackService) -> None:
    await service.submit(ADELE, ANSWERS, card_id="card-1")
    with pytest.raises(AlreadyReceived):
        await service.submit(ADELE, replace(ANSWERS, comment="Second tap"),
                             card_id="card-1")
    assert [r["comment"] for r in await rows(engine, tables.feedback)] == [
        "Works well on a phone"]
    assert len(await feedback_audit(engine)) == 1
    assert await count(engine, tables.outbox) == 2


async def test_another_form_or_another_person_is_new_feedback(
        engine: AsyncEngine, service: FeedbackService) -> None:
    await service.submit(ADELE, ANSWERS, card_id="card-1")
    await service.submit(ADELE, ANSWERS, card_id="card-2")
    megan = Caller(object_id=MEGAN, name="Megan Bowen", tenant_id=ADELE.tenant_id)
    await service.submit(megan, ANSWERS, card_id="card-1")
    assert await count(engine, tables.feedback) == 3
    assert len(await feedback_audit(engine)) == 3
    assert await count(engine, tables.outbox) == 6


@pytest.mark.parametrize(
    "answers",
    [
        {"comment": "   "},
        {"comment": "x" * 1001},
        {"comment": "fine", "rating": "9"},
        {"comment": "hidden \x1b[31m escape"},
    ],
)
async def test_invalid_answers_store_nothing(engine: AsyncEngine, service: FeedbackService,
                                             answers: dict) -> None:
    with pytest.raises(InvalidText):
        await service.submit(ADELE, feedback_form_of(answers), card_id="card-1")
    assert await count(engine, tables.feedback) == 0
    assert await feedback_audit(engine) == []
    assert await count(engine, tables.outbox) == 0
    # The person can correct the answer and send the same form again.
    await service.submit(ADELE, ANSWERS, card_id="card-1")
    assert await count(engine, tables.feedback) == 1


async def test_feedback_before_any_organisation_is_kept_with_no_one_to_tell(
        engine: AsyncEngine, clock) -> None:
    service = FeedbackService(unit_of_work_factory(engine), clock, feedback_for_pmo_card)
    await service.submit(ADELE, ANSWERS, card_id="card-1")
    assert await count(engine, tables.feedback) == 1
    assert await count(engine, tables.outbox) == 0
    assert demo_organisation().pmo  # (the demo always has someone to tell)
