"""Answering a call for ideas in Teams: the call card's "Share an idea" button pressed (what
Teams sends for an Action.Submit), the call's own questions answered, the idea submitted, and
the PMO's card of it as delivered; and the same button pressed in a team channel."""

from __future__ import annotations

from support.bot_server import BotServer, sqlite_only
from support.campaigns import STAR_QUESTIONS, open_campaign
from support.chat import IDEA, ChannelMember, Person, Reply
from support.connector import Received, StandInConnector
from support.invokes import until
from support.organisation import ALEX, MEGAN
from support.tables import count, rows

from storage import tables

SHARE_AN_IDEA = {"action": "campaign.idea", "campaign": "star-fund"}
FUNDING, LEAD = STAR_QUESTIONS


async def delivered(bot: BotServer, connector: StandInConnector, object_id: str,
                    dedupe_prefix: str) -> Received:
    """The one message queued for `object_id` under `dedupe_prefix`, once the outbox sent it."""
    outbox = tables.outbox.c
    where = (outbox.object_id == object_id, outbox.dedupe_key.startswith(dedupe_prefix))
    await until(lambda: count(bot.engine, tables.outbox, *where, outbox.state == "sent"))
    [row] = await rows(bot.engine, tables.outbox, *where)
    [sent] = [r for r in connector.sent_to(row["sent_conversation_id"])
              if r.cards and r.cards[0] == row["card"]]
    return sent


async def test_share_an_idea_on_a_call_card_submits_an_idea_answering_the_call(
        bot: BotServer, connector: StandInConnector, clock):
    await open_campaign(bot.engine, clock, "STAR fund", questions=STAR_QUESTIONS)
    megan = Person(bot, connector)

    reply = await megan.one_value(SHARE_AN_IDEA)
    assert "Give your idea a short title" in reply and "step 1 of 10" in reply
    for answer in (IDEA["title"], IDEA["problem"], IDEA["proposal"], IDEA["benefit"],
                   "process", "local-policing"):
        reply = await megan.one_press(reply, "Next", answer=answer)
    assert FUNDING in reply and "A question of the call for ideas on STAR fund" in reply
    reply = await megan.one_press(reply, "Next", answer="About £20,000 <b>a year</b>")
    assert LEAD in reply
    reply = await megan.one("The custody inspector")  # typed works too
    assert "About you (optional)" in reply
    reply = await megan.one("skip")
    check = await megan.one_press(reply, "Next", answer="yes")
    assert "Campaign: STAR fund" in check
    assert "About £20,000 <b>a year</b>" in check and "The custody inspector" in check
    receipt = await megan.one_press(check, "Submit idea")

    assert "Thank you: your idea is in" in receipt and "Reference: IIP-2026-0001" in receipt
    [idea] = await rows(bot.engine, tables.ideas)
    assert idea["campaign_key"] == "star-fund"
    assert idea["campaign_answers"] == [
        {"question": FUNDING, "answer": "About £20,000 <b>a year</b>"},
        {"question": LEAD, "answer": "The custody inspector"}]
    staff_card = Reply(await delivered(bot, connector, ALEX, "card:IIP-2026-0001:"))
    for shown in ("Campaign", "STAR fund", FUNDING, "About £20,000 <b>a year</b>", LEAD,
                  "The custody inspector"):
        assert shown in staff_card, shown
    status = await megan.one("my ideas")
    mine = await megan.one_press(status, "Open IIP-2026-0001")
    assert "STAR fund" in mine and "The custody inspector" in mine


@sqlite_only
async def test_share_an_idea_pressed_in_a_channel_carries_on_in_private_answering_the_call(
        bot: BotServer, connector: StandInConnector, clock):
    await open_campaign(bot.engine, clock, "STAR fund", questions=STAR_QUESTIONS)
    in_channel = ChannelMember(bot, connector, object_id=MEGAN, name="Megan Bowen")

    [reply] = await in_channel.send_value(SHARE_AN_IDEA)

    assert "Let's do that in private" in reply
    assert await count(bot.engine, tables.idea_drafts) == 0
    private = Reply(await delivered(bot, connector, MEGAN, "private:"))
    assert private.data("Share an idea") == SHARE_AN_IDEA
    alone = Person(bot, connector, object_id=MEGAN, name="Megan Bowen",
                   tenant_id=in_channel.tenant_id,
                   conversation_id=private.received.conversation_id)
    question = await alone.one_press(private, "Share an idea")
    assert "Give your idea a short title" in question
    [draft] = await rows(bot.engine, tables.idea_drafts)
    assert draft["draft"]["campaign"] == "star-fund"


@sqlite_only
async def test_a_forged_campaign_on_the_button_changes_nothing(
        bot: BotServer, connector: StandInConnector):
    megan = Person(bot, connector)

    for forged in ("STAR FUND", "x" * 5000, ["star-fund"], None):
        reply = await megan.one_value({"action": "campaign.idea", "campaign": forged})
        assert "Give your idea a short title" not in reply

    assert await count(bot.engine, tables.idea_drafts) == 0
