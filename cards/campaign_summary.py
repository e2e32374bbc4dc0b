"""What the PMO is told when a campaign closes: the ideas it brought, in all and by portfolio,
how many its call reached, and how many people have stopped campaign calls."""

from __future__ import annotations

from microsoft_teams.cards.core import Fact, FactSet, RichTextBlock, TextRun

from bot.domain.campaign_schedule import ClosingSummary
from cards.base import (
    CardMessage,
    as_markdown_text,
    card_message,
    day_text,
    paragraph,
    subheading,
)


def closing_summary_card(summary: ClosingSummary) -> CardMessage:
    """The summary of a campaign that has just closed, for each PMO member."""
    campaign = summary.campaign
    ideas = f"{summary.ideas:,} idea{'' if summary.ideas == 1 else 's'}"
    body = [
        RichTextBlock(inlines=[TextRun(text=campaign.name, size="Large", weight="Bolder")]),
        paragraph(f"This call for ideas closed at the end of {day_text(campaign.closes)}. "
                  f"It brought {ideas}."),
        FactSet(facts=[Fact(title="Ideas received", value=f"{summary.ideas:,}"),
                       Fact(title="Reached", value=f"{summary.reached:,}"),
                       Fact(title="Stopped campaign calls", value=f"{summary.opted_out:,}")]),
    ]
    if summary.by_portfolio:
        # Teams reads a fact's text as Markdown: a portfolio's name is escaped once.
        body += [subheading("By portfolio"),
                 FactSet(facts=[Fact(title=as_markdown_text(name), value=f"{count:,}")
                                for name, count in summary.by_portfolio])]
    return card_message(
        body, summary=f"Closed: {campaign.name}, {ideas}",
        fallback_text=(f"The call for ideas {campaign.name} closed with {ideas}; it reached "
                       f"{summary.reached:,}."))
