"""Names come from Teams, so anyone can choose one: a card shows a name as text, never as a
link or formatting, wherever the card would read Markdown."""

from __future__ import annotations

from support.bot_server import BotServer
from support.cards import markdown_formatting
from support.chat import Person, seed_idea
from support.connector import StandInConnector
from support.decisions import card_invoke, press_data, text_of
from support.organisation import ALEX

from bot.domain.lifecycle import Move

# The first word is what the welcome card greets.
PHISHING = "[Re-login](https://evil.example/login)<b>now</b> **Mallory**"
MALLORY = "0e7ad2c8-4b8f-4c4e-9d55-3f3f3f3f3f3f"


async def test_the_welcome_card_shows_a_name_as_text(
    bot: BotServer, connector: StandInConnector,
):
    mallory = Person(bot, connector, object_id=MALLORY, name=PHISHING)

    await mallory.say("hi")

    [welcome] = connector.sent_to(mallory.conversation_id)
    assert "Re-login" in welcome.text_seen
    assert markdown_formatting(welcome.cards[0]) == []


async def test_the_out_of_date_notice_shows_the_contributors_name_as_text(
    bot: BotServer, connector: StandInConnector,
):
    """A business lead presses a card the contributor has overtaken by withdrawing the idea:
    the notice names the contributor."""
    mallory = Person(bot, connector, object_id=MALLORY, name=PHISHING)
    reference = await seed_idea(bot, mallory, "Pocket notebooks")
    idea = await bot.services.ideas.idea_of(MALLORY, reference)
    confirm = await mallory.one(f"withdraw {reference}")
    assert "is withdrawn" in await mallory.one_press(confirm, "Withdraw it")

    response = await bot.post(card_invoke(
        Move.ALLOCATE.value, press_data(idea, Move.ALLOCATE, portfolio="local-policing"), ALEX))

    card = (await response.json())["value"]
    assert "This card was out of date" in text_of(card)
    assert "Re-login" in text_of(card)
    assert markdown_formatting(card) == []


async def test_a_name_loses_its_direction_overrides_and_invisible_characters(
    bot: BotServer, connector: StandInConnector,
):
    mallory = Person(bot, connector, object_id=MALLORY, name="Mal\u202elory\u200b Smith")

    await mallory.say("hi")

    [welcome] = connector.sent_to(mallory.conversation_id)
    assert "Hello Mallory, welcome" in welcome.text_seen
