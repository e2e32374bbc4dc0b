"""What the submission says and keeps about the call for ideas a draft answers: whether a call
takes ideas now, a draft untagged when its call closed, and why, in the person's words."""

from __future__ import annotations

from bot.domain.campaigns import not_taking_ideas
from bot.domain.intake import Choices, Draft, untag_closed
from bot.services.ideas import IdeaService, StoredDraft
from cards.base import as_markdown_text


class CallsForIdeas:
    """The calls for ideas as IntakeFlow needs them. Every sentence returned names a campaign
    as the PMO wrote it, escaped for the card's Markdown."""

    def __init__(self, ideas: IdeaService) -> None:
        self._ideas = ideas

    async def untag_closed(self, stored: StoredDraft, choices: Choices) -> StoredDraft:
        """The draft, kept no longer answering a campaign that has stopped taking ideas."""
        untagged = untag_closed(stored.draft, choices)
        if untagged is stored.draft:
            return stored
        return await self._ideas.save_draft(stored, untagged)

    async def if_taking(self, campaign: str | None,
                        choices: Choices) -> tuple[str | None, str | None]:
        """`campaign` if it takes ideas now, else None; and, if it does not, why, kindly."""
        if campaign is None or choices.campaign(campaign) is not None:
            return campaign, None
        why = await self.not_taking(campaign)
        return None, as_markdown_text(f"{why}; you can still suggest an idea.")

    async def dropped(self, draft: Draft) -> str | None:
        """Why the draft no longer answers the campaign it did, for its check card."""
        if draft.dropped_campaign is None or draft.campaign:
            return None
        why = await self.not_taking(draft.dropped_campaign)
        return as_markdown_text(f"{why}; your idea will be sent without it.")

    async def not_taking(self, key: str) -> str:
        """Why the campaign of `key` takes no ideas today (not escaped: the caller adds to it)."""
        return not_taking_ideas(await self._ideas.campaign(key), self._ideas.today())

    async def name(self, key: str | None, choices: Choices) -> str:
        """The name of the campaign of `key`, open or not."""
        call = choices.campaign(key)
        if call is not None:
            return call.name
        found = await self._ideas.campaign(key) if key else None
        return found.name if found else "another campaign"
