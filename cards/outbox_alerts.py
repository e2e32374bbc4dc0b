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
                   "was blocked there, or the channel or chat was deleted."),
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


def destination_resumed_card(destination: str, paused_since: datetime) -> CardMessage:
    """The notice that a paused destination takes the portal's messages again."""
    where = as_markdown_text(destination)
    return card_message(
        [heading(f"Messages to {where} are going again"),
         paragraph(f"Teams took the portal's message to {where} again, so the messages held "
                   f"since {uk_moment_text(paused_since)} (UK time) are being sent, in order. "
                   "Nothing more needs doing.")],
        summary=f"Messages to {destination} are going again",
        fallback_text=f"Messages to {destination} are going again: those held since it was "
                      "paused are being sent.",
    )


def destination_given_up_card(destination: str, reason: str, messages: int) -> CardMessage:
    """The notice that a destination refused for so long that its messages were given up."""
    where = as_markdown_text(destination)
    held = f"{messages:,} message{'s' if messages != 1 else ''}"
    return card_message(
        [heading(f"Messages to {where} were given up"),
         paragraph(f"Teams kept refusing the portal's messages to {where}, so the {held} "
                   f"waiting there were given up ({as_markdown_text(reason)})."),
         paragraph("What to do:"),
         bullets(["If the channel is still used, ask its team's owner to add the Improvement "
                  "and Innovation Portal app again; new messages will go there, and "
                  "`iip outbox retry --dead` sends the given-up ones again.",
                  "If it is no longer used, name another as `news_channel` in the "
                  "organisation file and load it (`iip org load`)."])],
        summary=f"Messages to {destination} were given up",
        fallback_text=f"Messages to {destination} were given up: Teams kept refusing the "
                      f"portal ({held}).",
    )
