"""Campaigns over time, in Teams: the PMO's progress card updated in place (a PUT to the
activity it was sent as, at the stand-in connector), a scheduled call sent by the pass through
the real worker, and the call that Teams redraws as closed once the campaign has closed, in a
1:1 chat and in a channel."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from support.bot_server import DEMO_ORGANISATION, BotServer
from support.chat import ChannelMember
from support.connector import Received, StandInConnector
from support.decisions import TENANT, card_invoke, chat_of, invoke, say
from support.invokes import until
from support.organisation import ADELE, ALEX, MEGAN
from support.tables import rows

from bot.app import CAMPAIGN_PASS, PROGRESS
from bot.domain.campaign_sending import progress_key
from bot.domain.campaigns import Audience, AudienceKind, CampaignRequest
from bot.services.organisation import read_organisation_file
from storage import tables

REQUEST = CampaignRequest(
    name="Artificial intelligence", theme="AI", description="Where could AI save time?",
    opens=date(2026, 11, 2), closes=date(2026, 12, 18), audience=Audience(AudienceKind.EVERYONE))
PEOPLE = (ALEX, MEGAN, ADELE)


async def everyone_has_the_app(bot: BotServer, connector: StandInConnector) -> None:
    for object_id in PEOPLE:
        await say(bot, connector, object_id, "help")


def calls_to(connector: StandInConnector, object_id: str) -> list[Received]:
    return [r for r in connector.delivered if r.conversation_id == chat_of(object_id)
            and r.method == "POST" and "Where could AI save time?" in r.text_seen]


def updates_to(connector: StandInConnector, object_id: str) -> list[Received]:
    return [r for r in connector.delivered if r.conversation_id == chat_of(object_id)
            and r.method == "PUT"]


async def test_the_progress_card_is_updated_in_place_in_the_pmo_chat(
    bot: BotServer, connector: StandInConnector, clock
):
    await everyone_has_the_app(bot, connector)
    campaigns = bot.services.campaigns
    campaign = await campaigns.create(REQUEST, ALEX)
    await campaigns.send(campaign.id, ALEX, tenant_id=TENANT, progress_to=ALEX)
    await until(lambda: all(calls_to(connector, oid) for oid in PEOPLE))
    [progress] = await rows(bot.engine, tables.outbox,
                            tables.outbox.c.dedupe_key == progress_key(campaign.id))
    assert progress["state"] == "sent" and progress["activity_id"]

    clock.advance(seconds=10)
    assert await bot.app[PROGRESS].redraw() == 1
    await until(lambda: updates_to(connector, ALEX))

    [update] = updates_to(connector, ALEX)
    assert update.path == (f"/v3/conversations/{chat_of(ALEX)}/activities/"
                           f"{progress['activity_id']}")
    assert "Finished: the final counts." in update.text_seen
    assert update.summary == "Sent to 3 of 3"
    # The final counts are drawn once: a later turn of the watcher updates nothing.
    clock.advance(seconds=30)
    assert await bot.app[PROGRESS].redraw() == 0


async def test_a_scheduled_call_is_sent_by_the_pass_at_its_moment(
    bot: BotServer, connector: StandInConnector, clock
):
    await everyone_has_the_app(bot, connector)
    campaigns = bot.services.campaigns
    campaign = await campaigns.create(REQUEST, ALEX)
    await campaigns.schedule(campaign.id, clock.now() + timedelta(hours=2), ALEX)
    assert (await bot.app[CAMPAIGN_PASS].run()).sent == []

    clock.advance(hours=2)
    assert (await bot.app[CAMPAIGN_PASS].run()).sent == [campaign.id]

    await until(lambda: all(calls_to(connector, oid) for oid in PEOPLE))
    progress = [r for r in connector.delivered if r.conversation_id == chat_of(ALEX)
                and "Sending:" in r.text_seen]
    assert len(progress) == 1  # to who scheduled it, before their own call


def refresh_of(card: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    action = card["refresh"]["action"]
    return action["verb"], action["data"]


async def test_teams_redraws_a_call_as_closed_once_its_campaign_has_closed(
    bot: BotServer, connector: StandInConnector, clock
):
    await everyone_has_the_app(bot, connector)
    campaign = await bot.services.campaigns.create(REQUEST, ALEX)
    await bot.services.campaigns.send(campaign.id, ALEX, tenant_id=TENANT)
    await until(lambda: calls_to(connector, MEGAN))
    [call] = calls_to(connector, MEGAN)
    verb, data = refresh_of(call.cards[0])
    assert "userIds" not in call.cards[0]["refresh"]

    while_open = await invoke(bot, MEGAN, verb, data)
    assert "Share an idea" in str(while_open)

    clock.current = datetime(2026, 12, 19, 0, 0, 30, tzinfo=UTC)
    assert (await bot.app[CAMPAIGN_PASS].run()).closed == [campaign.id]
    closed = await invoke(bot, MEGAN, verb, data)

    assert "This campaign closed on 18 December 2026" in str(closed)
    assert [a["title"] for a in closed["actions"]] == ["Stop campaign calls"]
    assert closed["refresh"] == call.cards[0]["refresh"]  # it still redraws as it stands


async def test_a_call_in_a_channel_is_redrawn_there_the_same_for_everyone(
    bot: BotServer, connector: StandInConnector, clock
):
    await everyone_has_the_app(bot, connector)
    campaign = await bot.services.campaigns.create(REQUEST, ALEX)
    await bot.services.campaigns.send(campaign.id, ALEX, tenant_id=TENANT)
    channel = ChannelMember(bot, connector, object_id=MEGAN, name="Megan Bowen")
    activity = card_invoke("campaign.refresh",
                           {"action": "campaign.refresh", "campaign": campaign.id}, MEGAN)
    thread = channel._channel_activity()
    activity.update(conversation=thread["conversation"], channelData=thread["channelData"])

    response = await bot.post(activity)

    assert response.status == 200
    card = (await response.json())["value"]
    assert "Where could AI save time?" in str(card) and "Share an idea" in str(card)


async def test_a_refresh_naming_no_campaign_changes_nothing(
    bot: BotServer, connector: StandInConnector
):
    for data in ({"campaign": 999}, {"campaign": 2**40}, {"campaign": "1"}, {}):
        card = await invoke(bot, MEGAN, "campaign.refresh", data)
        assert "Share an idea" not in str(card)


async def test_a_call_not_sent_yet_is_redrawn_only_for_the_pmo_and_change_agents_sent_it(
    bot: BotServer, connector: StandInConnector
):
    campaigns = bot.services.campaigns
    organisation = replace(read_organisation_file(DEMO_ORGANISATION), change_agents=(ADELE,))
    await bot.services.organisation.replace(organisation, "test")
    await say(bot, connector, ADELE, "help")
    draft = await campaigns.create(REQUEST, ALEX)
    data = {"action": "campaign.refresh", "campaign": draft.id}

    def shows_the_call(card: dict[str, Any]) -> bool:
        return "Where could AI save time?" in str(card)

    assert shows_the_call(await invoke(bot, ALEX, "campaign.refresh", data))  # the PMO preview
    assert not shows_the_call(await invoke(bot, ADELE, "campaign.refresh", data))
    assert not shows_the_call(await invoke(bot, MEGAN, "campaign.refresh", data))  # forged
    await campaigns.send_to_change_agents(draft.id, ALEX, tenant_id=TENANT)
    assert shows_the_call(await invoke(bot, ADELE, "campaign.refresh", data))
    assert not shows_the_call(await invoke(bot, MEGAN, "campaign.refresh", data))
