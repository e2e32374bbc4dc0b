"""The buttons of a campaign's call, pressed in Teams: "Stop campaign calls" stops them for
the person pressing it (audited once), and a forged campaign button changes nothing."""

from __future__ import annotations

from support.bot_server import BotServer
from support.cards import typed
from support.chat import MEGAN_ID, Person
from support.connector import StandInConnector
from support.tables import count, rows

from cards.campaign_call import call_card
from cards.gallery import SAMPLE_CAMPAIGN
from storage import tables


def button(title: str) -> dict:
    [action] = [a for a in typed(call_card(SAMPLE_CAMPAIGN).card, "Action.Submit")
                if a["title"] == title]
    return action["data"]


async def test_stop_campaign_calls_stops_them_for_the_person_who_pressed_it(
    bot: BotServer, connector: StandInConnector,
):
    megan = Person(bot, connector)

    first = await megan.one_value(button("Stop campaign calls"))
    again = await megan.one_value(button("Stop campaign calls"))

    assert "Done: you will get no more campaign calls." in first
    assert "decisions about them, still reach you" in first.text
    assert "You had already stopped campaign calls" in again
    [opted_out] = await rows(bot.engine, tables.campaign_opt_outs)
    assert opted_out["object_id"] == MEGAN_ID
    audited = await rows(bot.engine, tables.audit_log,
                         tables.audit_log.c.action == "campaign.opted_out")
    assert [(a["actor"], a["subject"]) for a in audited] == [(MEGAN_ID, f"person:{MEGAN_ID}")]


async def test_a_forged_campaign_button_changes_nothing(
    bot: BotServer, connector: StandInConnector,
):
    megan = Person(bot, connector)

    reply = await megan.one_value({"action": "campaign.idea", "campaign": "<b>x</b>" * 50})

    assert "Nothing was changed" in reply  # as for any button no card offers
    assert await count(bot.engine, tables.idea_drafts) == 0
    assert await count(bot.engine, tables.campaign_opt_outs) == 0
