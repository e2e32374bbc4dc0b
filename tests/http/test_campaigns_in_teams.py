"""The PMO's campaigns over HTTP, with distinct people: a PMO member creates a call for ideas
from the form (a mistake first), previews it exactly as it will be seen, sends it after a
confirmation that counts the people; each person with the app receives it once at the
stand-in connector; a second press changes nothing. Someone outside the PMO is refused
everything, forged buttons included; a person who stops campaign calls is not sent the next
one but still hears about their own idea; none of it is answered in a channel; the welcome
and help name the calls open now."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from support.bot_server import BotServer
from support.cards import walk
from support.chat import ChannelMember, Person, Reply, seed_idea
from support.connector import Fault, StandInConnector, forbidden
from support.decisions import CONTRIBUTOR, NAMES
from support.invokes import press, until
from support.organisation import ADELE, ALEX, MEGAN, demo_data, organisation_from

from bot.domain.campaigns import Audience, AudienceKind, CampaignRequest, CampaignState
from bot.domain.lifecycle import Move
from cards.campaign_form import AUDIENCE, CLOSES, DESCRIPTION, NAME, OPENS, QUESTIONS, THEME

CALL = "Artificial intelligence in everyday policing"


def person(bot: BotServer, connector: StandInConnector, object_id: str) -> Person:
    return Person(bot, connector, object_id=object_id, name=NAMES[object_id])


def form_answers(clock, *, opens: int = 1, closes: int = 40, **more: str) -> dict[str, Any]:
    today = clock.now().date()
    return {NAME: CALL, THEME: "Where could AI save officers time?",
            DESCRIPTION: "Tell us which tasks take longest at a keyboard.",
            QUESTIONS[0]: "Which system would it work with?",
            OPENS: (today + timedelta(days=opens)).isoformat(),
            CLOSES: (today + timedelta(days=closes)).isoformat(), AUDIENCE: "everyone", **more}


def calls_to(connector: StandInConnector, who: Person, name: str = CALL) -> list[Any]:
    """The calls for ideas the outbox sent into `who`'s chat (not replies to them)."""
    return [r for r in connector.delivered
            if r.conversation_id == who.conversation_id and "Share an idea" in r.text_seen
            and name in r.text_seen and "replyToId" not in r.body
            and "/activities/1:" not in r.path]


async def create(bot: BotServer, clock, name: str) -> int:
    today = clock.now().date()
    campaign = await bot.services.campaigns.create(CampaignRequest(
        name=name, theme="A theme", description="What and why.", opens=today,
        closes=today + timedelta(days=30), audience=Audience(AudienceKind.EVERYONE)), ALEX)
    return campaign.id


async def test_the_pmo_creates_previews_and_sends_a_call_each_person_gets_once(
    bot: BotServer, connector: StandInConnector, clock
):
    alex = person(bot, connector, ALEX)
    others = [person(bot, connector, who) for who in (CONTRIBUTOR, MEGAN, ADELE)]
    for someone in (alex, *others):  # everyone with the app: a 1:1 chat the bot knows
        await someone.one("my ideas")

    hub = await alex.one("pmo")
    assert list(hub.buttons) == ["Triage", "Campaigns", "Deferred", "Digest", "Reports",
                                 "Initiatives"]
    assert "Nothing to tell yet" in await alex.one_press(hub, "Digest")  # nothing delivered
    listed = await alex.one_press(hub, "Campaigns")
    assert "There are no campaigns yet" in listed
    form = await alex.one_press(listed, "New campaign")
    assert "A new call for ideas" in form

    # Closing before it opens: the form again, every answer kept, the problem named.
    refused = await alex.one_press(form, "Save and preview",
                                   **form_answers(clock, opens=10, closes=5))
    assert "Please put these right" in refused
    assert "before it opens" in refused
    assert refused.inputs[NAME] == CALL and refused.inputs[QUESTIONS[0]].startswith("Which")
    assert await bot.services.campaigns.list() == []

    call, actions = await alex.press(refused, "Save and preview", **form_answers(clock))
    assert CALL in call and "Which system would it work with?" in call
    assert "Nothing has been sent" in actions and "Everyone with the app" in actions
    [campaign] = await bot.services.campaigns.list()
    assert campaign.state is CampaignState.DRAFT
    assert call.data("Share an idea") == {"action": "campaign.idea", "campaign": campaign.key}

    confirm = await alex.one_press(actions, "Send now")
    assert "Send to 4 people?" in confirm
    assert calls_to(connector, others[0]) == []  # asking sends nothing
    sending = await alex.one_press(confirm, "Yes, send it")
    assert "on its way to 4 people" in sending
    for someone in (alex, *others):
        await until(lambda someone=someone: calls_to(connector, someone))
    # Alex's chat follows the progress.
    await until(lambda: [r for r in connector.delivered if r.conversation_id
                         == alex.conversation_id and "Recipients" in r.text_seen])

    # A second press on the same confirmation: nothing is queued again, and it says why.
    again = await alex.one_press(confirm, "Yes, send it")
    assert "Nothing was changed" in again and "already sent" in again
    await asyncio.sleep(0.3)
    assert all(len(calls_to(connector, someone)) == 1 for someone in (alex, *others))

    listed = await alex.one("campaigns")
    assert CALL in listed and "Open" in listed.text
    await until(lambda: _reached(alex, 4))
    status = await alex.one_press(await alex.one("campaigns"), "Open")
    assert "Sent: 4" in status and "Cancel the campaign" in status.buttons


async def _reached(alex: Person, count: int) -> bool:
    return f"Reached: {count}" in (await alex.one("campaigns")).text


async def test_someone_outside_the_pmo_is_refused_whatever_they_press(
    bot: BotServer, connector: StandInConnector, clock
):
    pat = person(bot, connector, CONTRIBUTOR)
    campaign_id = await create(bot, clock, "Shorter shift handovers")
    for typed in ("pmo", "campaigns", "campaign new"):
        reply = await pat.one(typed)
        assert "This is for the PMO team" in reply, typed
        assert "Shorter shift handovers" not in reply
    for action in ("campaign.send", "campaign.preview", "campaign.cancel", "campaign.edit",
                   "campaign.send.ask", "campaign.progress", "campaign.resend"):
        reply = await pat.one_value({"action": action, "campaign": campaign_id})
        assert "This is for the PMO team" in reply, action
    saved = await pat.one_value({"action": "campaign.save", **form_answers(clock)})
    assert "This is for the PMO team" in saved
    campaigns = await bot.services.campaigns.list()
    assert [(c.name, c.state) for c in campaigns] == [("Shorter shift handovers",
                                                       CampaignState.DRAFT)]
    await asyncio.sleep(0.2)
    assert calls_to(connector, pat, "Shorter shift handovers") == []


async def test_a_person_who_stops_calls_gets_no_more_but_still_hears_of_their_idea(
    bot: BotServer, connector: StandInConnector, clock
):
    alex, pat, megan = (person(bot, connector, who) for who in (ALEX, CONTRIBUTOR, MEGAN))
    for someone in (alex, pat, megan):
        await someone.one("my ideas")
    first = await create(bot, clock, "First call")
    await alex.one_value({"action": "campaign.send", "campaign": first})
    await until(lambda: calls_to(connector, pat, "First call"))
    [call] = calls_to(connector, pat, "First call")

    stopped = await pat.one_press(Reply(call), "Stop campaign calls")
    assert "no more campaign calls" in stopped
    assert "decisions about them, still reach you" in stopped
    listed = await alex.one("campaigns")
    assert "1 person has asked for no more calls" in listed

    second = await create(bot, clock, "Second call")
    confirm = await alex.one_value({"action": "campaign.send.ask", "campaign": second})
    assert "Send to 2 people?" in confirm  # Alex and Megan: Pat stopped the calls
    await alex.one_press(confirm, "Yes, send it")
    await until(lambda: calls_to(connector, megan, "Second call"))

    # Pat's own idea, deferred: the notice still reaches Pat.
    reference = await seed_idea(bot, pat, "Shared case files", portfolio="crime-and-justice")
    idea = await bot.services.ideas.idea_of(CONTRIBUTOR, reference)
    await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="crime-and-justice")
    idea = await bot.services.ideas.idea_of(CONTRIBUTOR, reference)
    await press(bot, MEGAN, idea, Move.DEFER, revisit_on="2027-03-01",
                message="After the new system is chosen.")
    await until(lambda: [r for r in connector.delivered if r.conversation_id
                         == pat.conversation_id and "Your idea is deferred" in r.text_seen])
    assert calls_to(connector, pat, "Second call") == []

    resumed = await pat.one("start campaigns")
    assert "campaign calls again" in resumed
    assert "0 people have asked" in await alex.one("campaigns")


async def test_nothing_about_campaigns_is_answered_in_a_channel(
    bot: BotServer, connector: StandInConnector, clock
):
    campaign_id = await create(bot, clock, "Quiet call")
    alex = ChannelMember(bot, connector, object_id=ALEX, name=NAMES[ALEX])
    for typed in ("pmo", "campaigns", "campaign new", "stop campaigns", "start campaigns"):
        [reply] = await alex.say(typed)
        assert "Let's do that in private" in reply, typed
        assert "Quiet call" not in reply and "campaign" not in reply.text.lower()
    for action in ("campaign.send", "campaign.preview", "campaign.stop"):
        [reply] = await alex.send_value({"action": action, "campaign": campaign_id})
        assert "Let's do that in private" in reply, action
    [campaign] = await bot.services.campaigns.list()
    assert campaign.state is CampaignState.DRAFT
    assert (await bot.services.campaigns.overview()).opted_out == 0

    # The channel the bot is installed in is one the PMO may send a call to, from their chat.
    form = await person(bot, connector, ALEX).one("campaign new")
    [audience] = [node for node in walk(form.card) if node.get("id") == AUDIENCE]
    channel = alex.conversation_id.split(";")[0]  # the channel, not the thread
    assert f"channel:{channel}" in [c["value"] for c in audience["choices"]]


async def test_the_welcome_and_help_name_the_calls_open_now(
    bot: BotServer, connector: StandInConnector, clock
):
    alex, pat = person(bot, connector, ALEX), person(bot, connector, CONTRIBUTOR)
    await pat.one("my ideas")
    assert "Calls for ideas open now" not in await pat.one("help")
    campaign_id = await create(bot, clock, "Open call")
    assert "Calls for ideas open now" not in await pat.one("help")  # a draft is not open
    await alex.one_value({"action": "campaign.send", "campaign": campaign_id})

    share = {"action": "campaign.idea", "campaign": "open-call"}
    assert (await pat.one("help")).data("Share an idea: Open call") == share
    await pat.say("hello")  # the welcome (which Person.say leaves out as a greeting)
    welcome = Reply(connector.sent_to(pat.conversation_id)[-1])
    assert "welcome to the Improvement" in welcome
    assert welcome.data("Share an idea: Open call") == share

    confirm = await alex.one_value({"action": "campaign.cancel.ask", "campaign": campaign_id})
    cancelled = await alex.one_press(confirm, "Yes, cancel it")
    assert "Cancel the campaign" not in cancelled.buttons
    assert "Open call" not in await pat.one("help")  # the help card is never stale
    twice = await alex.one_press(confirm, "Yes, cancel it")
    assert "Nothing was changed" in twice and "already cancelled" in twice


async def test_the_pmo_edits_a_draft_then_sends_it_to_the_change_agents_first(
    bot: BotServer, connector: StandInConnector, clock
):
    data = demo_data()
    data["change_agents"] = {"members": [MEGAN, ADELE]}
    await bot.services.organisation.replace(organisation_from(data), "test")
    alex = person(bot, connector, ALEX)
    others = [person(bot, connector, who) for who in (CONTRIBUTOR, MEGAN, ADELE)]
    for someone in (alex, *others):
        await someone.one("my ideas")
    form = await alex.one("campaign new")
    _call, actions = await alex.press(form, "Save and preview", **form_answers(clock))
    [before] = await bot.services.campaigns.list()

    edit = await alex.one_press(actions, "Edit")
    assert "Edit the call for ideas" in edit and edit.inputs[NAME] == CALL
    assert edit.inputs[OPENS] == form_answers(clock)[OPENS]
    call, actions = await alex.press(edit, "Save and preview", **{NAME: "AI at work"})
    assert "AI at work" in call and CALL not in call
    [campaign] = await bot.services.campaigns.list()
    assert campaign.name == "AI at work"
    assert (campaign.id, campaign.key) == (before.id, before.key)  # edited, not another

    agents = await alex.one_press(actions, "Send to change agents first")
    assert "on its way to the change agents (2 people)" in agents
    for agent in others[1:]:
        await until(lambda agent=agent: calls_to(connector, agent, "AI at work"))
    await asyncio.sleep(0.2)
    assert calls_to(connector, others[0], "AI at work") == []
    assert (await bot.services.campaigns.get(campaign.id)).state is CampaignState.DRAFT

    confirm = await alex.one_press(agents, "Send now")
    assert "Send to 4 people?" in confirm
    await alex.one_press(confirm, "Yes, send it")
    await until(lambda: calls_to(connector, others[0], "AI at work"))
    # Once sent, Edit on the old preview changes nothing and says why.
    late = await alex.one_press(actions, "Edit")
    assert "Nothing was changed" in late and "can be edited" in late
    assert [c.name for c in await bot.services.campaigns.list()] == ["AI at work"]


async def test_resend_to_failed_skips_who_blocked_the_app_and_cancel_asks_first(
    bot: BotServer, connector: StandInConnector, clock
):
    alex = person(bot, connector, ALEX)
    others = [person(bot, connector, who) for who in (CONTRIBUTOR, MEGAN, ADELE)]
    for someone in (alex, *others):
        await someone.one("my ideas")
    campaign_id = await create(bot, clock, "Failing call")
    # Two of the four sends fail for good: one too large, one to someone who blocked the app.
    connector.fail_next(Fault(413, body={"error": {"code": "MessageSizeTooBig"}}))
    connector.fail_next(forbidden("ConversationBlockedByUser"))
    await bot.services.campaigns.send(campaign_id, ALEX, tenant_id=alex.tenant_id)
    await until(lambda: len([r for r in connector.received if "Failing call" in r.text_seen
                             and "Share an idea" in r.text_seen]) == 4)

    async def status() -> Reply:
        return await alex.one_value({"action": "campaign.progress", "campaign": campaign_id})

    await until(lambda: _shows(status(), "Failed: 2"))
    card = await status()
    assert "Blocked or removed the app: 1" in card
    resent = await alex.one_press(card, "Resend to failed")
    assert "sent again to the 1 person it failed to reach" in resent
    await until(lambda: sum(len(calls_to(connector, p, "Failing call"))
                            for p in (alex, *others)) == 3)
    await until(lambda: _shows(status(), "Sent: 3"))
    assert "Resend to failed" not in (await status()).buttons  # the blocked are never resent

    confirm = await alex.one_press(await status(), "Cancel the campaign")
    assert "Cancel this call for ideas?" in confirm
    assert (await bot.services.campaigns.get(campaign_id)).state is CampaignState.OPEN
    kept = await alex.one_press(confirm, "Keep it")
    assert "Cancel the campaign" in kept.buttons
    cancelled = await alex.one_press(confirm, "Yes, cancel it")
    assert "Cancel the campaign" not in cancelled.buttons
    assert (await bot.services.campaigns.get(campaign_id)).state is CampaignState.CANCELLED


async def _shows(card, text: str) -> bool:
    return text in await card


async def test_a_call_to_a_team_channel_is_one_post_there(
    bot: BotServer, connector: StandInConnector, clock
):
    member = ChannelMember(bot, connector, object_id=CONTRIBUTOR, name=NAMES[CONTRIBUTOR])
    await member.say("help")  # the bot is installed in the channel, and has heard from it
    channel = member.conversation_id.split(";")[0]
    alex = person(bot, connector, ALEX)
    form = await alex.one("campaign new")
    _call, actions = await alex.press(form, "Save and preview",
                                      **form_answers(clock, **{AUDIENCE: f"channel:{channel}"}))
    assert "Team channel 19:" in actions
    confirm = await alex.one_press(actions, "Send now")
    assert "Send to the team channel?" in confirm and "posted once in the channel" in confirm
    sending = await alex.one_press(confirm, "Yes, send it")
    assert "on its way to the team channel" in sending
    await until(lambda: [r for r in connector.delivered if r.conversation_id == channel
                         and CALL in r.text_seen and "Share an idea" in r.text_seen])
