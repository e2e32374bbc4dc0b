"""`report`: the PMO and SPOCs get the last full month's figures and a link to the board
pack; anyone else is told, kindly, that packs are for them."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.errors import NotAllowed
from bot.domain.messages import CardMessage
from bot.domain.requests import ShowReport
from bot.presenters.asking import Asking
from bot.services.board_packs import BoardPacks
from cards.notices import not_staff_card
from cards.report import report_card

# The address a token is served at: where people reach the bot, then /reports/<token>.
LinkOf = Callable[[str], str]


class ReportDesk:
    def __init__(self, packs: BoardPacks, link_of: LinkOf) -> None:
        self._packs = packs
        self._link_of = link_of

    async def show(self, _request: ShowReport, asking: Asking) -> CardMessage:
        """The asker's pack for the last full month, offered through a signed link."""
        try:
            offer = await self._packs.offer(asking.person.object_id)
        except NotAllowed as refusal:
            return not_staff_card(str(refusal))
        return report_card(offer.pack, self._link_of(offer.token), offer.expires_at)
