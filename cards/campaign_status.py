"""A sent campaign's card for the PMO (Open on the campaigns list): its progress, with Cancel
and Resend to failed where they still apply."""

from __future__ import annotations

from microsoft_teams.cards.core import Action

from bot.domain.campaign_sending import CampaignStatus
from bot.domain.campaigns import Campaign, CampaignState
from cards.actions import CardAction
from cards.base import CardMessage, submit
from cards.campaign_progress import progress_card
from cards.campaign_words import campaign_button

# A campaign can be cancelled until it has ended.
_CANCELLABLE = (CampaignState.DRAFT, CampaignState.SCHEDULED, CampaignState.OPEN)


def campaign_status_card(campaign: Campaign, status: CampaignStatus) -> CardMessage:
    """The campaign's progress, with Resend to failed while some failed and Cancel until it
    ends."""
    actions: list[Action] = [campaign_button("Refresh", CardAction.CAMPAIGN_PROGRESS, campaign)]
    if status.failed > len(status.unreachable):  # those who blocked the app are never resent
        actions.append(campaign_button("Resend to failed", CardAction.RESEND_FAILED, campaign))
    if status.state in _CANCELLABLE:
        actions.append(campaign_button("Cancel the campaign",
                                       CardAction.ASK_TO_CANCEL_CAMPAIGN, campaign))
    actions.append(submit("Campaigns", CardAction.CAMPAIGNS, inputs=False))
    return progress_card(campaign, status, actions)
