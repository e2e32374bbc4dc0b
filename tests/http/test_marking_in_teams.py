"""The classification marking (IIP_CLASSIFICATION) over HTTP: on a reply to what someone
typed, on the card that answers a button press, on a card the outbox sends to someone else and
on the copy it replaces in place; on none of them when the setting is empty. The outbox keeps
its cards unmarked: the marking is added as they are sent."""

from __future__ import annotations

from typing import Any

import pytest
from support.bot_server import serving, sqlite_only
from support.cards import places_holding, schema_errors
from support.connector import Received, StandInConnector
from support.decisions import say, submit_idea
from support.invokes import cards_to, press, until
from support.organisation import ALEX
from support.tables import rows

from bot.config import Settings
from bot.domain.lifecycle import Move
from storage import tables

MARKING = "OFFICIAL-SENSITIVE"


def assert_marked(card: dict[str, Any]) -> None:
    first, last = card["body"][0], card["body"][-1]
    assert first["type"] == last["type"] == "TextBlock"
    assert first["text"] == last["text"] == MARKING
    assert card["fallbackText"].startswith(f"[{MARKING}] ")


@sqlite_only  # the marking is added as cards leave, whatever the database
@pytest.mark.parametrize("marking", [MARKING, ""], ids=["marked", "unmarked"])
async def test_every_card_sent_carries_the_marking_only_when_one_is_set(
    database_url: str, connector: StandInConnector, clock, marking: str,
):
    settings = Settings(database_url=database_url, classification=marking)
    async with serving(settings, connector.url, clock=clock) as bot:
        replies = await say(bot, connector, ALEX, "my queue")
        idea = await submit_idea(bot.services, "Digital pocket notebooks")
        await until(lambda: cards_to(connector, ALEX, idea.reference, "POST"))
        [sent_to_alex] = cards_to(connector, ALEX, idea.reference, "POST")
        answer = await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="local-policing",
                             message="The Local Policing team will assess it.")
        await until(lambda: cards_to(connector, ALEX, idea.reference, "PUT"))
        [replaced] = cards_to(connector, ALEX, idea.reference, "PUT")
        stored = await rows(bot.engine, tables.outbox)

    activities: list[Received] = [*replies, sent_to_alex, replaced]
    cards = [answer, *(card for activity in activities for card in activity.cards)]
    assert replies and len(cards) == len(activities) + 1
    for card in cards:
        assert schema_errors(card) == []
        if marking:
            assert_marked(card)
        else:
            assert places_holding(card, MARKING) == []
    for activity in activities:
        assert (activity.summary or "").startswith(f"[{MARKING}] ") == bool(marking)
    # What waits in the outbox is unmarked, so a changed setting marks whatever is sent next.
    assert stored and all(places_holding(row["card"], MARKING) == [] for row in stored)
