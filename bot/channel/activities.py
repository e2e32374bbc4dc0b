"""Reading Teams activities and writing replies: the SDK's types stop here."""

from __future__ import annotations

from typing import Any

from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity, ActivityTypes, Attachment, ConversationAccount

from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.text import visible
from cards.base import CardMessage

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
UNIVERSAL_ACTION_ERROR = "application/vnd.microsoft.error"
_KINDS = {
    "personal": ConversationKind.PERSONAL,
    "groupChat": ConversationKind.GROUP_CHAT,
    "channel": ConversationKind.CHANNEL,
}


def tenant_of(activity: Activity) -> str | None:
    """The tenant, from channelData (the SDK drops `conversation.tenantId`)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    return tenant.get("id") if isinstance(tenant, dict) else None


def team_of(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team")
    return team.get("id") if isinstance(team, dict) else None


def conversation_of(activity: Activity) -> ConversationAccount:
    """The activity's conversation: every activity let in names one (bot.channel.inbound)."""
    if activity.conversation is None:
        raise ValueError("the activity names no conversation")
    return activity.conversation


def conversation_id_of(activity: Activity) -> str | None:
    """The conversation's id, for log lines."""
    return activity.conversation.id if activity.conversation else None


def object_id_of(activity: Activity) -> str | None:
    """The sender's Entra object id: the only identity the portal trusts."""
    sender = activity.from_property
    oid = getattr(sender, "aad_object_id", None) if sender else None
    return oid.strip().lower() if isinstance(oid, str) and oid.strip() else None


def name_of(activity: Activity) -> str:
    """The sender's display name, as text to show: never an identity."""
    name = getattr(activity.from_property, "name", None)
    return " ".join(visible(name).split()) if isinstance(name, str) else ""


def first_name_of(activity: Activity) -> str | None:
    name = name_of(activity)
    return name.split()[0] if name else None


def address_of(activity: Activity) -> ConversationAddress:
    """Where to reach the conversation this activity came from."""
    conversation = conversation_of(activity)
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    channel = data.get("channel")
    kind = _KINDS.get(conversation.conversation_type or "")
    if kind is None:
        # Older payloads name no conversationType: a channel thread says so in channelData.
        if isinstance(channel, dict) and channel.get("id"):
            kind = ConversationKind.CHANNEL
        elif conversation.is_group:
            kind = ConversationKind.GROUP_CHAT
        else:
            kind = ConversationKind.PERSONAL
    personal = kind is ConversationKind.PERSONAL
    conversation_id = conversation.id
    if kind is ConversationKind.CHANNEL:
        # A channel message's conversation id names the thread; keep the channel itself.
        if isinstance(channel, dict) and channel.get("id"):
            conversation_id = channel["id"]
        conversation_id = conversation_id.split(";messageid=", 1)[0]
    return ConversationAddress(
        conversation_id=conversation_id,
        kind=kind,
        service_url=activity.service_url,
        tenant_id=tenant_of(activity),
        bot_id=activity.recipient.id if activity.recipient else "",
        channel_id=activity.channel_id or "msteams",
        object_id=object_id_of(activity) if personal else None,
        user_id=activity.from_property.id if personal and activity.from_property else None,
        team_id=team_of(activity),
    )


def card_activity(message: CardMessage) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        summary=message.summary,
        attachments=[Attachment(content_type=ADAPTIVE_CARD, content=message.card)],
    )


def invoke_error_activity(status_code: int, code: str, message: str) -> Activity:
    """The answer to a button press (Action.Execute) that could not be carried out: an error
    the card shows, as Universal Actions define it. Teams gets HTTP 200 either way."""
    return Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body={
        "statusCode": status_code, "type": UNIVERSAL_ACTION_ERROR,
        "value": {"code": code, "message": message},
    }))


def card_invoke_body(message: CardMessage) -> dict[str, Any]:
    """The body of an `adaptiveCard/action` invoke response that replaces the card."""
    return {"statusCode": 200, "type": ADAPTIVE_CARD, "value": message.card}


def submitted_values(activity: Activity) -> dict[str, Any] | None:
    """What an Action.Submit sent (its data merged with the inputs), if this is one."""
    value = activity.value
    return value if isinstance(value, dict) else None
