"""Scheduling a campaign's call from Teams, with distinct people: the PMO member schedules it
from the preview (UK time), is told when it goes and to about how many, reschedules it; a past
moment and an unreadable day are refused kindly and change nothing, as is anyone outside the
PMO; nothing is sent, and the welcome and help do not name it, until the campaign pass at its
moment sends it once to each person. Send now instead sends it at once, and the pass then
sends nothing more."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from support.bot_server import BotServer
from support.chat import ChannelMember, Person, Reply
from support.connector import StandInConnector
from support.decisions import CONTRIBUTOR, NAMES
from support.invokes import until
from support.organisation import ADELE, ALEX, MEGAN

from bot.app import CAMPAIGN_PASS
from bot.domain.campaigns import CampaignState
from cards.campaign_form import AUDIENCE, CLOSES, DESCRIPTION, NAME, OPENS, THEME
from cards.campaign_schedule import SCHEDULE_DAY, SCHEDULE_TIME

CALL = "Safer lone working"
PEOPLE = (ALEX, CONTRIBUTOR, MEGAN, ADELE)


def person(bot: BotServer, connector: StandInConnector, object_id: str) -> Person:
    return Person(bot, connector, object_id=object_id, name=NAMES[object_id])


def calls_to(connector: StandInConnector, who: Person) -> list[object]:
    """The calls for ideas the outbox sent into `who`'s chat (not replies, not previews)."""
    return [r for r in connector.delivered
            if r.conversation_id == who.conversation_id and CALL in r.text_seen
            and "Share an idea" in r.text_seen and "replyToId" not in r.body
            and "/activities/1:" not in r.path]


async def preview(alex: Person) -> Reply:
    """The PMO member saves a new call (open from today, the tests' 2 November 2026) and gets
    its preview: the call, then what to do with it."""
    form = await alex.one("campaign new")
    _call, actions = await alex.press(form, "Save and preview", **{
        NAME: CALL, THEME: "Working alone", DESCRIPTION: "What would make lone shifts safer?",
        OPENS: "2026-11-02", CLOSES: "2026-11-30", AUDIENCE: "everyone"})
    return actions


async def schedule(who: Person, card: Reply, day: str, time: str) -> Reply:
    button = "Confirm: reschedule" if "Confirm: reschedule" in card.buttons else (
        "Confirm: schedule")
    return await who.one_press(card, button, **{SCHEDULE_DAY: day, SCHEDULE_TIME: time})


async def test_the_pmo_schedules_a_call_and_the_pass_sends_it_once_at_its_moment(
    bot: BotServer, connector: StandInConnector, clock
):
    people = [person(bot, connector, who) for who in PEOPLE]
    alex, pat = people[0], people[1]
    for someone in people:  # everyone with the app
        await someone.one("my ideas")
    actions = await preview(alex)
    assert "Confirm: schedule" in actions.buttons and actions.inputs[SCHEDULE_DAY] == "2026-11-02"

    scheduled = await schedule(alex, actions, "2026-11-02", "14:00")
    assert ("Scheduled for Monday 2 November 2026 at 14:00 (UK time) to about 4 people"
            in scheduled)
    assert {"Confirm: reschedule", "Send now instead", "Edit", "Cancel the campaign"} <= set(
        scheduled.buttons)
    [campaign] = await bot.services.campaigns.list()
    assert campaign.state is CampaignState.SCHEDULED
    assert campaign.scheduled_at == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)

    # Rescheduled from the reply: the moment moves (15:30 UK is 15:30 UTC in November).
    moved = await schedule(alex, scheduled, "2026-11-02", "15:30")
    assert "Scheduled for Monday 2 November 2026 at 15:30 (UK time)" in moved
    at = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)

    # Refused kindly, changing nothing: a moment past, one after the close, no day at all.
    past = await schedule(alex, moved, "2026-11-02", "08:00")
    assert "Nothing was changed" in past and "has passed" in past
    assert "Confirm: schedule" in past.buttons or "Confirm: reschedule" in past.buttons
    late = await schedule(alex, moved, "2026-12-01", "09:00")
    assert "after the campaign closes on 30 November 2026" in late
    unreadable = await schedule(alex, moved, "1 Dec", "9am")
    assert "'1 Dec' is not a day of the calendar" in unreadable
    assert "'9am' is not a time of day" in unreadable
    # Someone outside the PMO, pressing the same button: refused, nothing moved.
    forged = await pat.one_value({"action": "campaign.schedule", "campaign": campaign.id,
                                  SCHEDULE_DAY: "2026-11-02", SCHEDULE_TIME: "10:00"})
    assert "This is for the PMO team" in forged
    assert (await bot.services.campaigns.get(campaign.id)).scheduled_at == at

    # The list and Open (Progress on a refusal) show when it goes; help does not name it.
    listed = await alex.one("campaigns")
    assert "Scheduled for" in listed and "Monday 2 November 2026 at 15:30 (UK time)" in listed
    _call, opened = await alex.press(listed, "Preview")
    assert "It is scheduled for" in opened and "Monday 2 November 2026 at 15:30" in opened
    progress = await alex.one_value({"action": "campaign.progress", "campaign": campaign.id})
    assert "Monday 2 November 2026 at 15:30 (UK time)" in progress
    assert "Confirm: reschedule" in progress.buttons
    assert "Calls for ideas open now" not in await pat.one("help")

    # Nothing goes before its moment, however often the pass runs.
    clock.current = datetime(2026, 11, 2, 15, 29, tzinfo=UTC)
    assert (await bot.app[CAMPAIGN_PASS].run()).sent == []
    await asyncio.sleep(0.3)
    assert all(calls_to(connector, someone) == [] for someone in people)

    clock.current = at
    await bot.app[CAMPAIGN_PASS].run()
    for someone in people:
        await until(lambda someone=someone: calls_to(connector, someone))
    assert (await bot.app[CAMPAIGN_PASS].run()).sent == []  # sent once: nothing owed again
    await asyncio.sleep(0.3)
    assert [len(calls_to(connector, someone)) for someone in people] == [1, 1, 1, 1]
    sent = await bot.services.campaigns.get(campaign.id)
    assert sent.state is CampaignState.OPEN and sent.sent_by == ALEX
    assert (await pat.one("help")).data(f"Share an idea: {CALL}")["action"] == "campaign.idea"

    # Once sent, the old card's Reschedule changes nothing and says why.
    again = await schedule(alex, moved, "2026-11-03", "09:00")
    assert "Nothing was changed" in again and "only a draft or a scheduled campaign" in again


async def test_send_now_instead_sends_a_scheduled_call_at_once_and_only_once(
    bot: BotServer, connector: StandInConnector, clock
):
    people = [person(bot, connector, who) for who in (ALEX, MEGAN)]
    for someone in people:
        await someone.one("my ideas")
    scheduled = await schedule(people[0], await preview(people[0]), "2026-11-03",
                               "09:00")
    assert "Tuesday 3 November 2026 at 09:00 (UK time) to about 2 people" in scheduled

    confirm = await people[0].one_press(scheduled, "Send now instead")
    assert "Send to 2 people?" in confirm
    await people[0].one_press(confirm, "Yes, send it")
    for someone in people:
        await until(lambda someone=someone: calls_to(connector, someone))

    clock.current = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    assert (await bot.app[CAMPAIGN_PASS].run()).sent == []
    await asyncio.sleep(0.3)
    assert [len(calls_to(connector, someone)) for someone in people] == [1, 1]


async def test_schedule_pressed_in_a_channel_is_offered_in_private_and_changes_nothing(
    bot: BotServer, connector: StandInConnector
):
    await person(bot, connector, ALEX).one("my ideas")
    draft = await preview(person(bot, connector, ALEX))
    [campaign] = await bot.services.campaigns.list()
    alex = ChannelMember(bot, connector, object_id=ALEX, name=NAMES[ALEX])
    [reply] = await alex.send_value({**draft.data("Confirm: schedule"),
                                     SCHEDULE_DAY: "2026-11-03", SCHEDULE_TIME: "09:00"})
    assert "Let's do that in private" in reply and CALL not in reply
    assert (await bot.services.campaigns.get(campaign.id)).state is CampaignState.DRAFT
