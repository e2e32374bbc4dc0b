"""The PMO team's hub (`pmo`): one way in to their lists, campaigns and the workforce digest,
and the kind answer anyone else gets."""

from __future__ import annotations

from cards.actions import CardAction
from cards.base import CardMessage, bullets, card_message, heading, paragraph, submit

_WHAT = (
    "**Triage**: the new ideas awaiting triage",
    "**Campaigns**: calls for ideas: create, preview, send and follow them",
    "**Deferred**: the deferred ideas, the soonest to look at again first",
    "**Digest**: \"you said, we did\" for the workforce: what was delivered since the last one",
    "**Reports**: last month's figures and the board pack",
    "**Initiatives**: the known initiatives, work under way and capabilities that exist, "
    "shown to people writing a similar idea",
)


def pmo_hub_card() -> CardMessage:
    """The PMO's hub."""
    return card_message(
        [heading("The PMO team's hub"),
         paragraph("Everything the PMO team looks after, in one place:"),
         bullets(_WHAT),
         paragraph("Type **campaign new** to start a call for ideas straight away.",
                   subtle=True)],
        summary="The PMO team's hub",
        fallback_text=("The PMO team's hub: triage, campaigns, the deferred ideas, the "
                       "workforce digest, reports and the known initiatives."),
        actions=[
            submit("Triage", CardAction.TRIAGE, inputs=False),
            submit("Campaigns", CardAction.CAMPAIGNS, inputs=False),
            submit("Deferred", CardAction.DEFERRED, inputs=False),
            submit("Digest", CardAction.SHOW_DIGEST, inputs=False),
            submit("Reports", CardAction.SHOW_REPORT, inputs=False),
            submit("Initiatives", CardAction.INITIATIVES, inputs=False),
        ],
    )


def for_the_pmo_card() -> CardMessage:
    """The answer to anyone else who asks for the hub or a campaign card (in their 1:1 chat:
    these requests are never answered where others read)."""
    text = ("This is for the PMO team, who run the portal and its calls for ideas. You can "
            "still suggest an idea at any time, or answer a call for ideas you were sent.")
    return card_message(
        [paragraph(text),
         paragraph("Type **help** to see what I can do for you.", subtle=True)],
        summary="This is for the PMO team",
        fallback_text=text,
        actions=[submit("New idea", CardAction.NEW_IDEA, inputs=False),
                 submit("How it works", CardAction.SHOW_HELP, inputs=False)],
    )
