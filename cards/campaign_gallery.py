"""The PMO's campaign cards and the calls' answers, with sample data, for the card gallery."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

from bot.domain.campaign_form import CampaignForm, form_of
from bot.domain.campaign_sending import CampaignStatus, CampaignSummary, Unreachable
from bot.domain.campaigns import Audience, AudienceKind, Campaign, CampaignState
from bot.domain.organisation import Portfolio
from cards.base import CardMessage
from cards.campaign_call import calls_resumed_card
from cards.campaign_form import campaign_form_card
from cards.campaign_list import campaigns_card
from cards.campaign_sending import (
    campaign_refused_card,
    cancel_confirm_card,
    preview_actions_card,
    resent_card,
    schedule_refused_card,
    scheduled_card,
    send_confirm_card,
    sending_card,
)
from cards.campaign_status import campaign_status_card
from cards.pmo_hub import for_the_pmo_card, pmo_hub_card

SAMPLE_PORTFOLIOS = (Portfolio("local-policing", "Local Policing", ()),
                     Portfolio("crime-and-justice", "Crime and Justice", ()))
SAMPLE_CHANNEL = "19:2f0c7e2ab8a34f6c9d0f4a1e2b3c4d5e@thread.tacv2"
NAMES = {p.key: p.name for p in SAMPLE_PORTFOLIOS}


def campaign_cards(sample: Campaign) -> Iterator[tuple[str, CardMessage]]:
    """(name, card) for each of the PMO's campaign cards and states, about `sample` (as a
    draft, and as sent)."""
    draft = replace(sample, state=CampaignState.DRAFT, sent_at=None, sent_by=None,
                    recipients=None)
    sent = replace(sample, state=CampaignState.OPEN)
    yield "pmo-hub", pmo_hub_card()
    yield "pmo-only", for_the_pmo_card()
    yield "campaigns", campaigns_card([
        CampaignSummary(draft, 0, 0),
        CampaignSummary(replace(draft, id=8, key="drones", name="Drones",
                                state=CampaignState.SCHEDULED, scheduled_by="x",
                                scheduled_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC)), 0, 0),
        CampaignSummary(replace(sent, id=6, key="star-fund", name="STAR fund proposals",
                           audience=Audience(AudienceKind.PORTFOLIO, "crime-and-justice")),
                   11_842, 317)], 42, NAMES)
    yield "campaigns-none", campaigns_card([], 0, NAMES)
    yield "campaign-form", campaign_form_card(portfolios=SAMPLE_PORTFOLIOS,
                                              channels=[SAMPLE_CHANNEL])
    yield "campaign-form-refused", campaign_form_card(
        CampaignForm(name="AI", closes="2026-01-01", audience="everyone"),
        portfolios=SAMPLE_PORTFOLIOS, channels=[SAMPLE_CHANNEL],
        problems=["Please choose the opening day.", "The theme is empty. Please write a "
                  "few words."])
    file_audience = replace(draft, audience=Audience(
        AudienceKind.FILE, "people.csv", ("00000000-0000-0000-0000-0000000000021",)))
    yield "campaign-form-edit", campaign_form_card(
        form_of(file_audience), portfolios=SAMPLE_PORTFOLIOS, campaign_id=7,
        kept=file_audience.audience)
    yield "campaign-preview-actions", preview_actions_card(draft, NAMES)
    scheduled = replace(draft, state=CampaignState.SCHEDULED,
                        scheduled_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC), scheduled_by="x")
    yield "campaign-preview-actions-scheduled", preview_actions_card(scheduled, NAMES)
    yield "campaign-scheduled", scheduled_card(scheduled, 11_842)
    yield "campaign-scheduled-to-nobody", scheduled_card(
        scheduled, None, ["Nobody has the app yet."])
    yield "campaign-schedule-refused", schedule_refused_card(
        ["7 December 2026 at 09:00 has passed (it is 8 December 2026 at 10:12 now). Please "
         "choose a moment still to come.", "Nothing was changed."], draft)
    yield "campaign-send-confirm", send_confirm_card(draft, 11_842)
    yield "campaign-send-confirm-channel", send_confirm_card(
        replace(draft, audience=Audience(AudienceKind.CHANNEL, SAMPLE_CHANNEL)), 1)
    yield "campaign-sending", sending_card(sent, 11_842)
    yield "campaign-sending-agents", sending_card(draft, 170, change_agents=True)
    blocked = tuple(Unreachable(f"00000000-0000-0000-0000-{n:012d}", "ConversationBlockedByUser")
                    for n in range(30))
    yield "campaign-status", campaign_status_card(
        sent, CampaignStatus(CampaignState.OPEN, 11_842, 9_000, 42, 2_800, blocked))
    yield "campaign-cancel-confirm", cancel_confirm_card(sent)
    yield "campaign-resent", resent_card(sent, 12)
    yield "campaign-resent-none", resent_card(sent, 0)
    yield "campaign-refused", campaign_refused_card(
        ["This campaign was sent on 6 December 2026; it cannot be sent twice."], 7)
    yield "campaign-calls-resumed", calls_resumed_card(newly=True)
    yield "campaign-calls-already-resumed", calls_resumed_card(newly=False)
