"""A contributor's own ideas and profile: one answer card per request, no conversation."""

from __future__ import annotations

from bot.domain.errors import DomainError, InvalidText, NotAllowed, NotFound
from bot.domain.ideas import IdeaDetail, cannot_withdraw
from bot.domain.lifecycle import withdrawable
from bot.domain.messages import CardMessage
from bot.domain.profile import Profile, parse_profile
from bot.domain.requests import (
    AnswerQuestion,
    AskToWithdraw,
    IdeaStatus,
    MyIdeas,
    MyProfile,
    SaveProfile,
    SkipProfile,
    Withdraw,
)
from bot.domain.text import clean_text
from bot.presenters.asking import Asking
from bot.services.decisions import DecisionService
from bot.services.ideas import IdeaService
from bot.services.legacy_claims import ImportedIdeasClaims
from cards.ideas import (
    answer_sent_card,
    my_ideas_card,
    not_found_card,
    timeline_card,
    withdraw_confirm_card,
    withdrawn_card,
)
from cards.profile import profile_card, profile_saved_card

REASON_LIMIT = 500


class ContributorDesk:
    """People only ever see their own ideas: someone else's is "not found", like a missing one."""

    def __init__(self, ideas: IdeaService, decisions: DecisionService,
                 claims: ImportedIdeasClaims | None = None) -> None:
        self._ideas = ideas
        self._decisions = decisions
        self._claims = claims

    async def my_ideas(self, request: MyIdeas, asking: Asking) -> CardMessage:
        if self._claims is not None:  # ideas from the list kept before the bot, if theirs
            await self._claims.claim(asking.person)
        result = await self._ideas.ideas_of(asking.person.object_id, request.page)
        return my_ideas_card(result.ideas, result.number, result.pages, result.total)

    async def status(self, request: IdeaStatus, asking: Asking) -> CardMessage:
        if request.reference is None:
            return await self.my_ideas(MyIdeas(), asking)
        try:
            return timeline_card(await self._ideas.idea_of(asking.person.object_id,
                                                           request.reference))
        except NotFound as error:
            return not_found_card(str(error))

    async def ask_to_withdraw(self, request: AskToWithdraw, asking: Asking) -> CardMessage:
        found = await self._withdrawable(request.reference, asking)
        return found if isinstance(found, CardMessage) else withdraw_confirm_card(found)

    async def withdraw(self, request: Withdraw, asking: Asking) -> CardMessage:
        idea = await self._withdrawable(request.reference, asking)
        if isinstance(idea, CardMessage):
            return idea
        given = request.reason
        try:
            reason = clean_text(given, field="reason", label="The reason",
                                limit=REASON_LIMIT, required=False) or None
        except InvalidText as error:
            return withdraw_confirm_card(idea, error=str(error),
                                         reason=given if isinstance(given, str) else None)
        try:
            return withdrawn_card(await self._ideas.withdraw(asking.person, idea.reference,
                                                             reason))
        except DomainError as error:  # decided or changed since it was read just now
            return not_found_card(str(error))

    async def _withdrawable(self, reference: str | None,
                            asking: Asking) -> IdeaDetail | CardMessage:
        """The person's idea the request names, if it may be withdrawn, or the card that says
        why not (their ideas, "not found", or its story with the reason it cannot be
        withdrawn). Whose idea
        it is comes first: someone else's is "not found" whatever else the request says."""
        if reference is None:
            return await self.my_ideas(MyIdeas(), asking)
        try:
            idea = await self._ideas.idea_of(asking.person.object_id, reference)
        except NotFound as error:
            return not_found_card(str(error))
        if not withdrawable(idea.status):
            return timeline_card(idea, notice=cannot_withdraw(idea.summary))
        return idea

    async def answer(self, request: AnswerQuestion, asking: Asking) -> CardMessage:
        """The contributor answers a SPOC's question from the question card."""
        reference = request.reference
        if reference is None:
            return await self.my_ideas(MyIdeas(), asking)
        try:
            await self._decisions.answer(asking.person, reference, request.answer)
        except NotAllowed as refusal:  # decided meanwhile: its story shows what was decided
            return timeline_card(await self._ideas.idea_of(asking.person.object_id, reference),
                                 notice=str(refusal))
        except DomainError as error:
            return not_found_card(str(error))
        return answer_sent_card(reference)

    async def profile(self, _request: MyProfile, asking: Asking) -> CardMessage:
        choices = await self._ideas.choices()
        departments = [(o.key, o.name) for o in choices.portfolios]
        return profile_card(departments, await self._ideas.profile(asking.person.object_id),
                            within_idea=False)

    async def save_profile(self, request: SaveProfile | SkipProfile,
                           asking: Asking) -> CardMessage:
        choices = await self._ideas.choices()
        try:
            profile = Profile() if isinstance(request, SkipProfile) else parse_profile(
                request.answers, [o.key for o in choices.portfolios])
        except InvalidText as error:
            return profile_card([(o.key, o.name) for o in choices.portfolios],
                                within_idea=False, error=str(error))
        await self._ideas.save_profile(asking.person.object_id, profile)
        return profile_saved_card()
