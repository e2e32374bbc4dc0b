"""The one allow-list of what may be answered in a shared conversation, and the deep link."""

from __future__ import annotations

import pytest
from support.cards import typed
from support.privacy import may_answer_in_shared, may_press_in_shared

from bot.channel.privacy import is_shared, private_chat_link
from bot.domain.addresses import ConversationKind
from bot.domain.commands import Command
from bot.domain.requests import parse_typed
from cards.actions import CardAction
from cards.private import next_step_for, private_chat_card
from cards.welcome import channel_welcome_card

APP_ID = "0b6fe6d1-fece-44f7-9a48-56465e2d5ab8"


def test_only_a_1_1_chat_is_private() -> None:
    assert not is_shared(ConversationKind.PERSONAL)
    assert is_shared(ConversationKind.CHANNEL) and is_shared(ConversationKind.GROUP_CHAT)


def test_only_the_welcome_help_and_feedback_are_answered_where_others_read() -> None:
    answered = {c for c in Command if may_answer_in_shared(c)}
    pressed = {a for a in CardAction if may_press_in_shared(a)}

    assert answered == {Command.WELCOME, Command.HELP, Command.FEEDBACK, Command.UNKNOWN}
    assert pressed == {CardAction.SHOW_HELP, CardAction.OPEN_FEEDBACK, CardAction.SEND_FEEDBACK}


@pytest.mark.parametrize("unknown", ["find", "queue.page", "", "help", "ideas.list"])
def test_a_button_not_on_the_list_is_private(unknown: str) -> None:
    assert not may_press_in_shared(unknown)


def test_the_deep_link_opens_the_chat_with_the_bot() -> None:
    assert private_chat_link(APP_ID) == (
        f"https://teams.microsoft.com/l/chat/0/0?users=28:{APP_ID}")
    assert private_chat_link("  ") is None  # an anonymous local run has no app to link to


def test_the_private_card_links_to_the_chat_only_when_there_is_a_link() -> None:
    link = private_chat_link(APP_ID)

    linked = typed(private_chat_card(link).card, "Action.OpenUrl")
    unlinked = typed(private_chat_card(None).card, "Action.OpenUrl")
    introduction = typed(channel_welcome_card(link).card, "Action.OpenUrl")

    assert [a["url"] for a in linked] == [link] == [a["url"] for a in introduction]
    assert unlinked == []


def test_a_staff_search_in_a_channel_is_offered_again_as_the_queue_in_private() -> None:
    assert next_step_for(parse_typed("find notebooks").request).action is CardAction.MY_QUEUE
    assert next_step_for(parse_typed("new idea").request).action is CardAction.NEW_IDEA
