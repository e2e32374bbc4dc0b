"""`report`: the last full month's key figures, and the link to its whole board pack."""

from __future__ import annotations

from datetime import datetime

from microsoft_teams.cards.core import Fact, FactSet, OpenUrlAction

from bot.domain.board_pack import BoardPack
from bot.domain.ideas import LONDON
from bot.domain.messages import CardMessage
from cards.base import as_markdown_text, card_message, heading, paragraph


def report_card(pack: BoardPack, link: str, expires_at: datetime) -> CardMessage:
    """The month's figures for the asker's scope, and a button to the pack (for them alone,
    until `expires_at`)."""
    c = pack.counts
    latest = pack.sla_trend[-1] if pack.sla_trend else None
    compliance = latest.compliance if latest else None
    median = latest.median_days_to_first_response if latest else None
    scope = ("All portfolios" if pack.scope is None
             else ", ".join(as_markdown_text(name) for name in pack.scope))
    until = expires_at.astimezone(LONDON)
    facts = [
        ("Ideas submitted", f"{c.submitted_by_month[-1]:,}"),
        ("Taken forward", f"{c.taken_forward:,} (approved, escalated or delivered)"),
        ("Delivered", f"{c.delivered:,}"),
        ("Answered within two months", "none due" if compliance is None else f"{compliance:.0%}"),
        ("Median days to a first response", "none" if median is None else f"{median:g}"),
        ("Deferred now", f"{c.deferred_total:,}"),
    ]
    return card_message(
        [heading(f"Board pack: {pack.month_name}"),
         paragraph(scope, subtle=True),
         FactSet(facts=[Fact(title=title, value=value) for title, value in facts]),
         paragraph("The whole pack (trends, portfolios, the promise, what was delivered, "
                   "campaigns, the deferred register and who submits ideas) opens in your "
                   f"browser. The link is yours alone and works until {until:%H:%M} on "
                   f"{until.day} {until:%B} (UK time); every download is recorded.",
                   subtle=True)],
        summary=f"Board pack: {pack.month_name}",
        fallback_text=(f"Board pack for {pack.month_name}: {c.submitted_by_month[-1]:,} ideas "
                       f"submitted, {c.taken_forward:,} taken forward, {c.delivered:,} "
                       "delivered."),
        actions=[OpenUrlAction(title="Open the board pack", url=link)],
    )
