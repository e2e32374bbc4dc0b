"""What anyone may ask, anywhere: the welcome, help, the feedback form, and unknown text."""

from __future__ import annotations

from functools import lru_cache

from bot.domain.campaigns import Campaign
from bot.domain.errors import AlreadyReceived, InvalidText
from bot.domain.messages import CardMessage
from bot.domain.requests import OpenFeedback, SendFeedback, ShowHelp, ShowWelcome, Unknown
from bot.presenters.asking import Asking
from bot.services.feedback import FeedbackService
from bot.services.greeting import GreetingService
from cards.feedback import feedback_form_card, feedback_thanks_card
from cards.help import help_card
from cards.notices import unknown_text_card
from cards.welcome import channel_welcome_card, welcome_card


class FrontDesk:
    """`private_chat_link` opens a person's 1:1 chat with the bot (None: no app id to link)."""

    def __init__(self, greeting: GreetingService, feedback: FeedbackService,
                 private_chat_link: str | None) -> None:
        self._greeting = greeting
        self._feedback = feedback
        self._private_chat_link = private_chat_link

    async def welcome(self, _request: ShowWelcome, asking: Asking) -> CardMessage:
        """The welcome, with buttons by the person's role and the calls for ideas open now;
        in a shared conversation, the introduction, which says how to start in private."""
        if asking.shared:
            return channel_welcome_card(self._private_chat_link)
        greeting = await self._greeting.read()
        roles = greeting.roles_of(asking.object_id)
        return welcome_card(asking.first_name, staff=roles.is_staff, pmo=roles.pmo,
                            campaigns=greeting.open_calls)

    async def help(self, _request: ShowHelp, asking: Asking) -> CardMessage:
        """Help, with the buttons to start: by role in a 1:1 chat, everyone's in a shared one
        (where a role's buttons would tell the others who holds it); and the calls for ideas
        open now, the same for everyone."""
        greeting = await self._greeting.read()
        organisation, calls = greeting.organisation, greeting.open_calls
        contact = organisation.pmo_contact if organisation else ""
        if asking.shared or organisation is None:
            return _help_card(contact, False, False, calls)
        roles = organisation.roles_of(asking.object_id)
        return _help_card(contact, roles.is_staff, roles.pmo, calls)

    async def feedback_form(self, _request: OpenFeedback, _asking: Asking) -> CardMessage:
        return feedback_form_card()

    async def send_feedback(self, request: SendFeedback, asking: Asking) -> CardMessage:
        """Thanks once the feedback is stored (or was already); the form again, with the
        person's answers, when one needs changing."""
        try:
            await self._feedback.submit(asking.person, request.form, asking.card_id)
        except InvalidText as error:
            return feedback_form_card(request.form, str(error))
        except AlreadyReceived:
            pass
        return feedback_thanks_card()

    async def unknown(self, _request: Unknown, _asking: Asking) -> CardMessage:
        return unknown_text_card()


@lru_cache(maxsize=16)
def _help_card(pmo_contact: str, staff: bool, pmo: bool,
               campaigns: tuple[Campaign, ...]) -> CardMessage:
    """The help card depends only on the PMO contact, the role's buttons and the calls open
    now (a tuple, part of the key: a call opening or closing is a new card, never a stale
    one), so it is built once for each rather than on every turn (what is sent is the SDK's
    deep copy of it, so this one never changes)."""
    return help_card(pmo_contact, staff=staff, pmo=pmo, campaigns=campaigns)
