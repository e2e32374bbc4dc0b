"""What a person does with a campaign's call besides sharing an idea: stop such calls, and
start them again (`stop campaigns`, `start campaigns`)."""

from __future__ import annotations

from bot.domain.messages import CardMessage
from bot.domain.requests import ResumeCampaignCalls, StopCampaignCalls
from bot.presenters.asking import Asking
from bot.services.campaigns import CampaignService
from cards.campaign_call import calls_resumed_card, calls_stopped_card


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
