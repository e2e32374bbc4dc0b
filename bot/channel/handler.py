"""Routing Teams activities to the portal's services, and their results back as cards."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import structlog
from botbuilder.core import BotState, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.dialogs import DialogSet
from botbuilder.schema import AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, ChannelAccount

from bot.channel.activities import (
    ADAPTIVE_CARD,
    address_of,
    card_activity,
    conversation_id_of,
    first_name_of,
    name_of,
    object_id_of,
    submitted_values,
    tenant_of,
)
from bot.channel.contributor import ContributorRequests
from bot.channel.privacy import (
    is_shared,
    may_answer_in_shared,
    may_press_in_shared,
    private_chat_link,
)
from bot.channel.staff import PAGE_VERBS, StaffRequests
from bot.domain.addresses import ConversationAddress
from bot.domain.commands import Command, normalise, parse_command
from bot.domain.errors import AlreadyReceived, InvalidText
from bot.domain.identity import Caller
from bot.domain.lifecycle import Move
from bot.services.conversations import ConversationService
from bot.services.decisions import DecisionService
from bot.services.feedback import FeedbackService
from bot.services.ideas import IdeaService
from bot.services.organisation import OrganisationService
from bot.services.staff_desk import StaffDesk
from cards.actions import CardAction
from cards.base import CardMessage
from cards.decisions import REFRESH_VERB
from cards.feedback import feedback_form_card, feedback_thanks_card
from cards.help import help_card
from cards.notices import no_identity_card, stale_action_card, unknown_text_card
from cards.private import carry_on_here_card, next_step_for, private_chat_card
from cards.welcome import channel_welcome_card, welcome_card
from dialogs.intake import TYPED_ACTIONS, IntakeDialog, IntakeFlow
from dialogs.turn import TURN_KEY, Turn

log = structlog.get_logger(__name__)

# Where on_turn leaves the address of the conversation the activity came from.
ADDRESS_KEY = "iip.address"

_REMOVED = ("remove", "remove-upgrade")
# Buttons of the submission conversation: they go to the intake dialog.
INTAKE_ACTIONS = frozenset({
    CardAction.ANSWER, CardAction.BACK, CardAction.CANCEL, CardAction.EDIT,
    CardAction.SUBMIT_IDEA, CardAction.RESUME_DRAFT, CardAction.RESTART_DRAFT,
})
PROFILE_ACTIONS = frozenset({CardAction.SAVE_PROFILE, CardAction.SKIP_PROFILE})
# Buttons that need no identity (feedback explains for itself why it cannot be stored).
IDENTITY_FREE_ACTIONS = frozenset({CardAction.SHOW_HELP, CardAction.OPEN_FEEDBACK,
                                   CardAction.SEND_FEEDBACK})


@dataclass(frozen=True, slots=True)
class Services:
    conversations: ConversationService
    organisation: OrganisationService
    feedback: FeedbackService
    ideas: IdeaService
    decisions: DecisionService
    staff: StaffDesk


class PortalBot(TeamsActivityHandler):
    """`dialog_state` keeps where each person is in a dialog: per person and conversation
    (botbuilder's PrivateConversationState), so that nobody's answer continues another's."""

    def __init__(self, services: Services, dialog_state: BotState, app_id: str = "") -> None:
        self._services = services
        self._dialog_state = dialog_state
        self._dialogs = DialogSet(dialog_state.create_property("dialogs"))
        self._dialogs.add(IntakeDialog(IntakeFlow(services.ideas), self._reply))
        self._contributor = ContributorRequests(services.ideas, services.decisions)
        self._staff = StaffRequests(services.staff, self._contributor)
        self._private_chat_link = private_chat_link(app_id)

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        first_contact = False
        address = address_of(activity)
        turn_context.turn_state[ADDRESS_KEY] = address
        if not (activity.type == "installationUpdate" and activity.action in _REMOVED):
            first_contact = await self._services.conversations.remember(address)
        turn_context.turn_state["iip.first_contact"] = first_contact
        await super().on_turn(turn_context)
        try:
            await self._dialog_state.save_changes(turn_context)
        except KeyError:
            # Another turn of this conversation (a double tap) saved its dialog state since this
            # one read it: the storage refuses a stale write, as botbuilder's storages do. The
            # other turn's state stands; what matters (the draft) is in the database already.
            log.warning("conversation_state.conflict",
                        conversation=conversation_id_of(turn_context.activity))

    # Messages: typed commands and Action.Submit buttons

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        values = submitted_values(activity)
        turn = _turn_of(turn_context, values or {})
        if values is not None and "action" in values:
            await self._on_card_submit(turn_context, turn, values)
            return
        command = parse_command(activity.text)
        if turn_context.turn_state.get("iip.first_contact") and command is not Command.WELCOME:
            await self._reply(turn_context, await self._welcome(turn_context))
        shared = _is_shared(turn_context)
        if shared and not may_answer_in_shared(command):
            await self._to_private(turn_context, turn, command)
            return
        # Only a turn that may continue or start the intake needs the person's dialog state
        # (one database read, and a write when it changes): help and the like do without it.
        # A shared conversation never holds a submission; `find …` may continue one, as an
        # answer in the submission may well begin with "find".
        if turn is not None and not shared and (
                command in (Command.UNKNOWN, Command.FIND)
                or normalise(activity.text) in TYPED_ACTIONS):
            dialog = await self._dialogs.create_context(turn_context)
            if dialog.active_dialog is not None:
                await dialog.continue_dialog()
                return
        match command:
            case Command.WELCOME:
                await self._reply(turn_context, await self._welcome(turn_context))
            case Command.HELP:
                await self._reply(turn_context, await self._help(turn_context))
            case Command.FEEDBACK:
                await self._reply(turn_context, feedback_form_card())
            case Command.UNKNOWN:
                await self._reply(turn_context, unknown_text_card())
            case _ if turn is None:
                await self._reply(turn_context, no_identity_card())
            case Command.NEW_IDEA:
                dialog = await self._dialogs.create_context(turn_context)
                await dialog.cancel_all_dialogs()
                await dialog.begin_dialog(IntakeDialog.ID)
            case Command.MY_IDEAS:
                await self._reply(turn_context, await self._contributor.my_ideas(turn))
            case Command.STATUS:
                await self._reply(turn_context, await self._staff.status(turn))
            case Command.WITHDRAW:
                await self._reply(turn_context, await self._contributor.ask_to_withdraw(turn))
            case Command.MY_PROFILE:
                await self._reply(turn_context, await self._contributor.profile(turn))
            case Command.MY_QUEUE:
                await self._reply(turn_context, await self._staff.queue(turn))
            case Command.TRIAGE:
                await self._reply(turn_context, await self._staff.triage(turn))
            case Command.FIND:
                await self._reply(turn_context, await self._staff.find(turn))

    async def _on_card_submit(self, turn_context: TurnContext, turn: Turn | None,
                              values: dict[str, Any]) -> None:
        action = values.get("action")
        if not isinstance(action, str):
            action = repr(action)  # forged or broken data: answered as an unknown button below
        if action in IDENTITY_FREE_ACTIONS:
            await self._answer_anyone(turn_context, action, values)
            return
        if turn is None:
            log.warning("card_action.no_identity", action=str(action)[:64])
            await self._reply(turn_context, no_identity_card())
            return
        if _is_shared(turn_context) and not may_press_in_shared(action):
            await self._to_private(turn_context, turn, action)
            return
        if action in INTAKE_ACTIONS or (action in PROFILE_ACTIONS and values.get("within_idea")):
            dialog = await self._dialogs.create_context(turn_context)
            if dialog.active_dialog is not None:
                await dialog.continue_dialog()
            else:
                await dialog.begin_dialog(IntakeDialog.ID, {"continue": True})
            return
        match action:
            case CardAction.NEW_IDEA:
                dialog = await self._dialogs.create_context(turn_context)
                await dialog.cancel_all_dialogs()
                await dialog.begin_dialog(IntakeDialog.ID)
            case CardAction.MY_IDEAS:
                await self._reply(turn_context, await self._contributor.my_ideas(turn))
            case CardAction.IDEA_STATUS:
                await self._reply(turn_context, await self._contributor.status(turn))
            case CardAction.WITHDRAW:
                await self._reply(turn_context, await self._contributor.ask_to_withdraw(turn))
            case CardAction.CONFIRM_WITHDRAW:
                await self._reply(turn_context, await self._contributor.withdraw(turn))
            case CardAction.ANSWER_QUESTION:
                await self._reply(turn_context, await self._contributor.answer(turn))
            case CardAction.OPEN_IDEA:
                await self._reply(turn_context, await self._staff.open(turn))
            case CardAction.MY_QUEUE:
                await self._reply(turn_context, await self._staff.queue(turn))
            case CardAction.TRIAGE:
                await self._reply(turn_context, await self._staff.triage(turn))
            case CardAction.MY_PROFILE:
                await self._reply(turn_context, await self._contributor.profile(turn))
            case CardAction.SAVE_PROFILE | CardAction.SKIP_PROFILE:
                await self._reply(turn_context, await self._contributor.save_profile(
                    turn, skip=action == CardAction.SKIP_PROFILE))
            case _:
                log.warning("card_action.unknown", action=str(action)[:64],
                            conversation=conversation_id_of(turn_context.activity))
                await self._reply(turn_context, stale_action_card())

    async def _answer_anyone(self, turn_context: TurnContext, action: str,
                             values: dict[str, Any]) -> None:
        """Help and the feedback form's buttons: answered without an identity, and anywhere
        (each is also a shared conversation's button)."""
        match action:
            case CardAction.SHOW_HELP:
                await self._reply(turn_context, await self._help(turn_context))
            case CardAction.OPEN_FEEDBACK:
                await self._reply(turn_context, feedback_form_card())
            case CardAction.SEND_FEEDBACK:
                await self._send_feedback(turn_context, values)

    async def _send_feedback(self, turn_context: TurnContext, values: dict[str, Any]) -> None:
        activity = turn_context.activity
        object_id = object_id_of(activity)
        if object_id is None:
            log.warning("feedback.no_identity", conversation=conversation_id_of(activity))
            await self._reply(turn_context, no_identity_card())
            return
        author = Caller(object_id=object_id, name=name_of(activity),
                        tenant_id=tenant_of(activity))
        try:
            await self._services.feedback.submit(author, values, activity.reply_to_id)
        except InvalidText as error:
            await self._reply(turn_context, feedback_form_card(values, str(error)))
            return
        except AlreadyReceived:
            pass
        await self._reply(turn_context, feedback_thanks_card())

    async def _help(self, turn_context: TurnContext) -> CardMessage:
        """Help, with the buttons to start: by role in a 1:1 chat, everyone's in a shared one
        (where a role's buttons would tell the others who holds it)."""
        organisation = await self._services.organisation.current()
        contact = organisation.pmo_contact if organisation else ""
        if _is_shared(turn_context) or organisation is None:
            return _help_card(contact, False, False)
        roles = organisation.roles_of(object_id_of(turn_context.activity))
        return _help_card(contact, roles.is_staff, roles.pmo)

    async def _welcome(self, turn_context: TurnContext) -> CardMessage:
        """The welcome, with buttons by the person's role; in a shared conversation, the
        introduction, which says how to start in private."""
        if _is_shared(turn_context):
            return channel_welcome_card(self._private_chat_link)
        activity = turn_context.activity
        roles = await self._services.organisation.roles_of(object_id_of(activity))
        return welcome_card(first_name_of(activity), staff=roles.is_staff, pmo=roles.pmo)

    async def _to_private(self, turn_context: TurnContext, turn: Turn | None,
                          request: str) -> None:
        """Something personal asked for in a shared conversation: one short card there that
        says nothing about the person, and the next step sent to their 1:1 chat."""
        address = _address_in(turn_context)
        log.info("shared_conversation.moved_to_private", request=str(request)[:64],
                 conversation=address.conversation_id)
        if turn is not None:
            step = next_step_for(request)
            await self._services.conversations.move_to_private(
                turn.object_id, turn.tenant_id, address.conversation_id, step.key,
                carry_on_here_card(step))
        await self._reply(turn_context, private_chat_card(self._private_chat_link,
                                                          messaged=turn is not None))

    # Installation and membership

    async def on_teams_members_added_dispatch(self, members_added: list[ChannelAccount],
                                              team_info: Any, turn_context: TurnContext) -> None:
        """Skip the SDK's look-up of every added person (one Bot Connector GET each, on the
        turn, whose failure fails the turn and loses the welcome): only ids are needed here."""
        await self.on_members_added_activity(members_added, turn_context)

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        """When the app is added, welcome through the outbox: a Teams admin installing it for the
        whole force sends thousands of these in minutes, faster than Teams lets a bot reply."""
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if not any(member.id == bot_id for member in members_added):
            return
        address = _address_in(turn_context)
        card = await self._welcome(turn_context)
        await self._services.conversations.welcome(address.conversation_id,
                                                   activity.id or "", card)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        await self._services.conversations.removed(
            address_of(activity).conversation_id, actor=object_id_of(activity) or "teams"
        )

    # Universal Actions (Action.Execute)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """A malformed Universal Action is answered by the SDK with its HTTP 400 error; one log
        line says so. Any other invoke is acknowledged and ignored."""
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            # No other invoke is offered (no message extensions, task modules or sign-in); the
            # SDK would answer 501, or fail the turn on a value of the wrong shape.
            log.warning("invoke.unsupported", name=str(activity.name)[:64],
                        conversation=conversation_id_of(activity))
            return InvokeResponse(status=200)
        value = activity.value
        action = value.get("action") if isinstance(value, dict) else None
        if not isinstance(action, dict) or action.get("type") != "Action.Execute":
            log.warning("card_verb.refused", reason="malformed invoke value",
                        conversation=conversation_id_of(activity))
        if isinstance(value, dict) and action is not None and not isinstance(action, dict):
            # The SDK reads the action with action.get(...): one that is not an object
            # would fail the turn (HTTP 501). Without one, it answers "Missing action".
            activity.value = {**value, "action": None}
        return await super().on_invoke_activity(turn_context)

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        """Decision buttons (Action.Execute) and card refreshes: the answer replaces the card.

        The actor is whoever Teams says pressed; the card's data only names the idea, its
        version and the move, and every one of those is checked."""
        activity = turn_context.activity
        action: dict[str, Any] = (invoke_value.action if isinstance(invoke_value.action, dict)
                                  else {})
        verb = action.get("verb")
        sent = action.get("data")
        data: dict[str, Any] = sent if isinstance(sent, dict) else {}
        object_id = object_id_of(activity)
        if object_id is None or not isinstance(verb, str) or not verb:
            log.warning("card_verb.refused", verb=str(verb)[:64],
                        reason="no identity" if object_id is None else "no verb",
                        conversation=conversation_id_of(activity))
            return _card_answer(no_identity_card() if object_id is None
                                else stale_action_card())
        if _is_shared(turn_context):
            # Staff cards live in 1:1 chats: from a shared conversation, nothing is opened or
            # decided, and what comes back holds nothing of anyone's.
            log.warning("card_verb.shared_conversation", verb=verb[:64],
                        conversation=conversation_id_of(activity))
            return _card_answer(private_chat_card(self._private_chat_link, messaged=False))
        decisions = self._services.decisions
        if verb == REFRESH_VERB:
            return _card_answer(await decisions.card_for(object_id, data.get("idea")))
        if verb in PAGE_VERBS:
            return _card_answer(await self._staff.page(object_id, verb, data))
        if verb not in set(Move):
            log.warning("card_verb.unknown", verb=verb[:64],
                        conversation=conversation_id_of(activity))
            return _card_answer(stale_action_card())
        actor = Caller(object_id, name_of(activity), tenant_of(activity))
        return _card_answer(await decisions.decide(actor, data.get("idea"), data.get("version"),
                                                   verb, data))

    @staticmethod
    def _create_invoke_response(body: object = None) -> InvokeResponse:
        """A card answer is plain JSON already: the SDK's msrest serialiser would walk every
        key of the card again (a tenth of a decision's time), so it is passed as it is."""
        if isinstance(body, AdaptiveCardInvokeResponse) and isinstance(body.value, dict):
            return InvokeResponse(status=200, body={
                "statusCode": body.status_code, "type": body.type, "value": body.value,
            })
        return TeamsActivityHandler._create_invoke_response(body)

    @staticmethod
    async def _reply(turn_context: TurnContext, message: CardMessage) -> None:
        await turn_context.send_activity(card_activity(message))


@lru_cache(maxsize=16)
def _help_card(pmo_contact: str, staff: bool, pmo: bool) -> CardMessage:
    """The help card depends only on the PMO contact and the role's buttons, so it is built
    once for each rather than on every turn (what is sent is the SDK's deep copy of it, so
    this one never changes)."""
    return help_card(pmo_contact, staff=staff, pmo=pmo)


def _is_shared(turn_context: TurnContext) -> bool:
    """Whether this turn's conversation is a team channel or a group chat."""
    return is_shared(_address_in(turn_context).kind)


def _address_in(turn_context: TurnContext) -> ConversationAddress:
    """Where this turn came from, kept in the SDK's turn state by on_turn."""
    address = turn_context.turn_state[ADDRESS_KEY]
    if not isinstance(address, ConversationAddress):
        raise TypeError(f"{ADDRESS_KEY} holds {type(address).__name__}, not an address")
    return address


def _card_answer(message: CardMessage) -> AdaptiveCardInvokeResponse:
    return AdaptiveCardInvokeResponse(status_code=200, type=ADAPTIVE_CARD, value=message.card)


def _turn_of(turn_context: TurnContext, values: dict[str, Any]) -> Turn | None:
    """This turn as plain values for the dialogs; None when the sender has no Entra identity."""
    activity = turn_context.activity
    object_id = object_id_of(activity)
    if object_id is None:
        return None
    turn = Turn(object_id=object_id, name=name_of(activity),
                tenant_id=tenant_of(activity), text=activity.text, values=values)
    turn_context.turn_state[TURN_KEY] = turn
    return turn
