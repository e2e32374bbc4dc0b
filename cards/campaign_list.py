"""The PMO's list of campaigns (`campaigns`): each call for ideas with its state, dates,
audience, how many it reached and how many ideas it brought, and how many people asked for
no more calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from microsoft_teams.cards.core import (
    ActionSet,
    CardElement,
    Container,
    Fact,
    FactSet,
    RichTextBlock,
    TextRun,
)

from bot.domain.campaign_sending import CampaignSummary
from bot.domain.campaigns import UNSENT_STATES, CampaignState
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    as_markdown_text,
    card_message,
    heading,
    paragraph,
    submit,
)
from cards.campaign_schedule import moment_words
from cards.campaign_words import (
    STATE_WORDS,
    audience_words,
    campaign_button,
    dates_words,
    people,
)

# Teams refuses a message over about 28 KB: the list shows the latest this many.
SHOWN = 20


def campaigns_card(lines: Sequence[CampaignSummary], opted_out: int,
                   portfolio_names: Mapping[str, str]) -> CardMessage:
    """Every campaign, the latest to open first, with Preview (not sent yet) or Open (its
    progress); and the number of people who stopped campaign calls."""
    have = "has" if opted_out == 1 else "have"
    body: list[CardElement] = [
        heading("Calls for ideas"),
        paragraph(f"{people(opted_out)} {have} asked for no more calls for ideas (they still "
                  "hear about their own ideas).", subtle=True),
    ]
    if not lines:
        body.append(paragraph("There are no campaigns yet. Press **New campaign** to start "
                              "one."))
    body += [_line(line, portfolio_names) for line in lines[:SHOWN]]
    if len(lines) > SHOWN:
        body.append(paragraph(f"And {len(lines) - SHOWN:,} older campaigns "
                              "(iip campaign list shows them all).", subtle=True))
    return card_message(
        body,
        summary=f"Calls for ideas: {len(lines):,}",
        fallback_text=f"Calls for ideas: {len(lines):,}; {opted_out:,} opted out.",
        actions=[submit("New campaign", CardAction.NEW_CAMPAIGN, inputs=False)],
    )


def _line(line: CampaignSummary, portfolio_names: Mapping[str, str]) -> Container:
    campaign = line.campaign
    facts = [
        Fact(title="State", value=STATE_WORDS[campaign.state]),
        Fact(title="Dates", value=dates_words(campaign)),
        *([Fact(title="Scheduled for", value=moment_words(campaign.scheduled_at))]
          if campaign.state is CampaignState.SCHEDULED and campaign.scheduled_at else []),
        Fact(title="Audience",
             value=as_markdown_text(audience_words(campaign.audience, portfolio_names))),
        Fact(title="Reached", value=f"{line.reached:,}"),
        Fact(title="Ideas received", value=f"{line.ideas_received:,}"),
    ]
    if campaign.state in UNSENT_STATES:
        button = campaign_button("Preview", CardAction.PREVIEW_CAMPAIGN, campaign)
    else:
        button = campaign_button("Open", CardAction.CAMPAIGN_PROGRESS, campaign)
    return Container(separator=True, spacing="Medium", items=[
        RichTextBlock(inlines=[TextRun(text=campaign.name, weight="Bolder")]),
        FactSet(facts=facts), ActionSet(actions=[button])])
