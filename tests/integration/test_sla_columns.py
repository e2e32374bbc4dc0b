"""The two-month promise's columns, kept in the same transaction as what changes them, on
SQLite and PostgreSQL: the due day at submission and at a reopen, the first response when the
outbox sends (or gives up on) a notice that keeps the promise, and nothing for those that do
not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from support.decisions import load_demo_organisation, submit_idea
from support.promises import LEASE, WORKER, move, promise_columns, record_all

from bot.app import build_services
from bot.domain.lifecycle import Move
from storage import tables
from storage.outbox import SqlOutboxQueue

START = datetime(2026, 10, 30, 23, 30, tzinfo=UTC)  # 30 October in the UK, BST: due 30 Dec


@pytest.fixture
async def services(engine, clock):
    clock.current = START
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    return services


async def test_submission_sets_the_due_day_and_a_question_sent_keeps_the_promise(
        services, engine, clock):
    idea = await submit_idea(services)
    assert await promise_columns(engine, idea) == (date(2026, 12, 30), None, False)
    await record_all(engine, clock)  # the receipt and the triage card keep nothing

    clock.advance(days=1)
    idea = await move(services, idea, Move.ALLOCATE)
    await record_all(engine, clock)  # an allocation keeps nothing either
    assert await promise_columns(engine, idea) == (date(2026, 12, 30), None, False)

    clock.advance(days=3)
    idea = await move(services, idea, Move.ASK)
    assert (await promise_columns(engine, idea))[1] is None  # pressed, not yet sent
    clock.advance(minutes=5)
    sent_at = clock.now()
    await record_all(engine, clock)
    assert await promise_columns(engine, idea) == (date(2026, 12, 30), sent_at, False)

    clock.advance(days=2)  # a later keeping notice does not move the first response
    idea = await move(services, idea, Move.UPDATE)
    await record_all(engine, clock)
    assert await promise_columns(engine, idea) == (date(2026, 12, 30), sent_at, False)
    stored = await services.ideas.idea_of(idea.contributor_object_id, idea.reference)
    assert stored.first_response is not None and stored.first_response.at == sent_at
    assert stored.due_on == date(2026, 12, 30)


async def test_a_notice_given_up_on_keeps_it_unreachable_from_its_first_attempt(
        services, engine, clock):
    idea = await submit_idea(services)
    await record_all(engine, clock)
    idea = await move(services, idea, Move.DECLINE_AT_TRIAGE)
    queue = SqlOutboxQueue(engine)

    async def claim_notice() -> int:
        """Claim what is due, record all but the contributor's notice as sent."""
        [notice] = [d.id for d in await queue.claim(WORKER, clock.now(), 10, LEASE)
                    if d.recipient.object_id == idea.contributor_object_id]
        await record_all(engine, clock)  # what else was due (the staff cards)
        return notice

    clock.advance(minutes=1)
    notice = await claim_notice()
    # Paced, not tried: put back untried, so this claim is not its first attempt.
    await queue.retry(notice, WORKER, clock.now() + timedelta(minutes=1), None,
                      count_attempt=False)
    clock.advance(minutes=2)
    first_attempt = clock.now()
    notice = await claim_notice()
    # Throttled: tried, though no attempt is counted.
    await queue.retry(notice, WORKER, clock.now() + timedelta(minutes=1), "429",
                      count_attempt=False)
    clock.advance(minutes=2)
    notice = await claim_notice()
    await queue.retry(notice, WORKER, clock.now() + timedelta(minutes=5), "502")
    clock.advance(minutes=10)
    notice = await claim_notice()
    await queue.dead(notice, WORKER, "ConversationBlockedByUser")
    assert await promise_columns(engine, idea) == (date(2026, 12, 30), first_attempt, True)


async def test_a_reopen_starts_a_new_clock_and_forgets_the_old_answer(services, engine, clock):
    idea = await submit_idea(services)
    idea = await move(services, idea, Move.DECLINE_AT_TRIAGE)
    await record_all(engine, clock, dead=True)
    assert (await promise_columns(engine, idea))[2] is True

    clock.current = datetime(2027, 1, 31, 12, 0, tzinfo=UTC)
    idea = await move(services, idea, Move.REOPEN)
    assert await promise_columns(engine, idea) == (date(2027, 3, 31), None, False)
    await record_all(engine, clock)  # the reopen's own notice keeps nothing
    assert await promise_columns(engine, idea) == (date(2027, 3, 31), None, False)

    # A notice of the old clock sent after a reopen does not keep the new clock's promise.
    idea = await move(services, idea, Move.DECLINE_AT_TRIAGE)
    clock.advance(days=1)
    idea = await move(services, idea, Move.REOPEN)
    await record_all(engine, clock)
    assert await promise_columns(engine, idea) == (date(2027, 4, 1), None, False)


async def test_a_message_that_is_no_notice_changes_no_idea(services, engine, clock):
    idea = await submit_idea(services)
    idea = await move(services, idea, Move.UPDATE)
    await record_all(engine, clock)
    async with engine.connect() as connection:
        answered = (await connection.execute(
            select(tables.ideas.c.id).where(tables.ideas.c.first_response_at.is_not(None))
        )).scalars().all()
    assert answered == [idea.id]  # the update only; the receipt and cards changed nothing
