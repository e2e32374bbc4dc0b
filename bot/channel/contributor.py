"""A contributor's own ideas and profile: one answer card per request, no conversation."""

from __future__ import annotations

from bot.domain.errors import DomainError, InvalidText, NotAllowed, NotFound
from bot.domain.ideas import UNDECIDED, IdeaDetail, cannot_withdraw, find_reference
from bot.domain.listing import page_number
from bot.domain.messages import CardMessage
from bot.domain.profile import Profile, parse_profile
from bot.domain.text import clean_text
from bot.services.decisions import DecisionService
from bot.services.ideas import IdeaService
from cards.ideas import (
    answer_sent_card,
    my_ideas_card,
    not_found_card,
    timeline_card,
    withdraw_confirm_card,
    withdrawn_card,
)
from cards.profile import profile_card, profile_saved_card
from dialogs.turn import Turn

REASON_LIMIT = 500


class ContributorRequests:
    """People only ever see their own ideas: someone else's is "not found", like a missing one."""

    def __init__(self, ideas: IdeaService, decisions: DecisionService) -> None:
        self._ideas = ideas
        self._decisions = decisions

    async def my_ideas(self, turn: Turn) -> CardMessage:
        result = await self._ideas.ideas_of(turn.object_id, page_number(turn.values.get("page")))
        return my_ideas_card(result.ideas, result.number, result.pages, result.total)

    async def status(self, turn: Turn) -> CardMessage:
        reference = self._reference(turn)
        if reference is None:
            return await self.my_ideas(turn)
        try:
            return timeline_card(await self._ideas.idea_of(turn.object_id, reference))
        except NotFound as error:
            return not_found_card(str(error))

    async def ask_to_withdraw(self, turn: Turn) -> CardMessage:
        found = await self._withdrawable(turn)
        return found if isinstance(found, CardMessage) else withdraw_confirm_card(found)

    async def withdraw(self, turn: Turn) -> CardMessage:
        idea = await self._withdrawable(turn)
        if isinstance(idea, CardMessage):
            return idea
        given = turn.values.get("reason")
        try:
            reason = clean_text(given, field="reason", label="The reason",
                                limit=REASON_LIMIT, required=False) or None
        except InvalidText as error:
            return withdraw_confirm_card(idea, error=str(error),
                                         reason=given if isinstance(given, str) else None)
        contributor = turn.caller
        try:
            return withdrawn_card(await self._ideas.withdraw(contributor, idea.reference,
                                                             reason))
        except DomainError as error:  # decided or changed since it was read just now
            return not_found_card(str(error))

    async def _withdrawable(self, turn: Turn) -> IdeaDetail | CardMessage:
        """The person's undecided idea the turn names, or the card that says why not (their
        ideas, "not found", or its story with the reason it cannot be withdrawn). Whose idea
        it is comes first: someone else's is "not found" whatever else the turn says."""
        reference = self._reference(turn)
        if reference is None:
            return await self.my_ideas(turn)
        try:
            idea = await self._ideas.idea_of(turn.object_id, reference)
        except NotFound as error:
            return not_found_card(str(error))
        if idea.status not in UNDECIDED:
            return timeline_card(idea, notice=cannot_withdraw(idea.summary))
        return idea

    async def answer(self, turn: Turn) -> CardMessage:
        """The contributor answers a SPOC's question from the question card."""
        reference = self._reference(turn)
        if reference is None:
            return await self.my_ideas(turn)
        try:
            await self._decisions.answer(turn.caller,
                                         reference, turn.values.get("answer"))
        except NotAllowed as refusal:  # decided meanwhile: its story shows what was decided
            return timeline_card(await self._ideas.idea_of(turn.object_id, reference),
                                 notice=str(refusal))
        except DomainError as error:
            return not_found_card(str(error))
        return answer_sent_card(reference)

    async def profile(self, turn: Turn) -> CardMessage:
        choices = await self._ideas.choices()
        departments = [(o.key, o.name) for o in choices.portfolios]
        return profile_card(departments, await self._ideas.profile(turn.object_id),
                            within_idea=False)

    async def save_profile(self, turn: Turn, *, skip: bool) -> CardMessage:
        choices = await self._ideas.choices()
        try:
            profile = Profile() if skip else parse_profile(
                turn.values, [o.key for o in choices.portfolios])
        except InvalidText as error:
            return profile_card([(o.key, o.name) for o in choices.portfolios],
                                within_idea=False, error=str(error))
        await self._ideas.save_profile(turn.object_id, profile)
        return profile_saved_card()

    @staticmethod
    def _reference(turn: Turn) -> str | None:
        given = turn.values.get("reference")
        return find_reference(given if isinstance(given, str) else turn.text)
