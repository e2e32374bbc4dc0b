"""The PMO's campaigns in Teams: the hub, the list, the form, the preview, sending,
cancelling and resending.

Only the PMO team may see or change a campaign: the organisation's records say who is in it,
on every request, whatever a card's data says. Every change is the campaign service's, which
refuses (InvalidCampaign) a second send, a stale card or a closed campaign, changing nothing.
"""

from __future__ import annotations

from bot.domain.campaign_form import CampaignForm, form_of, request_of
from bot.domain.campaign_sending import check_editable
from bot.domain.campaigns import UNSENT_STATES, Campaign, CampaignState, InvalidCampaign
from bot.domain.messages import CardMessage, Reply
from bot.domain.organisation import Organisation
from bot.domain.requests import (
    CampaignAct,
    NewCampaign,
    OnCampaign,
    SaveCampaign,
    ScheduleCampaign,
    ShowCampaigns,
    ShowPmoHub,
)
from bot.domain.schedule_form import UnreadableMoment
from bot.presenters.asking import Asking
from bot.services.campaigns import CampaignService
from bot.services.organisation import OrganisationService
from cards.campaign_call import call_card
from cards.campaign_form import MAX_CHANNELS, campaign_form_card
from cards.campaign_list import campaigns_card
from cards.campaign_sending import (
    campaign_refused_card,
    cancel_confirm_card,
    no_such_campaign_card,
    preview_actions_card,
    resent_card,
    schedule_refused_card,
    scheduled_card,
    send_confirm_card,
    sending_card,
)
from cards.campaign_status import campaign_status_card
from cards.pmo_hub import for_the_pmo_card, pmo_hub_card


class CampaignDesk:
    """Answers the PMO's campaign requests; anyone else is told they are the PMO team's."""

    def __init__(self, campaigns: CampaignService, organisation: OrganisationService) -> None:
        self._campaigns = campaigns
        self._organisation = organisation

    async def hub(self, _request: ShowPmoHub, asking: Asking) -> CardMessage:
        if await self._pmo_organisation(asking) is None:
            return for_the_pmo_card()
        return pmo_hub_card()

    async def campaigns(self, _request: ShowCampaigns, asking: Asking) -> CardMessage:
        organisation = await self._pmo_organisation(asking)
        if organisation is None:
            return for_the_pmo_card()
        overview = await self._campaigns.overview()
        return campaigns_card(overview.campaigns, overview.opted_out, _names(organisation))

    async def new(self, _request: NewCampaign, asking: Asking) -> CardMessage:
        organisation = await self._pmo_organisation(asking)
        if organisation is None:
            return for_the_pmo_card()
        return await self._form(organisation, None)

    async def save(self, request: SaveCampaign, asking: Asking) -> Reply:
        """Save: the new or edited campaign's preview; a refusal shows the form again with
        the person's answers and every problem."""
        organisation = await self._pmo_organisation(asking)
        if organisation is None:
            return for_the_pmo_card()
        editing = None
        if request.campaign_id is not None:
            editing = await self._campaigns.get(request.campaign_id)
            if editing is None:
                return no_such_campaign_card()
        actor = asking.person.object_id
        try:
            wanted = request_of(request.form, editing.audience if editing else None)
            if editing is None:
                saved = await self._campaigns.create(wanted, actor)
            else:
                saved = await self._campaigns.update(editing.id, wanted, actor)
        except InvalidCampaign as refusal:
            return await self._form(organisation, editing, request.form, refusal.problems)
        return _preview(saved, organisation)

    async def on_campaign(self, request: OnCampaign, asking: Asking) -> Reply:
        """A button on a campaign's cards, for the campaign it names as it is now."""
        found = await self._campaign_for_pmo(asking, request.campaign_id)
        if isinstance(found, CardMessage):
            return found
        organisation, campaign = found
        try:
            return await self._act(request.act, campaign, organisation, asking)
        except InvalidCampaign as refusal:
            return campaign_refused_card(refusal.problems, campaign.id)

    async def schedule(self, request: ScheduleCampaign, asking: Asking) -> Reply:
        """Schedule's confirm button: the call scheduled for the moment chosen, and to about
        how many people it goes; a refusal says why and changes nothing."""
        found = await self._campaign_for_pmo(asking, request.campaign_id)
        if isinstance(found, CardMessage):
            return found
        _organisation, campaign = found
        try:
            if isinstance(request.at, UnreadableMoment):
                raise InvalidCampaign(list(request.at.problems))
            scheduled = await self._campaigns.schedule(campaign.id, request.at,
                                                       asking.person.object_id)
        except InvalidCampaign as refusal:
            now = await self._campaigns.get(campaign.id) or campaign
            if now.state in UNSENT_STATES:
                return schedule_refused_card(refusal.problems, now)
            return campaign_refused_card(refusal.problems, now.id)
        try:
            return scheduled_card(scheduled, await self._campaigns.reach(
                scheduled.id, asking.person.tenant_id))
        except InvalidCampaign as nobody:  # scheduled all the same: the audience may come
            return scheduled_card(scheduled, None, nobody.problems)

    async def _act(self, act: CampaignAct, campaign: Campaign, organisation: Organisation,
                   asking: Asking) -> Reply:
        caller = asking.person
        campaigns = self._campaigns
        match act:
            case CampaignAct.PREVIEW if campaign.state in UNSENT_STATES:
                return _preview(campaign, organisation)
            case CampaignAct.PREVIEW:
                # Sent already: the call as it was sent, and where its sending stands.
                return (call_card(campaign, closed=campaign.state is CampaignState.CLOSED),
                        campaign_status_card(campaign, await campaigns.status(campaign.id)))
            case CampaignAct.EDIT:
                check_editable(campaign)
                return await self._form(organisation, campaign, form_of(campaign))
            case CampaignAct.ASK_TO_SEND:
                return send_confirm_card(campaign, await campaigns.reach(campaign.id,
                                                                         caller.tenant_id))
            case CampaignAct.SEND:
                sent = await campaigns.send(campaign.id, caller.object_id,
                                            tenant_id=caller.tenant_id,
                                            progress_to=caller.object_id)
                return sending_card(sent.campaign, sent.recipients)
            case CampaignAct.SEND_TO_CHANGE_AGENTS:
                sent = await campaigns.send_to_change_agents(campaign.id, caller.object_id,
                                                             tenant_id=caller.tenant_id)
                return sending_card(sent.campaign, sent.recipients, change_agents=True)
            case CampaignAct.PROGRESS if campaign.state in UNSENT_STATES:
                return preview_actions_card(campaign, _names(organisation))
            case CampaignAct.PROGRESS:
                return campaign_status_card(campaign, await campaigns.status(campaign.id))
            case CampaignAct.ASK_TO_CANCEL:
                return cancel_confirm_card(campaign)
            case CampaignAct.CANCEL:
                return campaign_status_card(
                    campaign, await campaigns.cancel(campaign.id, caller.object_id))
            case CampaignAct.RESEND_FAILED:
                count = await campaigns.resend_failed(campaign.id, caller.object_id)
                return resent_card(campaign, count)

    async def _form(self, organisation: Organisation, editing: Campaign | None,
                    form: CampaignForm | None = None,
                    problems: list[str] | None = None) -> CardMessage:
        channels = await self._campaigns.installed_channels(MAX_CHANNELS)
        return campaign_form_card(
            form, portfolios=organisation.portfolios, channels=channels,
            campaign_id=editing.id if editing else None,
            kept=editing.audience if editing else None, problems=problems or ())

    async def _campaign_for_pmo(self, asking: Asking,
                                campaign_id: int) -> tuple[Organisation, Campaign] | CardMessage:
        """The organisation and the campaign a button names, for a PMO member; otherwise the
        card that says why not."""
        organisation = await self._pmo_organisation(asking)
        if organisation is None:
            return for_the_pmo_card()
        campaign = await self._campaigns.get(campaign_id)
        return no_such_campaign_card() if campaign is None else (organisation, campaign)

    async def _pmo_organisation(self, asking: Asking) -> Organisation | None:
        """The organisation, when the person asking is in its PMO team; None otherwise."""
        organisation = await self._organisation.current()
        if organisation is None or not organisation.roles_of(asking.object_id).pmo:
            return None
        return organisation


def _preview(campaign: Campaign, organisation: Organisation) -> Reply:
    """The call exactly as its recipients will see it, to the PMO member alone, then what
    they may do with it."""
    return (call_card(campaign), preview_actions_card(campaign, _names(organisation)))


def _names(organisation: Organisation) -> dict[str, str]:
    return {p.key: p.name for p in organisation.portfolios}
