"""What a person does with a campaign's call besides sharing an idea: stop such calls, and
start them again (`stop campaigns`, `start campaigns`); and the call as Teams redraws it on
view (closed, once the campaign is)."""

from __future__ import annotations

from bot.domain.messages import CardMessage
from bot.domain.requests import RefreshCall, ResumeCampaignCalls, StopCampaignCalls
from bot.presenters.asking import Asking
from bot.services.campaigns import CampaignService
from cards.campaign_call import call_card, calls_resumed_card, calls_stopped_card
from cards.notices import stale_action_card


class CampaignCalls:
    """Answers the buttons of a campaign's call that concern the person themselves."""

    def __init__(self, campaigns: CampaignService) -> None:
        self._campaigns = campaigns

    async def stop(self, _request: StopCampaignCalls, asking: Asking) -> CardMessage:
        """No more campaign calls to the caller; decision notices are not touched."""
        return calls_stopped_card(newly=await self._campaigns.stop_calls(asking.person))

    async def resume(self, _request: ResumeCampaignCalls, asking: Asking) -> CardMessage:
        """Campaign calls to the caller again, after they stopped them."""
        return calls_resumed_card(newly=await self._campaigns.resume_calls(asking.person))

    async def refresh(self, request: RefreshCall, asking: Asking) -> CardMessage:
        """The call as it stands now, for Teams to redraw: closed once the campaign is."""
        viewer = asking.caller.object_id if asking.caller else None
        found = None if request.campaign_id is None else await self._campaigns.call_now(
            request.campaign_id, viewer)
        if found is None:
            return stale_action_card()
        campaign, closed = found
        return call_card(campaign, closed=closed)
