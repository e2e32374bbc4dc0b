"""Where the bot can reach a person or a channel later, without waiting for them to speak."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ConversationKind(StrEnum):
    PERSONAL = "personal"
    GROUP_CHAT = "groupChat"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class ConversationAddress:
    """What a proactive message needs: the conversation, the service that hosts it, the tenant.

    `object_id` and `user_id` identify the person in a personal chat (None for a channel).
    """

    conversation_id: str
    kind: ConversationKind
    service_url: str
    tenant_id: str | None
    bot_id: str
    channel_id: str = "msteams"
    object_id: str | None = None
    user_id: str | None = None
    team_id: str | None = None
