"""Inbound activities for tests, built from the real Teams payloads in tests/fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TEAMS_ACTIVITIES = Path(__file__).parents[1] / "fixtures" / "teams-activities"

PERSONAL_MESSAGE = "message.personal.msteams-docs.json"
CHANNEL_MENTION = "message.channel-mention.teams-net.json"
MESSAGE_BACK = "message.messageBack-with-value.msteams-docs.repaired.json"
BOT_ADDED_TO_TEAM = "conversationUpdate.membersAdded.bot-added-to-team.msteams-docs.json"
PERSONAL_INSTALL = "conversationUpdate.membersAdded.personal.msteams-docs.json"
CHANNEL_INSTALL = "installationUpdate.add.channel.msteams-docs.repaired.json"
CARD_EXECUTE = "invoke.adaptiveCard-action.personal.teams-net.json"


def fixture_names() -> list[str]:
    return sorted(p.name for p in TEAMS_ACTIVITIES.glob("*.json"))


def teams_payload(name: str) -> dict[str, Any]:
    """A real Teams payload, as copied into tests/fixtures/teams-activities (see SOURCES.md)."""
    return json.loads((TEAMS_ACTIVITIES / name).read_text(encoding="utf-8"))


def personal_message(text: str | None, **changes: Any) -> dict[str, Any]:
    """Megan Bowen's 1:1 message (msteams-docs), saying `text`."""
    activity = teams_payload(PERSONAL_MESSAGE)
    activity["text"] = text
    activity.update(changes)
    return activity


def card_submit(values: dict[str, Any], reply_to: str | None = "1:feedback-form",
                **changes: Any) -> dict[str, Any]:
    """What Teams sends when an Action.Submit is pressed on the card `reply_to` in a 1:1 chat:
    a message with no text, `value` = the button's data merged with the inputs."""
    activity = teams_payload(PERSONAL_MESSAGE)
    del activity["text"]
    activity["value"] = values
    if reply_to is not None:
        activity["replyToId"] = reply_to
    activity.update(changes)
    return activity


def personal_install() -> dict[str, Any]:
    """The personal-install conversationUpdate, with the documentation's placeholder bot id
    ("28:<BOT ID>") made the same as the bot member it adds, as in a real payload."""
    activity = teams_payload(PERSONAL_INSTALL)
    activity["recipient"]["id"] = activity["membersAdded"][0]["id"]
    return activity
