"""Routing Teams activities to the portal's services, and their results back as cards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, ChannelAccount

from bot.channel.activities import (
    ADAPTIVE_CARD,
    address_of,
    card_activity,
    first_name_of,
    object_id_of,
    submitted_values,
    tenant_of,
)
from bot.domain.addresses import ConversationKind
from bot.domain.commands import Command, parse_command
from bot.domain.errors import AlreadyReceived, InvalidText
from bot.services.conversations import ConversationService
from bot.services.feedback import Author, FeedbackService
from bot.services.organisation import OrganisationService
from cards.actions import CardAction
from cards.base import CardMessage
from cards.feedback import feedback_form_card, feedback_thanks_card
from cards.help import help_card
from cards.notices import no_identity_card, stale_action_card, unknown_text_card
from cards.welcome import channel_welcome_card, welcome_card

log = structlog.get_logger(__name__)

_REMOVED = ("remove", "remove-upgrade")


@dataclass(frozen=True, slots=True)
class Services:
    conversations: ConversationService
    organisation: OrganisationService
    feedback: FeedbackService


class PortalBot(TeamsActivityHandler):
    def __init__(self, services: Services) -> None:
        self._services = services

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        first_contact = False
        if not (activity.type == "installationUpdate" and activity.action in _REMOVED):
            first_contact = await self._services.conversations.remember(address_of(activity))
        turn_context.turn_state["iip.first_contact"] = first_contact
        await super().on_turn(turn_context)

    # Messages: typed commands and Action.Submit buttons

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        values = submitted_values(turn_context.activity)
        if values is not None and "action" in values:
            await self._on_card_submit(turn_context, values)
            return
        command = parse_command(turn_context.activity.text)
        if turn_context.turn_state.get("iip.first_contact") and command is not Command.WELCOME:
            await self._reply(turn_context, welcome_card(first_name_of(turn_context.activity)))
        match command:
            case Command.WELCOME:
                await self._reply(turn_context, welcome_card(first_name_of(turn_context.activity)))
            case Command.HELP:
                await self._reply(turn_context, await self._help())
            case Command.FEEDBACK:
                await self._reply(turn_context, feedback_form_card())
            case Command.UNKNOWN:
                await self._reply(turn_context, unknown_text_card())

    async def _on_card_submit(self, turn_context: TurnContext, values: dict[str, Any]) -> None:
        action = values.get("action")
        match action:
            case CardAction.SHOW_HELP:
                await self._reply(turn_context, await self._help())
            case CardAction.OPEN_FEEDBACK:
                await self._reply(turn_context, feedback_form_card())
            case CardAction.SEND_FEEDBACK:
                await self._send_feedback(turn_context, values)
            case _:
                log.warning("card_action.unknown", action=str(action)[:64],
                            conversation=turn_context.activity.conversation.id)
                await self._reply(turn_context, stale_action_card())

    async def _send_feedback(self, turn_context: TurnContext, values: dict[str, Any]) -> None:
        activity = turn_context.activity
        object_id = object_id_of(activity)
        if object_id is None:
            log.warning("feedback.no_identity", conversation=activity.conversation.id)
            await self._reply(turn_context, no_identity_card())
            return
        author = Author(object_id=object_id, name=activity.from_property.name or "",
                        tenant_id=tenant_of(activity))
        try:
            await self._services.feedback.submit(author, values, activity.reply_to_id)
        except InvalidText as error:
            await self._reply(turn_context, feedback_form_card(values, str(error)))
            return
        except AlreadyReceived:
            pass
        await self._reply(turn_context, feedback_thanks_card())

    async def _help(self) -> CardMessage:
        organisation = await self._services.organisation.current()
        return help_card(organisation.pmo_contact if organisation else "")

    # Installation and membership

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        """When the app is added, welcome through the outbox: a Teams admin installing it for the
        whole force sends thousands of these in minutes, faster than Teams lets a bot reply."""
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if not any(member.id == bot_id for member in members_added):
            return
        address = address_of(activity)
        card = (welcome_card(first_name_of(activity))
                if address.kind is ConversationKind.PERSONAL else channel_welcome_card())
        await self._services.conversations.welcome(address.conversation_id,
                                                   activity.id or "", card)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        await self._services.conversations.removed(
            address_of(activity).conversation_id, actor=object_id_of(activity) or "teams"
        )

    # Universal Actions (Action.Execute)

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        action = invoke_value.action if isinstance(invoke_value.action, dict) else {}
        log.warning("card_verb.unknown", verb=str(action.get("verb"))[:64],
                    conversation=turn_context.activity.conversation.id)
        return AdaptiveCardInvokeResponse(status_code=200, type=ADAPTIVE_CARD,
                                          value=stale_action_card().card)

    @staticmethod
    async def _reply(turn_context: TurnContext, message: CardMessage) -> None:
        await turn_context.send_activity(card_activity(message))

