"""Sending a campaign's call on both databases: exactly its audience, once, through the outbox;
followed, called off, resent to those it failed but never to people who blocked the app."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support.addresses import CHANNEL, TENANT, channel_address, chat_with, remember
from support.organisation import ADELE, ALEX, ISAIAH, MEGAN, demo_data, organisation_from
from support.outbox import LEASE
from support.tables import count, rows

from bot.domain.campaign_sending import CampaignStatus, Unreachable
from bot.domain.campaigns import (
    Audience,
    AudienceKind,
    CampaignRequest,
    CampaignState,
    InvalidCampaign,
    parse_audience,
)
from bot.domain.ideas import HistoryEntry, IdeaSubmission, Status
from bot.domain.identity import Caller
from bot.domain.profile import Profile
from bot.services.campaigns import CampaignService, CampaignViews
from bot.services.organisation import OrganisationService
from cards.campaign_call import call_card
from cards.campaign_progress import progress_card
from storage import tables
from storage.outbox import SqlOutboxQueue
from storage.uow import SqlUnitOfWork, unit_of_work_factory

PMO = "system:test"
AGENTS = ("6e2f1b7a-0c4d-4a5e-9f10-2b3c4d5e6f70", "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")
AI = CampaignRequest(
    name="Artificial intelligence", theme="AI",
    description="Where could AI save officers time?",
    opens=date(2026, 11, 9), closes=date(2026, 12, 18), audience=Audience(AudienceKind.EVERYONE),
    questions=("Which system would it use?",))


def person(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


@pytest.fixture
async def service(engine: AsyncEngine, clock) -> CampaignService:
    data = demo_data()
    data["change_agents"] = {"members": list(AGENTS)}
    await OrganisationService(unit_of_work_factory(engine), clock).replace(
        organisation_from(data), actor=PMO)
    return CampaignService(unit_of_work_factory(engine), clock,
                           CampaignViews(call_card, progress_card))


async def create(service: CampaignService, **changes: Any) -> int:
    return (await service.create(dataclasses.replace(AI, **changes), PMO)).id


async def calls(engine: AsyncEngine, batch: str) -> list[dict[str, Any]]:
    return await rows(engine, tables.outbox, tables.outbox.c.batch == batch)


async def audited(engine: AsyncEngine, action: str) -> list[dict[str, Any]]:
    return await rows(engine, tables.audit_log, tables.audit_log.c.action == action)


# Sending


async def test_everyone_means_each_person_with_the_app_once_less_those_who_stopped_calls(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, *(chat_with(person(n)) for n in range(1, 6)),
                   chat_with(person(1), "second-chat-of-1"), channel_address(),
                   chat_with(person(9)), removed=("a:" + person(9),))
    await service.stop_calls(Caller(person(2), "Blake", TENANT))
    campaign_id = await create(service)

    sent = await service.send(campaign_id, PMO, tenant_id=TENANT, progress_to=ALEX)

    assert (sent.recipients, sent.batch) == (4, f"campaign:{campaign_id}")
    queued = await calls(engine, sent.batch)
    assert sorted(r["object_id"] for r in queued) == [person(n) for n in (1, 3, 4, 5)]
    assert {(r["kind"], r["tenant_id"], r["conversation_id"], r["state"]) for r in queued} == {
        ("campaign", TENANT, None, "pending")}
    assert {r["dedupe_key"] for r in queued} == {
        f"campaign:{campaign_id}:{person(n)}" for n in (1, 3, 4, 5)}
    assert queued[0]["card"]["actions"][0]["data"] == {
        "action": "campaign.idea", "campaign": "artificial-intelligence"}
    campaign = await service.get(campaign_id)
    assert campaign is not None
    assert (campaign.state, campaign.sent_at, campaign.sent_by, campaign.recipients) == (
        CampaignState.OPEN, clock.now(), PMO, 4)
    [progress] = await rows(engine, tables.outbox,
                            tables.outbox.c.dedupe_key == f"campaign-progress:{campaign_id}")
    assert (progress["object_id"], progress["batch"]) == (ALEX, None)  # interactive, first
    [entry] = await audited(engine, "campaign.sent")
    assert (entry["actor"], entry["subject"], entry["detail"]["recipients"]) == (
        PMO, f"campaign:{campaign_id}", 4)


async def test_a_second_send_is_refused_naming_when_and_queues_nothing(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, chat_with(person(1)))
    campaign_id = await create(service)
    await service.send(campaign_id, PMO, tenant_id=TENANT)
    clock.advance(hours=2)
    await remember(engine, clock, chat_with(person(2)))

    with pytest.raises(InvalidCampaign, match="was already sent on 02 November 2026 at 09:30 "
                                              "by system:test"):
        await service.send(campaign_id, PMO, tenant_id=TENANT)

    assert await count(engine, tables.outbox) == 1
    assert len(await audited(engine, "campaign.sent")) == 1


async def test_two_sends_at_once_queue_the_call_once(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, *(chat_with(person(n)) for n in range(1, 40)))
    campaign_id = await create(service)

    outcomes = await asyncio.gather(
        *(service.send(campaign_id, f"pmo-{n}", tenant_id=TENANT) for n in range(2)),
        return_exceptions=True)

    refused = [o for o in outcomes if isinstance(o, InvalidCampaign)]
    assert len(refused) == 1 and "was already sent" in str(refused[0])
    assert await count(engine, tables.outbox) == 39
    assert len(await audited(engine, "campaign.sent")) == 1


@pytest.mark.parametrize(("audience", "expected"), [
    ("change-agents", AGENTS),
    ("portfolio:local-policing", (ALEX, ISAIAH)),  # its SPOC and its deputy
    ("portfolio:people-and-wellbeing", (MEGAN, ADELE)),
])
async def test_named_audiences_come_from_the_organisation(
        service: CampaignService, engine: AsyncEngine, audience: str,
        expected: tuple[str, ...]) -> None:
    campaign_id = await create(service, audience=parse_audience(audience))

    sent = await service.send(campaign_id, PMO, tenant_id=TENANT)

    assert sorted(r["object_id"] for r in await calls(engine, sent.batch)) == sorted(expected)


async def test_a_file_audience_is_its_members_less_those_who_stopped_calls(
        service: CampaignService, engine: AsyncEngine) -> None:
    members = (person(1), person(2), person(3))
    await service.stop_calls(Caller(person(3), "Casey", TENANT))
    campaign_id = await create(service, audience=parse_audience("file:x.csv").with_members(
        members))

    sent = await service.send(campaign_id, PMO, tenant_id=TENANT)

    assert sorted(r["object_id"] for r in await calls(engine, sent.batch)) == [
        person(1), person(2)]


async def test_a_channel_audience_is_one_post_where_the_bot_is_installed(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, channel_address())
    await service.stop_calls(Caller(person(1), "Alex", TENANT))  # a channel is not a person
    campaign_id = await create(service, audience=parse_audience(f"channel:{CHANNEL}"))

    sent = await service.send(campaign_id, PMO, tenant_id=TENANT)

    [post] = await calls(engine, sent.batch)
    assert (post["conversation_id"], post["object_id"], post["tenant_id"]) == (
        CHANNEL, None, TENANT)


@pytest.mark.parametrize(("audience", "message"), [
    ("everyone", "Nobody has the app yet"),
    (f"channel:{CHANNEL}", "The bot is not installed in the channel"),
    ("channel:19:removed@thread.tacv2", "The bot is not installed in the channel"),
])
async def test_an_audience_of_nobody_is_refused_and_nothing_changes(
        service: CampaignService, engine: AsyncEngine, clock, audience: str,
        message: str) -> None:
    await remember(engine, clock, chat_with(person(1)), channel_address("19:removed@thread.tacv2"),
                   removed=("a:" + person(1), "19:removed@thread.tacv2"))
    campaign_id = await create(service, audience=parse_audience(audience))

    with pytest.raises(InvalidCampaign, match=message):
        await service.send(campaign_id, PMO, tenant_id=TENANT)

    assert await count(engine, tables.outbox) == 0
    assert (await service.get(campaign_id)).state is CampaignState.DRAFT  # type: ignore[union-attr]
    assert await audited(engine, "campaign.sent") == []


async def test_an_audience_that_all_stopped_calls_is_refused(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, chat_with(person(1)))
    await service.stop_calls(Caller(person(1), "Alex", TENANT))
    campaign_id = await create(service)

    with pytest.raises(InvalidCampaign, match="All 1 people in this audience have stopped"):
        await service.send(campaign_id, PMO, tenant_id=TENANT)
    assert await count(engine, tables.outbox) == 0


async def test_a_campaign_past_its_closing_day_cannot_be_sent(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, chat_with(person(1)))
    campaign_id = await create(service)
    clock.advance(days=47)  # 18 December has passed

    with pytest.raises(InvalidCampaign, match="closed on 18 December 2026"):
        await service.send(campaign_id, PMO, tenant_id=TENANT)
    assert await count(engine, tables.outbox) == 0


async def test_the_change_agents_get_a_preview_once_and_the_campaign_stays_a_draft(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, chat_with(person(1)))
    campaign_id = await create(service)

    preview = await service.send_to_change_agents(campaign_id, PMO, tenant_id=TENANT)

    assert preview.batch == f"campaign:{campaign_id}:agents" and preview.recipients == 2
    assert sorted(r["object_id"] for r in await calls(engine, preview.batch)) == sorted(AGENTS)
    assert (await service.get(campaign_id)).state is CampaignState.DRAFT  # type: ignore[union-attr]
    with pytest.raises(InvalidCampaign, match="Every change agent was already sent"):
        await service.send_to_change_agents(campaign_id, PMO, tenant_id=TENANT)
    # The real send afterwards reaches its audience, agents' preview apart.
    sent = await service.send(campaign_id, PMO, tenant_id=TENANT)
    assert [r["object_id"] for r in await calls(engine, sent.batch)] == [person(1)]


async def test_without_change_agents_the_preview_is_refused(
        engine: AsyncEngine, clock) -> None:
    await OrganisationService(unit_of_work_factory(engine), clock).replace(
        organisation_from(demo_data()), actor=PMO)
    service = CampaignService(unit_of_work_factory(engine), clock,
                              CampaignViews(call_card, progress_card))
    campaign_id = await create(service)

    with pytest.raises(InvalidCampaign, match="names no change agents"):
        await service.send_to_change_agents(campaign_id, PMO, tenant_id=TENANT)


# Editing


async def test_a_draft_is_edited_and_audited_but_a_sent_campaign_is_not(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, chat_with(person(1)))
    campaign_id = await create(service)

    edited = await service.update(campaign_id, dataclasses.replace(
        AI, name="  AI at work ", remind_before_close=True), PMO)

    assert (edited.name, edited.key, edited.remind_before_close) == (
        "AI at work", "artificial-intelligence", True)
    assert len(await audited(engine, "campaign.edited")) == 1
    with pytest.raises(InvalidCampaign, match="before it opens"):
        await service.update(campaign_id, dataclasses.replace(AI, closes=date(2026, 11, 1)),
                             PMO)
    await service.send(campaign_id, PMO, tenant_id=TENANT)
    with pytest.raises(InvalidCampaign, match="is open; only a draft or scheduled"):
        await service.update(campaign_id, AI, PMO)
    assert (await service.get(campaign_id)).name == "AI at work"  # type: ignore[union-attr]


# Following, calling off, resending


async def give_up(engine: AsyncEngine, clock, outcomes: dict[str, str]) -> None:
    """The worker's verdicts on the claimed calls, by recipient: sent, dead, unreachable."""
    queue = SqlOutboxQueue(engine)
    claimed = await queue.claim("w", clock.now(), 100, LEASE)
    for delivery in claimed:
        outcome = outcomes.get(delivery.recipient.object_id or "")
        if outcome == "sent":
            await queue.sent(delivery.id, "w", clock.now(), "a:x", "activity")
        elif outcome == "unreachable":
            await queue.dead(delivery.id, "w", "403: ConversationBlockedByUser",
                             unreachable=True)
        elif outcome == "dead":
            await queue.dead(delivery.id, "w", "413: MessageSizeTooBig")
        else:
            await queue.retry(delivery.id, "w", clock.now(), None, count_attempt=False)


async def test_status_tells_the_unreachable_from_other_failures_and_resend_skips_them(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, *(chat_with(person(n)) for n in range(1, 6)))
    campaign_id = await create(service)
    await service.send(campaign_id, PMO, tenant_id=TENANT)
    await give_up(engine, clock, {person(1): "sent", person(2): "unreachable",
                                  person(3): "dead", person(4): "sent"})

    status = await service.status(campaign_id)

    assert status == CampaignStatus(
        state=CampaignState.OPEN, recipients=5, sent=2, failed=2, pending=1,
        unreachable=(Unreachable(person(2), "403: ConversationBlockedByUser"),))
    assert await service.resend_failed(campaign_id, PMO) == 1
    again = await calls(engine, f"campaign:{campaign_id}")
    states = {r["object_id"]: (r["state"], r["attempts"]) for r in again}
    assert states[person(3)] == ("pending", 0) and states[person(2)][0] == "dead"
    [entry] = await audited(engine, "campaign.resent")
    assert entry["detail"]["recipients"] == 1
    assert await service.resend_failed(campaign_id, PMO) == 0  # nothing left to resend


async def test_cancel_leaves_what_was_sent_and_calls_off_the_rest(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, *(chat_with(person(n)) for n in range(1, 5)))
    campaign_id = await create(service)
    await service.send(campaign_id, PMO, tenant_id=TENANT)
    await give_up(engine, clock, {person(1): "sent"})

    status = await service.cancel(campaign_id, PMO)

    assert (status.state, status.sent, status.pending, status.cancelled) == (
        CampaignState.CANCELLED, 1, 0, 3)
    states = sorted(r["state"] for r in await calls(engine, f"campaign:{campaign_id}"))
    assert states == ["cancelled", "cancelled", "cancelled", "sent"]
    [entry] = await audited(engine, "campaign.cancelled")
    assert entry["detail"]["called_off"] == 3
    with pytest.raises(InvalidCampaign, match="is cancelled; only a draft or scheduled"):
        await service.send(campaign_id, PMO, tenant_id=TENANT)
    with pytest.raises(InvalidCampaign, match="already cancelled"):
        await service.cancel(campaign_id, PMO)
    with pytest.raises(InvalidCampaign, match="only while a campaign is open"):
        await service.resend_failed(campaign_id, PMO)


async def test_a_draft_cancelled_before_sending_can_never_be_sent(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, chat_with(person(1)))
    campaign_id = await create(service)
    await service.cancel(campaign_id, PMO)

    with pytest.raises(InvalidCampaign, match="is cancelled"):
        await service.send(campaign_id, PMO, tenant_id=TENANT)
    assert await count(engine, tables.outbox) == 0


async def test_an_unknown_campaign_is_a_kind_refusal(service: CampaignService) -> None:
    for attempt in (service.status(404), service.cancel(404, PMO),
                    service.send(404, PMO, tenant_id=TENANT)):
        with pytest.raises(InvalidCampaign, match="There is no campaign 404"):
            await attempt


# The PMO's list, and opting out


async def add_idea(engine: AsyncEngine, clock, n: int, campaign_key: str | None) -> None:
    async with SqlUnitOfWork(engine) as uow:
        await uow.ideas.add(IdeaSubmission(
            reference=f"IIP-2026-{n:04d}", contributor_object_id=person(n),
            contributor_name=None, title="Idea", problem="p", proposal="p", benefit="b",
            category_key="process", portfolio_key="local-policing", campaign_key=campaign_key,
            named_publicly=False, submitted_at=clock.now(), submission_key=f"draft-{n}",
            profile=Profile()), HistoryEntry(at=clock.now(), actor=person(n),
                                             action="submitted", from_status=None,
                                             to_status=Status.SUBMITTED))
        await uow.commit()


async def test_the_overview_counts_who_each_call_reached_and_the_ideas_it_brought(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await remember(engine, clock, *(chat_with(person(n)) for n in range(1, 4)))
    first = await create(service)
    second = await create(service, opens=date(2026, 11, 20))
    await service.send(first, PMO, tenant_id=TENANT)
    await give_up(engine, clock, {person(1): "sent", person(2): "sent"})
    await service.send_to_change_agents(second, PMO, tenant_id=TENANT)  # not its reach
    for n, key in enumerate(["artificial-intelligence"] * 3 + ["artificial-intelligence-2",
                                                                None], start=1):
        await add_idea(engine, clock, n, key)
    await service.stop_calls(Caller(person(7), "G", TENANT))

    overview = await service.overview()

    assert [(s.campaign.id, s.reached, s.ideas_received) for s in overview.campaigns] == [
        (second, 0, 1), (first, 2, 3)]
    assert overview.opted_out == 1


async def test_stopping_and_resuming_calls_is_audited_once_each(
        service: CampaignService, engine: AsyncEngine) -> None:
    caller = Caller(person(1), "Alex", TENANT)

    assert await service.stop_calls(caller) is True
    assert await service.stop_calls(caller) is False
    assert (await service.overview()).opted_out == 1
    assert await service.resume_calls(caller) is True
    assert await service.resume_calls(caller) is False

    assert [a["action"] for a in await rows(engine, tables.audit_log,
                                            tables.audit_log.c.subject == f"person:{person(1)}")
            ] == ["campaign.opted_out", "campaign.opted_in"]
    assert (await service.overview()).opted_out == 0


async def test_a_large_audience_is_queued_in_one_transaction(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    people = [chat_with(person(n)) for n in range(2_000)]
    await remember(engine, clock, *people)

    sent = await service.send(await create(service), PMO, tenant_id=TENANT)

    assert sent.recipients == 2_000
    assert await count(engine, tables.outbox, tables.outbox.c.batch == sent.batch) == 2_000
