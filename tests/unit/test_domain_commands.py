"""parse_command: the bot's small typed vocabulary, and everything else."""

from __future__ import annotations

import pytest

from bot.domain.commands import Command, command_text, parse_command


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("help", Command.HELP),
        ("HELP", Command.HELP),
        ("Help.", Command.HELP),
        ("help!!", Command.HELP),
        ("  help  ", Command.HELP),
        ("?", Command.HELP),
        ("FAQ", Command.HELP),
        ("feedback", Command.FEEDBACK),
        ("Give   Feedback!", Command.FEEDBACK),
        ("give\nfeedback", Command.FEEDBACK),
        ("hi", Command.WELCOME),
        ("Hello!", Command.WELCOME),
        ("hey.", Command.WELCOME),
    ],
)
def test_known_words(typed: str, command: Command) -> None:
    assert parse_command(typed) is command


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("<at>Bot</at> help", Command.HELP),
        ("<at>IIP Bot</at>   feedback", Command.FEEDBACK),
        ("<AT>Improvement Portal</AT> Hi!", Command.WELCOME),
        ("help <at>Bot</at>", Command.HELP),
        ("<at>Bot</at>\nhelp\n", Command.HELP),
    ],
)
def test_mentions_are_ignored(typed: str, command: Command) -> None:
    assert parse_command(typed) is command


def test_a_mention_naming_a_command_is_not_a_command() -> None:
    # The bot may be called "Help": its name must not be read as what the person asked.
    assert parse_command("<at>Help</at> what is this") is Command.UNKNOWN


@pytest.mark.parametrize(
    "typed",
    [None, "", "   ", "<at>Bot</at>", "helpful", "help me please", "I have an idea about shifts",
     "feedbacks", "hi there", "**help**"],
)
def test_anything_else_is_unknown(typed: str | None) -> None:
    assert parse_command(typed) is Command.UNKNOWN


@pytest.mark.parametrize("typed, command", [
    ("new idea", Command.NEW_IDEA),
    ("I have an idea!", Command.NEW_IDEA),
    ("submit", Command.NEW_IDEA),
    ("suggest", Command.NEW_IDEA),
    ("my ideas", Command.MY_IDEAS),
    ("status IIP-2026-0042", Command.STATUS),
    ("withdraw iip-2026-0042", Command.WITHDRAW),
    ("status", Command.STATUS),
    ("my profile", Command.MY_PROFILE),
])
def test_idea_commands(typed: str, command: Command) -> None:
    assert parse_command(typed) is command


def test_status_or_withdraw_without_a_reference_still_asks_for_that() -> None:
    # The person is then shown their ideas to choose from, rather than "not understood".
    assert parse_command("status 42") is Command.STATUS
    assert parse_command("withdraw my shifts idea") is Command.WITHDRAW


def test_find_takes_the_text_after_it_as_typed():
    assert parse_command("find Notebooks") is Command.FIND
    assert parse_command("<at>IIP</at> find 100%") is Command.FIND
    assert parse_command("find") is Command.FIND
    assert parse_command("finding nemo") is Command.UNKNOWN
    assert command_text("Find  Digital NOTEBOOKS ") == "Digital NOTEBOOKS"
    assert command_text("<at>IIP</at> find 100%") == "100%"
    assert command_text("find") == ""
