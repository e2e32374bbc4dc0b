"""One call for ideas from start to finish, between distinct people as Teams delivers them:
the PMO sends a call; a colleague answers it from the call card the stand-in connector
received, its own question included; the PMO allocates the idea and the portfolio's SPOC
approves it from their cards; the colleague is told; the PMO's campaigns list counts the idea."""

from __future__ import annotations

from datetime import timedelta

from support.bot_server import BotServer
from support.chat import IDEA, Person, Reply
from support.connector import StandInConnector
from support.decisions import NAMES
from support.invokes import press, until
from support.organisation import ALEX, MEGAN
from support.tables import rows

from bot.domain.campaigns import Audience, AudienceKind, CampaignRequest
from bot.domain.ideas import Status
from bot.domain.lifecycle import Move
from storage import tables

CALL = "Fewer forms in custody"
FUNDING = "How much funding would it need?"


async def test_a_call_answered_decided_and_counted(bot: BotServer, connector: StandInConnector,
                                                   clock):
    alex = Person(bot, connector, object_id=ALEX, name=NAMES[ALEX])  # PMO, Local Policing SPOC
    colleague = Person(bot, connector, object_id=MEGAN, name=NAMES[MEGAN])
    for someone in (alex, colleague):
        await someone.one("my ideas")  # each has a 1:1 chat the bot knows
    today = clock.now().date()
    campaign = await bot.services.campaigns.create(CampaignRequest(
        name=CALL, theme="Custody", description="Which custody forms could go?", opens=today,
        closes=today + timedelta(days=30), audience=Audience(AudienceKind.EVERYONE),
        questions=(FUNDING,)), ALEX)
    listed = await alex.one("campaigns")
    [preview, actions] = await alex.press(listed, "Preview")
    assert CALL in preview and "Share an idea" in preview  # as recipients will see it
    confirm = await alex.one_press(actions, "Send now")
    await alex.one_press(confirm, "Yes, send it")

    # The colleague's copy of the call, as Teams delivered it to their chat.
    await until(lambda: _call_to(connector, colleague))
    call = Reply(_call_to(connector, colleague)[0])
    assert call.data("Share an idea") == {"action": "campaign.idea", "campaign": campaign.key}

    reply = await colleague.one_press(call, "Share an idea")
    for answer in (IDEA["title"], IDEA["problem"], IDEA["proposal"], IDEA["benefit"],
                   "process", "local-policing"):
        reply = await colleague.one_press(reply, "Next", answer=answer)
    assert FUNDING in reply
    reply = await colleague.one_press(reply, "Next", answer="None: it saves paper.")
    if "About you (optional)" in reply:
        reply = await colleague.one("skip")
    check = await colleague.one_press(reply, "Next", answer="yes")
    assert f"Campaign: {CALL}" in check
    receipt = await colleague.one_press(check, "Submit idea")
    reference = receipt.text.split("Reference: ")[1].split()[0]

    idea = await bot.services.ideas.idea_of(MEGAN, reference)
    assert idea.campaign_key == campaign.key
    await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="local-policing", message="To LP.")
    idea = await bot.services.ideas.idea_of(MEGAN, reference)
    await press(bot, ALEX, idea, Move.APPROVE, root_causes=True, message="Yes, from May.")

    await until(lambda: [r for r in connector.sent_to(colleague.conversation_id)
                         if "Good news: your idea is approved" in r.text_seen])
    [stored] = await rows(bot.engine, tables.ideas, tables.ideas.c.reference == reference)
    assert stored["status"] == Status.APPROVED.value
    assert stored["campaign_answers"] == [{"question": FUNDING,
                                           "answer": "None: it saves paper."}]
    overview = await bot.services.campaigns.overview()
    [summary] = [s for s in overview.campaigns if s.campaign.id == campaign.id]
    assert summary.ideas_received == 1
    assert "Ideas received: 1" in await alex.one("campaigns")


def _call_to(connector: StandInConnector, who: Person) -> list:
    return [r for r in connector.delivered if r.conversation_id == who.conversation_id
            and "Share an idea" in r.text_seen and CALL in r.text_seen
            and "replyToId" not in r.body and "/activities/1:" not in r.path]
