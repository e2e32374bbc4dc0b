"""The SDK edge: a Teams activity in, a typed request, its route, a card out.

Typed words are parsed by bot.domain.requests, a card's data by cards.requests; the route
table (bot.presenters.routes) says who answers each request; the rules every request carries
(answered in a shared conversation? needs an identity?) are applied here once, for all.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
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
from bot.channel.inbound import CARD_ACTION
from bot.channel.privacy import is_shared
from bot.domain.addresses import ConversationAddress
from bot.domain.errors import Malformed
from bot.domain.identity import Caller
from bot.domain.messages import messages_of
from bot.domain.requests import ContinueIntake, NewIdea, Request, ShowWelcome, parse_typed
from bot.logs import loggable_name
from bot.presenters.asking import Asking
from bot.presenters.routes import Presenters
from bot.services.bundle import Services
from cards.base import CardMessage
from cards.notices import no_identity_card, stale_action_card
from cards.private import carry_on_here_card, next_step_for, private_chat_card
from cards.requests import parse_card, parse_execute
from dialogs.intake import IntakeDialog
from dialogs.turn import IntakeTurn, hand_over

log = structlog.get_logger(__name__)

_REMOVED = ("remove", "remove-upgrade")
# The one entry this module keeps in the SDK's turn state: this turn's ThisTurn.
_THIS_TURN = "iip.this_turn"


@dataclass(frozen=True, slots=True)
class ThisTurn:
    """What on_turn learns once from the activity: where it came from, whether that
    conversation is new to the bot, and who asks."""

    address: ConversationAddress
    first_contact: bool
    asking: Asking


class PortalBot(TeamsActivityHandler):
    """`dialog_state` keeps where each person is in a dialog: per person and conversation
    (botbuilder's PrivateConversationState), so that nobody's answer continues another's."""

    def __init__(self, services: Services, presenters: Presenters, dialog_state: BotState,
                 private_chat_link: str | None = None) -> None:
        self._services = services
        self._dialog_state = dialog_state
        self._dialogs = DialogSet(dialog_state.create_property("dialogs"))
        self._dialogs.add(IntakeDialog(presenters.intake, self._reply))
        self._front = presenters.front
        self._routes = presenters.routes
        self._private_chat_link = private_chat_link

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        first_contact = False
        address = address_of(activity)
        if not (activity.type == "installationUpdate" and activity.action in _REMOVED):
            first_contact = await self._services.conversations.remember(address)
        object_id = object_id_of(activity)
        caller = (Caller(object_id, name_of(activity), tenant_of(activity))
                  if object_id is not None else None)
        _keep(turn_context.turn_state, ThisTurn(
            address, first_contact,
            Asking(caller, first_name_of(activity), is_shared(address.kind),
                   activity.reply_to_id)))
        await super().on_turn(turn_context)
        try:
            await self._dialog_state.save_changes(turn_context)
        except KeyError:
            # Another turn of this conversation (a double tap) saved its dialog state since this
            # one read it: the storage refuses a stale write, as botbuilder's storages do. The
            # other turn's state stands; what matters (the draft) is in the database already.
            log.warning("conversation_state.conflict",
                        conversation=conversation_id_of(turn_context.activity))

    # Messages: typed words and Action.Submit buttons

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        this = _this_turn(turn_context)
        values = submitted_values(activity)
        if values is not None and "action" in values:
            await self._on_card_submit(turn_context, this, values)
            return
        typed = parse_typed(activity.text)
        request = typed.request
        if this.first_contact and not isinstance(request, ShowWelcome):
            await self._answer(turn_context, this, ShowWelcome())
        shared = this.asking.shared
        if shared and not request.answered_in_shared:
            await self._to_private(turn_context, this, request)
            return
        # Only a turn that may continue the intake needs the person's dialog state (one
        # database read, and a write when it changes): help and the like do without it. A
        # shared conversation never holds a submission.
        caller = this.asking.caller
        if typed.continues is not None and caller is not None and not shared:
            dialog = await self._dialogs.create_context(turn_context)
            if dialog.active_dialog is not None:
                hand_over(turn_context.turn_state, IntakeTurn(caller, typed.continues))
                await dialog.continue_dialog()
                return
        await self._answer(turn_context, this, request)

    async def _on_card_submit(self, turn_context: TurnContext, this: ThisTurn,
                              values: dict[str, Any]) -> None:
        activity = turn_context.activity
        caller = this.asking.caller
        try:
            request = parse_card(values, activity.text)
        except Malformed:
            if caller is None:
                await self._no_identity(turn_context, values.get("action"))
                return
            log.warning("card_action.unknown", action=loggable_name(values.get("action")),
                        conversation=conversation_id_of(activity))
            await self._reply(turn_context, stale_action_card())
            return
        if request.needs_identity and caller is None:
            await self._no_identity(turn_context, values.get("action"))
            return
        if this.asking.shared and not request.answered_in_shared:
            await self._to_private(turn_context, this, request)
            return
        await self._answer(turn_context, this, request)

    async def _answer(self, turn_context: TurnContext, this: ThisTurn,
                      request: Request) -> None:
        """Route the request: its presenter's card as the reply, or the submission dialog."""
        caller = this.asking.caller
        if request.needs_identity and caller is None:
            await self._reply(turn_context, no_identity_card())
            return
        route = self._routes[type(request)]
        if route.answer is not None:
            for message in messages_of(await route.answer(request, this.asking)):
                await self._reply(turn_context, message)
            return
        if caller is None or not isinstance(request, (NewIdea, ContinueIntake)):
            raise LookupError(f"no presenter and no submission for {type(request).__name__}")
        hand_over(turn_context.turn_state, IntakeTurn(caller, request))
        dialog = await self._dialogs.create_context(turn_context)
        if isinstance(request, NewIdea):
            await dialog.cancel_all_dialogs()
            await dialog.begin_dialog(IntakeDialog.ID)
        elif dialog.active_dialog is not None:
            await dialog.continue_dialog()
        else:
            await dialog.begin_dialog(IntakeDialog.ID)

    async def _no_identity(self, turn_context: TurnContext, action: object) -> None:
        log.warning("card_action.no_identity", action=loggable_name(action))
        await self._reply(turn_context, no_identity_card())

    async def _to_private(self, turn_context: TurnContext, this: ThisTurn,
                          request: Request) -> None:
        """Something personal asked for in a shared conversation: one short card there that
        says nothing about the person, and the next step sent to their 1:1 chat."""
        conversation_id = this.address.conversation_id
        log.info("shared_conversation.moved_to_private", request=type(request).__name__,
                 conversation=conversation_id)
        caller = this.asking.caller
        if caller is not None:
            step = next_step_for(request)
            await self._services.conversations.move_to_private(
                caller.object_id, caller.tenant_id, conversation_id, step.key,
                carry_on_here_card(step))
        await self._reply(turn_context, private_chat_card(self._private_chat_link,
                                                          messaged=caller is not None))

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
        this = _this_turn(turn_context)
        card = await self._front.welcome(ShowWelcome(), this.asking)
        await self._services.conversations.welcome(this.address.conversation_id,
                                                   activity.id or "", card)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        await self._services.conversations.removed(
            address_of(activity).conversation_id, actor=object_id_of(activity) or "teams"
        )

    # Universal Actions (Action.Execute)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """A Universal Action goes to on_adaptive_card_invoke (a malformed one never gets
        here: see inbound.card_action_problem). Any other invoke is acknowledged and
        ignored."""
        activity = turn_context.activity
        if activity.name != CARD_ACTION:
            # No other invoke is offered (no message extensions, task modules or sign-in); the
            # SDK would answer 501, or fail the turn on a value of the wrong shape.
            log.warning("invoke.unsupported", name=loggable_name(activity.name),
                        conversation=conversation_id_of(activity))
            return InvokeResponse(status=200)
        return await super().on_invoke_activity(turn_context)

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        """Decision buttons (Action.Execute), card refreshes and list pages: the answer
        replaces the card.

        The actor is whoever Teams says pressed; the card's data only names the idea, its
        version and the move, and every one of those is checked."""
        activity = turn_context.activity
        this = _this_turn(turn_context)
        action: dict[str, Any] = (invoke_value.action if isinstance(invoke_value.action, dict)
                                  else {})
        verb = action.get("verb")
        sent = action.get("data")
        data: dict[str, Any] = sent if isinstance(sent, dict) else {}
        caller = this.asking.caller
        if caller is None or not isinstance(verb, str) or not verb:
            log.warning("card_verb.refused", verb=loggable_name(verb),
                        reason="no identity" if caller is None else "no verb",
                        conversation=conversation_id_of(activity))
            return _card_answer(no_identity_card() if caller is None
                                else stale_action_card())
        try:
            request = parse_execute(verb, data)
        except Malformed as problem:  # a move's button with data no card sends
            request, malformed = None, problem
        else:
            malformed = None
        if this.asking.shared and (request is None or not request.answered_in_shared):
            # Staff cards live in 1:1 chats: from a shared conversation, nothing is opened or
            # decided, and what comes back holds nothing of anyone's. (A campaign's call,
            # the same for everyone, is redrawn there.)
            log.warning("card_verb.shared_conversation", verb=loggable_name(verb),
                        conversation=conversation_id_of(activity))
            return _card_answer(private_chat_card(self._private_chat_link, messaged=False))
        if malformed is not None:
            return _card_answer(self._services.decisions.malformed(caller, verb, malformed))
        route = self._routes[type(request)] if request is not None else None
        if route is None or route.answer is None:
            log.warning("card_verb.unknown", verb=loggable_name(verb),
                        conversation=conversation_id_of(activity))
            return _card_answer(stale_action_card())
        # An invoke's answer replaces the one card pressed: the last of a reply's cards.
        return _card_answer(messages_of(await route.answer(request, this.asking))[-1])

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



def _keep(turn_state: MutableMapping[str, object], this: ThisTurn) -> None:
    turn_state[_THIS_TURN] = this


def _this_turn(turn_context: TurnContext) -> ThisTurn:
    """This turn's ThisTurn, kept in the SDK's turn state by on_turn."""
    this = turn_context.turn_state.get(_THIS_TURN)
    if not isinstance(this, ThisTurn):
        raise LookupError("on_turn kept no ThisTurn for this turn")
    return this


def _card_answer(message: CardMessage) -> AdaptiveCardInvokeResponse:
    return AdaptiveCardInvokeResponse(status_code=200, type=ADAPTIVE_CARD, value=message.card)
