"""The PMO's register of known initiatives in Teams: the list, the form (new and edit),
retiring and restoring.

Only the PMO team may see or change the register: the service asks the organisation's records
on every request, whatever a card's data says, and anyone else is told kindly whose it is.
"""

from __future__ import annotations

from bot.domain.errors import NotAllowed, NotFound
from bot.domain.initiatives import InvalidInitiative, form_of
from bot.domain.messages import CardMessage
from bot.domain.requests import (
    InitiativeAct,
    NewInitiative,
    OnInitiative,
    SaveInitiative,
    ShowInitiatives,
)
from bot.presenters.asking import Asking
from bot.services.initiatives import InitiativeService
from cards.initiative_form import initiative_form_card
from cards.initiatives import initiative_card, not_found_card, register_card
from cards.pmo_hub import for_the_pmo_card


class InitiativeDesk:
    """Answers the PMO's requests about the register; anyone else is told it is the PMO's."""

    def __init__(self, initiatives: InitiativeService) -> None:
        self._initiatives = initiatives

    async def register(self, request: ShowInitiatives, asking: Asking) -> CardMessage:
        try:
            page = await self._initiatives.register(asking.person.object_id, request.page)
        except NotAllowed:
            return for_the_pmo_card()
        return register_card(page.initiatives, page.window, page.retired, page.portfolios)

    async def new(self, _request: NewInitiative, asking: Asking) -> CardMessage:
        try:
            portfolios = await self._initiatives.portfolios(asking.person.object_id)
        except NotAllowed:
            return for_the_pmo_card()
        return initiative_form_card(portfolios=portfolios)

    async def save(self, request: SaveInitiative, asking: Asking) -> CardMessage:
        """Save: the initiative as kept; a refusal shows the form again with the person's
        answers and every problem."""
        actor = asking.person.object_id
        try:
            if request.initiative_id is None:
                saved = await self._initiatives.add(actor, request.form)
                said = "Added to the register: people writing a similar idea are shown it."
            else:
                saved = await self._initiatives.edit(actor, request.initiative_id,
                                                     request.form)
                said = "Saved: people writing a similar idea are shown it as it now is."
        except NotAllowed:
            return for_the_pmo_card()
        except NotFound as missing:
            return not_found_card(str(missing))
        except InvalidInitiative as refusal:
            return await self._form_again(request, actor, refusal.problems)
        if not saved.initiative.active:
            said = "Saved. It is retired, so nobody is shown it until it is restored."
        return initiative_card(saved.initiative, saved.portfolios, said)

    async def on_initiative(self, request: OnInitiative, asking: Asking) -> CardMessage:
        """A button on the register's cards, for the initiative it names as it is now."""
        actor, initiative_id = asking.person.object_id, request.initiative_id
        service = self._initiatives
        try:
            match request.act:
                case InitiativeAct.EDIT:
                    shown = await service.get(actor, initiative_id)
                    initiative = shown.initiative
                    return initiative_form_card(
                        form_of(initiative), portfolios=shown.portfolios,
                        initiative_id=initiative.id, reference=initiative.reference,
                        kept_portfolio=initiative.portfolio_key)
                case InitiativeAct.RETIRE:
                    done = await service.retire(actor, initiative_id)
                    said = ("Retired: nobody writing an idea is shown it any more. It stays "
                            "on record, and **Restore** brings it back.")
                case InitiativeAct.RESTORE:
                    done = await service.restore(actor, initiative_id)
                    said = "Restored: people writing a similar idea are shown it again."
        except NotAllowed:
            return for_the_pmo_card()
        except NotFound as missing:
            return not_found_card(str(missing))
        return initiative_card(done.initiative, done.portfolios, said)

    async def _form_again(self, request: SaveInitiative, actor: str,
                          problems: list[str]) -> CardMessage:
        """The form as the person filled it in, with every problem named."""
        kept, reference = None, None
        if request.initiative_id is not None:
            shown = await self._initiatives.get(actor, request.initiative_id)
            kept, reference = shown.initiative.portfolio_key, shown.initiative.reference
            portfolios = shown.portfolios
        else:
            portfolios = await self._initiatives.portfolios(actor)
        return initiative_form_card(request.form, portfolios=portfolios,
                                    initiative_id=request.initiative_id, reference=reference,
                                    kept_portfolio=kept, problems=problems)
