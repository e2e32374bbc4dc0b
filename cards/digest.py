"""The workforce's "you said, we did" digest, and the PMO's preview of it before it is sent."""

from __future__ import annotations

from microsoft_teams.cards.core import AdaptiveCard, CardElement, Container, ShowCardAction

from bot.domain.digest import Delivered, Digest
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    as_markdown_text,
    card_message,
    day_text,
    heading,
    paragraph,
    plain,
    subheading,
    submit,
)

SUMMARY = "You said, we did: ideas from colleagues now in place"


def digest_card(digest: Digest) -> CardMessage:
    """What everyone with the app receives: each delivered idea, who to thank and what it
    changed, and a way to suggest one of their own."""
    return card_message(
        _body(digest),
        summary=SUMMARY,
        fallback_text=(f"You said, we did: {_count(digest.total)} from colleagues delivered "
                       f"since {day_text(digest.covers_from)}. Type new idea to suggest one."),
        actions=[submit("Suggest an idea", CardAction.NEW_IDEA, inputs=False)],
    )


def digest_preview_card(digest: Digest, audience: int) -> CardMessage:
    """The digest exactly as everyone will see it, then, for the PMO member alone, who it
    would go to and the button that sends it."""
    sent = digest_card(digest)
    preview = Container(style="emphasis", spacing="ExtraLarge", separator=True, items=[
        subheading("Preview: only you can see this"),
        paragraph(f"Sending it goes to **{audience:,}** people with the app (those who "
                  "stopped campaign calls are left out)." if audience else
                  "Nobody has the app in a 1:1 chat yet, so there is nobody to send it to."),
    ]).model_dump(exclude_none=True, by_alias=True)
    card = {**sent.card, "body": [*sent.card["body"], preview]}
    if audience:
        confirm = ShowCardAction(title="Send to everyone", card=AdaptiveCard(
            body=[paragraph(f"This sends the digest above to **{audience:,}** people. A "
                            "message cannot be recalled once Teams has it.")],
            actions=[submit(f"Yes, send to {audience:,} people", CardAction.SEND_DIGEST,
                            inputs=False, digest=digest.id)]))
        card["actions"] = [*sent.card.get("actions", []),
                           confirm.model_dump(exclude_none=True, by_alias=True)]
    return CardMessage(card=card, summary=f"Preview: {SUMMARY}",
                       fallback_text=sent.fallback_text)


def digest_sent_card(digest: Digest) -> CardMessage:
    text = (f"The digest of {_count(digest.total)} is on its way to {digest.recipients:,} "
            "people. Teams allows about 50 messages a second, so everyone has it within "
            f"about {max(1, round(digest.recipients / 50 / 60)):,} minute(s).")
    return card_message([heading("Digest sent"), paragraph(text)], summary="Digest sent",
                        fallback_text=text)


def digest_refused_card(reason: str) -> CardMessage:
    return card_message([heading("The digest was not sent"), paragraph(reason)],
                        summary="The digest was not sent", fallback_text=reason.replace("**", ""))


def nothing_delivered_card(since_text: str) -> CardMessage:
    text = (f"No idea has been delivered since {since_text}, so there is no digest to send "
            "yet.")
    return card_message([heading("Nothing to tell yet"), paragraph(text)],
                        summary="No digest yet", fallback_text=text)


def _body(digest: Digest) -> list[CardElement]:
    body: list[CardElement] = [
        heading("You said, we did"),
        paragraph(f"Since {day_text(digest.covers_from)}, {_count(digest.total)} suggested "
                  "by colleagues across the force "
                  f"{'has' if digest.total == 1 else 'have'} been put in place. Thank you."),
    ]
    for entry in digest.entries:
        body.extend(_entry(entry))
    if digest.more:
        body.append(paragraph(f"... and {_count(digest.more)} more.", subtle=True))
    body.append(paragraph("Every idea is read and answered. Yours could be next.",
                          subtle=True))
    return body


def _entry(entry: Delivered) -> list[CardElement]:
    lines: list[CardElement] = [subheading(as_markdown_text(entry.title)),
                                plain(f"Suggested by {entry.credit}", italic=True)]
    if entry.what_changed:
        lines += [paragraph("What changed:", subtle=True), plain(entry.what_changed)]
    if entry.benefit_seen:
        lines += [paragraph("The difference it made:", subtle=True), plain(entry.benefit_seen)]
    return lines


def _count(ideas: int) -> str:
    return f"{ideas:,} idea" + ("" if ideas == 1 else "s")
