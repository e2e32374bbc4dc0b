"""Campaigns over time on both databases: scheduling a call, the campaign pass (scheduled sends,
closing with the PMO's summary, the reminder before closing) and the progress card redrawn in
place. Two passes at once, as two replicas run them, do each thing once."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from support.organisation import ALEX, demo_data, organisation_from
from support.outbox import LEASE
from support.tables import count, rows

from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.campaigns import (
    Audience,
    AudienceKind,
    CampaignRequest,
    CampaignState,
    InvalidCampaign,
)
from bot.domain.ideas import LONDON, HistoryEntry, IdeaSubmission, Status
from bot.domain.identity import Caller
from bot.domain.profile import Profile
from bot.domain.working_days import QuietHours
from bot.services.campaign_pass import CampaignPass, CampaignPassViews
from bot.services.campaign_progress import ProgressWatcher
from bot.services.campaigns import CampaignService, CampaignViews
from bot.services.jobs import JobOptions
from bot.services.organisation import OrganisationService
from cards.campaign_call import call_card
from cards.campaign_progress import live_progress_card
from cards.campaign_summary import closing_summary_card
from storage import tables
from storage.outbox import SqlOutboxQueue
from storage.uow import SqlUnitOfWork, unit_of_work_factory

PMO = ALEX  # the demo's one PMO member: their chat follows what they schedule
TENANT = "tenant-t"
AI = CampaignRequest(
    name="Artificial intelligence", theme="AI", description="Where could AI save time?",
    opens=date(2026, 11, 2), closes=date(2026, 12, 18), audience=Audience(AudienceKind.EVERYONE))
QUIET = JobOptions(quiet=QuietHours(time(20, 0), time(7, 0), weekends=False), tenant_id=TENANT)


def person(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def uk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


@pytest.fixture
async def service(engine: AsyncEngine, clock) -> CampaignService:
    await OrganisationService(unit_of_work_factory(engine), clock).replace(
        organisation_from(demo_data()), actor="system:test")
    return campaign_service(engine, clock)


def campaign_service(engine: AsyncEngine, clock) -> CampaignService:
    return CampaignService(unit_of_work_factory(engine), clock,
                           CampaignViews(call_card, live_progress_card))


def campaign_pass(engine: AsyncEngine, clock) -> CampaignPass:
    """A pass as one replica runs it: its own service, units of work and caches."""
    return CampaignPass(unit_of_work_factory(engine), clock, campaign_service(engine, clock),
                        CampaignPassViews(lambda c: call_card(c, reminder=True),
                                          closing_summary_card), QUIET)


async def people_with_app(engine: AsyncEngine, clock, *numbers: int) -> None:
    async with SqlUnitOfWork(engine) as uow:
        for n in numbers:
            await uow.addresses.remember(ConversationAddress(
                conversation_id=f"a:{n}", kind=ConversationKind.PERSONAL,
                service_url="https://smba.trafficmanager.net/uk/", tenant_id=TENANT,
                bot_id="28:bot", object_id=person(n), user_id=f"29:{n}"), clock.now())
        await uow.commit()


async def create(service: CampaignService, **changes: Any) -> int:
    return (await service.create(dataclasses.replace(AI, **changes), PMO)).id


async def audited(engine: AsyncEngine, action: str) -> list[dict[str, Any]]:
    return await rows(engine, tables.audit_log, tables.audit_log.c.action == action)


async def outbox(engine: AsyncEngine, *where: Any) -> list[dict[str, Any]]:
    return await rows(engine, tables.outbox, *where)


async def add_idea(engine: AsyncEngine, clock, n: int, key: str, portfolio: str) -> None:
    async with SqlUnitOfWork(engine) as uow:
        await uow.ideas.add(IdeaSubmission(
            reference=f"IIP-2026-{n:04d}", contributor_object_id=person(n),
            contributor_name=None, title="Idea", problem="p", proposal="p", benefit="b",
            category_key="process", portfolio_key=portfolio, campaign_key=key,
            named_publicly=False, submitted_at=clock.now(), submission_key=f"draft-{n}",
            profile=Profile()), HistoryEntry(at=clock.now(), actor=person(n),
                                             action="submitted", from_status=None,
                                             to_status=Status.SUBMITTED))
        await uow.commit()


async def open_now(engine: AsyncEngine, clock, service: CampaignService, **changes: Any) -> int:
    campaign_id = await create(service, **changes)
    await service.send(campaign_id, PMO, tenant_id=TENANT)
    return campaign_id


# Scheduling


async def test_a_call_is_scheduled_for_a_moment_to_come_moved_while_scheduled_and_audited(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    campaign_id = await create(service)
    first = await service.schedule(campaign_id, uk(2026, 12, 8, 9, 0), PMO)
    moved = await service.schedule(campaign_id, uk(2026, 12, 9, 9, 30), PMO)

    assert (first.state, first.scheduled_at) == (CampaignState.SCHEDULED, uk(2026, 12, 8, 9, 0))
    assert (moved.state, moved.scheduled_at, moved.scheduled_by) == (
        CampaignState.SCHEDULED, uk(2026, 12, 9, 9, 30), PMO)
    assert [e["detail"]["scheduled_for"] for e in await audited(engine, "campaign.scheduled")] \
        == ["2026-12-08T09:00:00+00:00", "2026-12-09T09:30:00+00:00"]
    assert await count(engine, tables.outbox) == 0


async def test_a_schedule_in_the_past_or_after_closing_or_of_a_sent_call_changes_nothing(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    campaign_id = await create(service)
    for moment, words in ((clock.now() - timedelta(minutes=1), "has passed"),
                          (uk(2026, 12, 19, 0, 0), "after the campaign closes")):
        with pytest.raises(InvalidCampaign, match=words):
            await service.schedule(campaign_id, moment, PMO)
    await people_with_app(engine, clock, 1)
    sent = await open_now(engine, clock, service)
    with pytest.raises(InvalidCampaign, match="is open; only a draft"):
        await service.schedule(sent, uk(2026, 12, 8, 9, 0), PMO)

    assert (await service.get(campaign_id)).state is CampaignState.DRAFT  # type: ignore[union-attr]
    assert await audited(engine, "campaign.scheduled") == []


# The pass: scheduled sends


async def test_a_scheduled_call_goes_at_its_moment_with_its_progress_to_who_scheduled_it(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await people_with_app(engine, clock, 1, 2, 3)
    campaign_id = await create(service)
    await service.schedule(campaign_id, clock.now() + timedelta(minutes=30), PMO)
    passes = campaign_pass(engine, clock)

    clock.advance(minutes=29, seconds=59)
    assert (await passes.run()).sent == []
    clock.advance(seconds=1)
    report = await passes.run()

    assert report.sent == [campaign_id]
    campaign = await service.get(campaign_id)
    assert campaign is not None
    assert (campaign.state, campaign.sent_by, campaign.recipients) == (
        CampaignState.OPEN, PMO, 3)
    queued = await outbox(engine)
    assert queued[0]["dedupe_key"] == f"campaign-progress:{campaign_id}"
    assert queued[0]["object_id"] == PMO
    assert sorted(r["object_id"] for r in queued[1:]) == [person(n) for n in (1, 2, 3)]
    assert (await passes.run()).sent == []  # sent once


async def test_two_passes_at_once_send_a_scheduled_call_once(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await people_with_app(engine, clock, *range(1, 21))
    campaign_id = await create(service)
    await service.schedule(campaign_id, clock.now() + timedelta(seconds=5), PMO)
    clock.advance(seconds=5)

    reports = await asyncio.gather(*(campaign_pass(engine, clock).run() for _ in range(3)))

    assert sorted(r.sent for r in reports) == [[], [], [campaign_id]]
    assert all(r.lapsed == [] for r in reports)
    assert await count(engine, tables.outbox, tables.outbox.c.batch == f"campaign:{campaign_id}"
                       ) == 20
    assert len(await audited(engine, "campaign.sent")) == 1


async def test_a_scheduled_call_that_may_no_longer_go_is_put_back_to_a_draft_with_why(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    campaign_id = await create(service)  # everyone with the app: nobody yet
    await service.schedule(campaign_id, clock.now() + timedelta(hours=1), PMO)
    clock.advance(hours=1)

    report = await campaign_pass(engine, clock).run()

    assert (report.sent, report.lapsed) == ([], [campaign_id])
    campaign = await service.get(campaign_id)
    assert campaign is not None and campaign.state is CampaignState.DRAFT
    assert campaign.scheduled_at is None
    [lapsed] = await audited(engine, "campaign.schedule_lapsed")
    assert "nobody" in " ".join(lapsed["detail"]["problems"]).lower()
    assert (await campaign_pass(engine, clock).run()).lapsed == []


# The pass: closing


async def test_a_campaign_closes_after_its_uk_closing_day_and_the_pmo_hears_how_it_did_once(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await people_with_app(engine, clock, 1, 2, 3)
    campaign_id = await open_now(engine, clock, service)
    queue = SqlOutboxQueue(engine)
    for delivery in await queue.claim("w", clock.now(), 100, LEASE):
        await queue.sent(delivery.id, "w", clock.now(), "a:x", "activity")
    for n, portfolio in ((1, "local-policing"), (2, "crime-and-justice"),
                         (3, "local-policing")):
        await add_idea(engine, clock, n, "artificial-intelligence", portfolio)
    await add_idea(engine, clock, 4, "another-call", "crime-and-justice")
    await service.stop_calls(Caller(person(9), "Nine", TENANT))

    clock.current = uk(2026, 12, 18, 23, 59)
    assert (await campaign_pass(engine, clock).run()).closed == []
    clock.current = uk(2026, 12, 19, 0, 0, 30)
    reports = await asyncio.gather(*(campaign_pass(engine, clock).run() for _ in range(2)))

    assert sorted(r.closed for r in reports) == [[], [campaign_id]]
    assert (await service.get(campaign_id)).state is CampaignState.CLOSED  # type: ignore[union-attr]
    [summary] = await outbox(engine, tables.outbox.c.dedupe_key.like("campaign-summary:%"))
    assert (summary["object_id"], summary["dedupe_key"]) == (
        PMO, f"campaign-summary:{campaign_id}:{PMO}")
    assert summary["not_before"] == uk(2026, 12, 19, 7, 0)  # after the quiet hours
    facts = [f for block in summary["card"]["body"] if block["type"] == "FactSet"
             for f in block["facts"]]
    assert [(f["title"], f["value"]) for f in facts] == [
        ("Ideas received", "3"), ("Reached", "3"), ("Stopped campaign calls", "1"),
        ("Local Policing", "2"), ("Crime and Justice", "1")]
    assert len(await audited(engine, "campaign.closed")) == 1
    assert (await campaign_pass(engine, clock).run()).closed == []


# The pass: the reminder before closing


async def test_the_reminder_skips_who_stopped_calls_and_who_answered_once_after_quiet_hours(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await people_with_app(engine, clock, 1, 2, 3, 4, 5)
    campaign_id = await open_now(engine, clock, service, remind_before_close=True)
    await service.stop_calls(Caller(person(2), "Two", TENANT))
    await add_idea(engine, clock, 3, "artificial-intelligence", "local-policing")
    await people_with_app(engine, clock, 6)  # installed since the call: the audience as it is

    clock.current = uk(2026, 12, 15, 23, 59)
    assert (await campaign_pass(engine, clock).run()).reminded == {}
    clock.current = uk(2026, 12, 16, 0, 0, 10)  # two UK days before 18 December, at night
    reports = await asyncio.gather(*(campaign_pass(engine, clock).run() for _ in range(2)))

    assert sorted((r.reminded for r in reports), key=len) == [{}, {campaign_id: 4}]
    reminders = await outbox(engine, tables.outbox.c.batch == f"campaign:{campaign_id}:reminder")
    assert sorted(r["object_id"] for r in reminders) == [person(n) for n in (1, 4, 5, 6)]
    assert {r["not_before"] for r in reminders} == {uk(2026, 12, 16, 7, 0)}
    assert reminders[0]["card"]["body"][0]["text"].startswith("**Reminder:**")
    assert len(await audited(engine, "campaign.reminded")) == 1
    clock.advance(days=1)
    assert (await campaign_pass(engine, clock).run()).reminded == {}

    # Cancelling the campaign calls off the reminders not yet sent.
    await service.cancel(campaign_id, PMO)
    assert {r["state"] for r in await outbox(
        engine, tables.outbox.c.batch == f"campaign:{campaign_id}:reminder")} == {"cancelled"}


async def test_no_reminder_unless_the_pmo_asked_for_one(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await people_with_app(engine, clock, 1)
    await open_now(engine, clock, service)
    clock.current = uk(2026, 12, 16, 9, 0)
    assert (await campaign_pass(engine, clock).run()).reminded == {}


# The progress card, redrawn in place


async def deliver(engine: AsyncEngine, clock, outcomes: dict[str, str]) -> None:
    """The worker's verdicts on the claimed messages, by recipient (the progress card is
    sent first)."""
    queue = SqlOutboxQueue(engine)
    for delivery in await queue.claim("w", clock.now(), 100, LEASE):
        outcome = outcomes.get(delivery.recipient.object_id or "", "wait")
        if outcome == "sent":
            await queue.sent(delivery.id, "w", clock.now(), "a:x", f"act-{delivery.id}")
        elif outcome == "dead":
            await queue.dead(delivery.id, "w", "500: gave up")
        else:
            await queue.retry(delivery.id, "w", clock.now(), None, count_attempt=False)


async def redraws(engine: AsyncEngine, campaign_id: int) -> list[dict[str, Any]]:
    return await outbox(engine, tables.outbox.c.dedupe_key.like(
        f"campaign-progress:{campaign_id}:%"))


async def test_the_progress_card_is_redrawn_in_place_when_its_counts_change_at_most_every_10s(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await people_with_app(engine, clock, 1, 2, 3)
    campaign_id = await create(service)
    await service.send(campaign_id, PMO, tenant_id=TENANT, progress_to=PMO)
    watchers = [ProgressWatcher(unit_of_work_factory(engine), clock,
                                campaign_service(engine, clock), live_progress_card, TENANT)
                for _ in range(2)]
    await deliver(engine, clock, {PMO: "sent", person(1): "sent"})
    [progress] = await outbox(engine, tables.outbox.c.dedupe_key
                              == f"campaign-progress:{campaign_id}")

    clock.advance(seconds=4)
    assert sorted(await asyncio.gather(*(w.redraw() for w in watchers))) == [0, 1]
    clock.advance(seconds=5)
    assert await watchers[0].redraw() == 0  # under 10 s since the last
    clock.advance(seconds=5)
    assert await watchers[1].redraw() == 1  # its turn, but the same counts: nothing queued
    [first] = await redraws(engine, campaign_id)
    assert (first["replaces_id"], first["object_id"], first["batch"]) == (
        progress["id"], PMO, None)
    assert first["dedupe_key"] == f"campaign-progress:{campaign_id}:1:0:2:0"
    buttons = [a["data"] for a in first["card"]["actions"]]
    assert buttons == [{"action": "campaign.cancel", "campaign": campaign_id}]

    await deliver(engine, clock, {PMO: "sent", person(2): "sent", person(3): "dead"})
    clock.advance(seconds=10)
    assert await watchers[0].redraw() == 1
    final = (await redraws(engine, campaign_id))[-1]
    assert final["dedupe_key"] == f"campaign-progress:{campaign_id}:2:1:0:0"
    assert [a["data"] for a in final["card"]["actions"]] == [
        {"action": "campaign.resend", "campaign": campaign_id}]
    clock.advance(seconds=30)
    assert [await w.redraw() for w in watchers] == [0, 0]  # final: no longer followed

    # Resending what failed follows the card again. The final redraw has not gone yet, so
    # it is redrawn in place: only the latest counts are worth one of the chat's sends.
    await service.resend_failed(campaign_id, PMO)
    clock.advance(seconds=10)
    assert await watchers[1].redraw() == 1
    assert [r["dedupe_key"] for r in await redraws(engine, campaign_id)] == [
        f"campaign-progress:{campaign_id}:1:0:2:0", f"campaign-progress:{campaign_id}:2:0:1:0"]


async def test_a_call_sent_without_a_progress_card_is_not_followed(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await people_with_app(engine, clock, 1)
    await open_now(engine, clock, service)  # from the command line: nobody's chat follows it
    watcher = ProgressWatcher(unit_of_work_factory(engine), clock, service,
                              live_progress_card, TENANT)
    assert await watcher.redraw() == 0


async def test_the_final_counts_after_a_cancel_offer_no_buttons(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await people_with_app(engine, clock, 1, 2)
    campaign_id = await create(service)
    await service.send(campaign_id, PMO, tenant_id=TENANT, progress_to=PMO)
    await deliver(engine, clock, {PMO: "sent"})
    await service.cancel(campaign_id, PMO)
    watcher = ProgressWatcher(unit_of_work_factory(engine), clock, service,
                              live_progress_card, TENANT)

    assert await watcher.redraw() == 1
    [final] = await redraws(engine, campaign_id)
    assert final["dedupe_key"] == f"campaign-progress:{campaign_id}:0:0:0:2"
    assert "actions" not in final["card"] or final["card"]["actions"] == []
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.campaign_timeline.followed() == []


async def test_a_redraw_of_a_card_not_sent_yet_rewrites_it_where_it_waits(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await people_with_app(engine, clock, 1)
    campaign_id = await create(service)
    await service.send(campaign_id, PMO, tenant_id=TENANT, progress_to=PMO)
    async with engine.begin() as connection:  # the call went; the progress card still waits
        await connection.execute(update(tables.outbox).where(
            tables.outbox.c.object_id == person(1)).values(state="sent"))
    watcher = ProgressWatcher(unit_of_work_factory(engine), clock, service,
                              live_progress_card, TENANT)

    assert await watcher.redraw() == 1
    assert await redraws(engine, campaign_id) == []
    [progress] = await outbox(engine, tables.outbox.c.object_id == PMO)
    assert progress["summary"] == "Sent to 1 of 1"


async def test_the_pass_knows_when_the_next_scheduled_call_is_due(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    passes = campaign_pass(engine, clock)
    await passes.run()
    assert passes.seconds_to_next() is None
    for minutes in (50, 20):
        await service.schedule(await create(service), clock.now() + timedelta(minutes=minutes),
                               PMO)

    await passes.run()

    assert passes.seconds_to_next() == 20 * 60
    clock.advance(minutes=5)
    assert passes.seconds_to_next() == 15 * 60
