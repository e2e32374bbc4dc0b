"""How the PMO's cards say a campaign's audience, state and dates in words, and the button
that acts on one campaign."""

from __future__ import annotations

from collections.abc import Mapping

from microsoft_teams.cards.core import SubmitAction

from bot.domain.campaigns import Audience, AudienceKind, Campaign, CampaignState
from cards.actions import CardAction
from cards.base import day_text, submit

STATE_WORDS = {
    CampaignState.DRAFT: "Draft",
    CampaignState.SCHEDULED: "Scheduled",
    CampaignState.OPEN: "Open",
    CampaignState.CLOSED: "Closed",
    CampaignState.CANCELLED: "Cancelled",
}
# How much of a channel's Teams id is shown: the portal keeps no channel names.
_CHANNEL_SHOWN = 28


def audience_words(audience: Audience, portfolio_names: Mapping[str, str]) -> str:
    """Who a call goes to, as the PMO would say it."""
    match audience.kind:
        case AudienceKind.EVERYONE:
            return "Everyone with the app"
        case AudienceKind.CHANGE_AGENTS:
            return "The change agents"
        case AudienceKind.PORTFOLIO:
            name = portfolio_names.get(audience.target, audience.target)
            return f"{name}: its SPOCs and deputies"
        case AudienceKind.CHANNEL:
            return channel_words(audience.target)
        case AudienceKind.FILE:
            return f"{people(len(audience.members))} listed in a file"


def people(count: int) -> str:
    """`count` people, in words: "1 person", "11,842 people"."""
    return f"{count:,} {'person' if count == 1 else 'people'}"


def channel_words(conversation_id: str) -> str:
    """A team channel where the bot is installed, by the start of its Teams id."""
    shown = (conversation_id if len(conversation_id) <= _CHANNEL_SHOWN
             else conversation_id[:_CHANNEL_SHOWN - 3] + "...")
    return f"Team channel {shown}"


def dates_words(campaign: Campaign) -> str:
    return f"{day_text(campaign.opens)} to {day_text(campaign.closes)}"


def campaign_button(title: str, action: CardAction, campaign: Campaign) -> SubmitAction:
    """A button that does `action` to `campaign` (cards.requests reads its id back)."""
    return submit(title, action, inputs=False, campaign=campaign.id)
