"""What the PMO is told when a destination stops taking the portal's messages."""

from __future__ import annotations

from datetime import datetime

from bot.domain.campaign_schedule import uk_moment_text
from cards.base import CardMessage, as_markdown_text, bullets, card_message, heading, paragraph


def destination_paused_card(destination: str, reason: str, probe_at: datetime) -> CardMessage:
    """The alert for a destination whose breaker opened: which one, that nothing is lost, and
    what to do."""
    where = as_markdown_text(destination)
    title = f"Messages to {where} are paused"
    return card_message(
        [heading(title),
         paragraph(f"Teams refused the portal's message to {where} "
                   f"({as_markdown_text(reason)}): the app is no longer in that team or chat, "
                   "or was blocked there."),
         paragraph("Nothing is lost: its messages wait in order. The portal tries one again "
                   f"at {uk_moment_text(probe_at)} (UK time), then less and less often, and "
                   "sends the rest as soon as one goes through."),
         paragraph("What to do:"),
         bullets(["Ask the team's owner (or a Teams admin) to add the Improvement and "
                  "Innovation Portal app there again.",
                  "If the channel is no longer used, name another as `news_channel` in the "
                  "organisation file and load it (`iip org load`)."])],
        summary=f"Messages to {destination} are paused",
        fallback_text=f"Messages to {destination} are paused: Teams refused the portal "
                      f"({reason}). They wait, and go once the app is back there.",
    )
