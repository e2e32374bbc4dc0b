"""The progress of a campaign's call, in the chat of the PMO member who sent it: how many were
sent, failed and are still to go, about how long that takes, and the final counts."""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards.core import Action, Fact, FactSet, RichTextBlock, TextRun

from bot.domain.campaign_sending import CampaignStatus
from bot.domain.campaigns import Campaign, CampaignState
from cards.actions import CardAction
from cards.base import CardMessage, card_message, paragraph, submit


def time_left_text(seconds: int) -> str:
    """About how long, in words: under a minute, or whole minutes rounded up."""
    if seconds < 60:
        return "under a minute"
    minutes = -(-seconds // 60)
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"


def progress_card(campaign: Campaign, status: CampaignStatus,
                  actions: Sequence[Action] = ()) -> CardMessage:
    """Where the call stands; once nothing is left to send, the final counts. `actions`: the
    PMO's buttons, when the card answers their Open on the campaigns list."""
    facts = [Fact(title="Recipients", value=f"{status.recipients:,}"),
             Fact(title="Sent", value=f"{status.sent:,}"),
             Fact(title="Failed", value=f"{status.failed:,}")]
    if status.unreachable:
        facts.append(Fact(title="Blocked or removed the app",
                          value=f"{len(status.unreachable):,}"))
    if status.cancelled:
        facts.append(Fact(title="Called off", value=f"{status.cancelled:,}"))
    if status.finished:
        headline = "Finished: the final counts."
        summary = f"Sent to {status.sent:,} of {status.recipients:,}"
    else:
        facts.append(Fact(title="Still to send", value=f"{status.pending:,}"))
        pace = ("at the pace so far" if status.measured_seconds_left is not None
                else "at Teams' pace (50 messages a second)")
        headline = f"Sending: {time_left_text(status.seconds_left)} left {pace}."
        summary = f"Sending: {status.sent:,} of {status.recipients:,} sent"
    return card_message(
        [RichTextBlock(inlines=[TextRun(text=campaign.name, size="Large", weight="Bolder")]),
         paragraph(headline),
         FactSet(facts=facts)],
        summary=summary,
        fallback_text=(f"{summary}; {status.failed:,} failed, {status.pending:,} still to "
                       "send."),
        actions=actions,
    )


def live_progress_card(campaign: Campaign, status: CampaignStatus) -> CardMessage:
    """The progress card in the chat of the PMO member who sent the call, redrawn in place as
    it goes: Cancel while it sends; once finished, Resend to failed if some failed that may
    be tried again (never those who blocked the app, counted apart)."""
    actions: list[Action] = []
    if campaign.state is CampaignState.OPEN and not status.finished:
        actions.append(submit("Cancel the campaign", CardAction.CANCEL_CAMPAIGN, inputs=False,
                              campaign=campaign.id))
    if campaign.state is CampaignState.OPEN and status.finished and status.resendable > 0:
        actions.append(submit(f"Resend to failed ({status.resendable:,})",
                              CardAction.RESEND_FAILED, inputs=False, campaign=campaign.id))
    return progress_card(campaign, status, actions)
