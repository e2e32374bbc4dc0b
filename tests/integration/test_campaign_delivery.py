"""A small campaign delivered by the real outbox worker over HTTP to a stand-in Bot Connector
that answers as Teams does: everyone reached once, the PMO's progress card among the first,
and a person who blocked the app shown as unreachable and never sent to again."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine
from support.connector import forbidden
from support.teams_connector import TeamsConnector

from bot.app import build_worker
from bot.config import Settings
from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.campaign_sending import Unreachable
from bot.domain.campaigns import Audience, AudienceKind, CampaignRequest, CampaignState
from bot.domain.identity import Caller
from bot.services.campaigns import CampaignService, CampaignViews
from cards.campaign_call import call_card
from cards.campaign_progress import progress_card
from storage.outbox import SqlOutboxQueue
from storage.uow import SqlUnitOfWork, unit_of_work_factory

TENANT = "tenant-t"
PMO_MEMBER = "00000000-0000-4000-8000-0000000000aa"


class Today:
    """The real time, on a day inside the campaign's dates."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def person(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def chat(object_id: str, connector: TeamsConnector) -> ConversationAddress:
    return ConversationAddress(
        conversation_id=f"a:{object_id}", kind=ConversationKind.PERSONAL,
        service_url=connector.url, tenant_id=TENANT, bot_id="28:bot", object_id=object_id,
        user_id=f"29:{object_id}")


async def deliver(engine: AsyncEngine, database_url: str, within: float = 20.0) -> None:
    """Run the real worker until nothing is pending or in flight, then stop it."""
    async with aiohttp.ClientSession() as session:
        worker = build_worker(engine, Settings(database_url=database_url, outbox_in_flight=4),
                              Today(), session, idle_poll_seconds=0.05)
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        queue = SqlOutboxQueue(engine)
        deadline = time.monotonic() + within
        try:
            while time.monotonic() < deadline:
                status = await queue.status(datetime.now(UTC))
                if status.pending == 0 and status.sending == 0:
                    break
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)


async def test_a_campaign_reaches_everyone_once_and_a_blocked_person_shows_as_unreachable(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
):
    people = [person(n) for n in range(1, 7)]
    async with SqlUnitOfWork(engine) as uow:
        for object_id in (*people, PMO_MEMBER):
            await uow.addresses.remember(chat(object_id, connector), datetime.now(UTC))
        await uow.commit()
    blocked = f"a:{people[2]}"
    connector.fail_conversation(blocked, forbidden("ConversationBlockedByUser"), times=10)
    service = CampaignService(unit_of_work_factory(engine), Today(),
                              CampaignViews(call_card, progress_card))
    today = datetime.now(UTC).date()
    campaign = await service.create(CampaignRequest(
        name="Artificial intelligence", theme="AI", description="Where could AI help?",
        opens=today, closes=date(today.year + 1, 1, 31),
        audience=Audience(AudienceKind.EVERYONE)), "system:test")
    await service.stop_calls(Caller(people[5], "Someone", TENANT))

    sent = await service.send(campaign.id, "system:test", tenant_id=TENANT,
                              progress_to=PMO_MEMBER)
    await deliver(engine, database_url)
    await connector.settle()

    assert sent.recipients == 6  # the PMO member has the app too; the sixth person opted out
    calls = [r for r in connector.delivered if r.summary == "Call for ideas: Artificial "
                                                           "intelligence"]
    reached = sorted(r.conversation_id for r in calls)
    assert reached == sorted(f"a:{p}" for p in (*people[:2], *people[3:5], PMO_MEMBER))
    assert [r.status for r in connector.to(blocked)] == [403]
    # The PMO member's chat shows the progress first, then the call as everyone gets it.
    assert [r.summary for r in connector.delivered_to(f"a:{PMO_MEMBER}")] == [
        "Sending: 0 of 6 sent", "Call for ideas: Artificial intelligence"]
    share = [a for a in calls[0].cards[0]["actions"] if a["title"] == "Share an idea"]
    assert share[0]["data"] == {"action": "campaign.idea", "campaign": campaign.key}

    status = await service.status(campaign.id)

    assert (status.state, status.recipients, status.sent, status.failed, status.pending) == (
        CampaignState.OPEN, 6, 5, 1, 0)
    assert status.unreachable == (
        Unreachable(people[2], "403: ConversationBlockedByUser"),)
    # Resending the failures never tries the person who blocked the app.
    assert await service.resend_failed(campaign.id, "system:test") == 0
    await deliver(engine, database_url)
    assert [r.status for r in connector.to(blocked)] == [403]
