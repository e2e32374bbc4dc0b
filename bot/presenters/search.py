"""`search`: the card asking for the words, and what the search found."""

from __future__ import annotations

from bot.domain.errors import InvalidText
from bot.domain.messages import CardMessage
from bot.domain.requests import SearchIdeas
from bot.presenters.asking import Asking
from bot.services.search import EarlierIdeas
from cards.search import results_card, search_card


class SearchDesk:
    def __init__(self, search: EarlierIdeas) -> None:
        self._search = search

    async def search(self, request: SearchIdeas, _asking: Asking) -> CardMessage:
        """The words asked for (none given yet), a kind hint (too few), or what was found."""
        text = request.text
        if text is None or not text.strip():
            return search_card()
        try:
            found = await self._search.search(text)
        except InvalidText as hint:
            return search_card(str(hint), text)
        return results_card(found.text, found.matches, reference=found.reference)
