"""Cards of similar ideas shown while writing one, and of supporting an idea instead."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date

from microsoft_teams.cards.core import (
    ActionSet,
    AdaptiveCard,
    CardElement,
    Container,
    Fact,
    FactSet,
    ShowCardAction,
    TextInput,
)

from bot.domain.duplicates import Original
from bot.domain.ideas import DeclineReason, IdeaDetail, Status
from bot.domain.lifecycle import Decision, Move, Party
from bot.domain.organisation import Organisation
from bot.domain.similar import Match, MatchKind, Visibility
from bot.domain.supporters import COMMENT_LIMIT, Standing
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    card_message,
    heading,
    paragraph,
    plain,
    problem,
    subheading,
    submit,
)
from cards.decisions import DecisionCards
from cards.ideas import timeline_card

MINE_IS_DIFFERENT = "Mine is different"
NO_NEED = "That's it, no need"


def comment_input(idea_id: int) -> str:
    """The id of the comment input under one suggestion's Support button (one per idea, so
    that the ids of a card's inputs stay unique)."""
    return f"comment-{idea_id}"


def suggestions_card(matches: Sequence[Match], draft_id: str,
                     standing: Mapping[int, Standing] | None = None) -> CardMessage:
    """Ideas and initiatives like the one being written, best first: carry on, stop, or
    support one of the ideas instead. `standing`: what the writer already is to an idea
    shown (its contributor, or a supporter), by its id; they cannot support it then."""
    standing = standing or {}
    body: list[CardElement] = [
        heading("Is it one of these?"),
        paragraph("Colleagues have suggested ideas like yours, or the force has work like it "
                  "already. If yours is different, carry on: the next question is below. If "
                  "one of these ideas is yours too, you can support it instead: its business "
                  "lead is told and you hear of every decision on it."),
    ]
    for match in matches:
        body.append(_suggestion(match, draft_id, standing.get(match.item_id)
                                if match.kind is MatchKind.IDEA else None))
    return card_message(
        body,
        summary="Ideas like yours already exist",
        fallback_text="Some similar ideas already exist. Carry on with yours, or type cancel.",
        actions=[submit(MINE_IS_DIFFERENT, CardAction.MINE_IS_DIFFERENT, inputs=False,
                        draft=draft_id),
                 submit(NO_NEED, CardAction.NO_NEED, inputs=False, draft=draft_id)],
    )


def _suggestion(match: Match, draft_id: str, standing: Standing | None) -> Container:
    """One match: what it is, where it stands, and (an idea the writer may support) Support."""
    facts = [Fact(title="Status", value=match.status)]
    if match.outcome:
        facts.append(Fact(title="Outcome", value=match.outcome))
    if match.supporters:
        facts.append(Fact(title="Supporters", value=f"{match.supporters:,}"))
    kind = "Idea" if match.kind is MatchKind.IDEA else "Known initiative"
    items: list[CardElement] = [subheading(f"{kind} {match.reference}"), plain(match.title),
                                FactSet(facts=facts)]
    if match.kind is MatchKind.INITIATIVE:
        pass  # the register's work, not an idea: nothing to support
    elif standing is Standing.OWN:
        items.append(paragraph("This is your own idea.", subtle=True))
    elif standing is Standing.SUPPORTING:
        items.append(paragraph("You support it already.", subtle=True))
    else:
        items.append(ActionSet(actions=[_support_action(match, draft_id)]))
    return Container(separator=True, spacing="Medium", items=items)


def _support_action(match: Match, draft_id: str) -> ShowCardAction:
    """Support: opens a comment box and the button that supports the idea, discarding the
    draft."""
    return ShowCardAction(title=f"Support {match.reference}", card=AdaptiveCard(
        version="1.5",
        body=[paragraph("Supporting it discards your draft: you follow this idea instead "
                        "and hear of every decision on it. What would you add? Its business "
                        "lead and the PMO read it; other colleagues do not."),
              TextInput(id=comment_input(match.item_id),
                        label=f"Your comment (optional, up to {COMMENT_LIMIT:,} characters)",
                        is_multiline=True, max_length=COMMENT_LIMIT)],
        actions=[submit(f"Support {match.reference}", CardAction.SUPPORT_IDEA,
                        idea=match.item_id, draft=draft_id).with_style("positive")],
    ))


def carry_on_card() -> CardMessage:
    """Mine is different: the next question is already there."""
    text = "Carry on with yours: the next question is just above."
    return card_message([paragraph(text)], summary="Carry on with your idea",
                        fallback_text=text)


def no_need_card() -> CardMessage:
    """That's it, no need: the draft is discarded."""
    text = ("Thank you for checking first: it saves everyone time. Your draft is discarded. "
            "Type **new idea** whenever you have another.")
    return card_message([paragraph(text)], summary="Your draft is discarded",
                        fallback_text=text.replace("**", ""),
                        actions=[submit("New idea", CardAction.NEW_IDEA, inputs=False)])


def supported_card(reference: str, *, already: bool, discarded: bool) -> CardMessage:
    """The writer supports `reference` now (or did already); `discarded`: their draft went."""
    said = (f"You support {reference} already, so you will hear of every decision on it here."
            if already else
            f"Thank you: you now support {reference}. Its business lead is told, and you will "
            "hear of every decision on it here.")
    body: list[CardElement] = [heading(f"You support {reference}"), paragraph(said)]
    if discarded:
        body.append(paragraph("Your draft is discarded.", subtle=True))
    return card_message(body, summary=f"You support {reference}",
                        fallback_text=said + (" Your draft is discarded." if discarded else ""))


def support_refused_card(reason: str) -> CardMessage:
    """Support refused with no idea in progress: why, and that nothing changed."""
    return card_message([problem(reason),
                         paragraph("Type **new idea** whenever you want to suggest one.",
                                   subtle=True)],
                        summary="Nothing changed", fallback_text=reason,
                        actions=[submit("New idea", CardAction.NEW_IDEA, inputs=False)])


def new_supporter_card(idea: IdeaDetail, supporter: str, comment: str) -> CardMessage:
    """For the idea's staff: who supports it now, what they added, and how many do."""
    who = supporter or "A colleague"
    body: list[CardElement] = [heading(f"A colleague supports {idea.reference}"),
                               plain(idea.title),
                               plain(f"{who} supports it instead of submitting an idea of "
                                     "their own.", italic=True)]
    if comment:
        body += [paragraph("What they add:", subtle=True), plain(comment)]
    body.append(FactSet(facts=[Fact(title="Supporters", value=f"{idea.supporters:,}")]))
    return card_message(body, summary=f"A colleague supports {idea.reference}",
                        fallback_text=f"A colleague supports {idea.reference}.",
                        actions=[submit("Open the idea", CardAction.OPEN_IDEA, inputs=False,
                                        reference=idea.reference)])


SAMPLE_MATCHES = (
    Match(MatchKind.IDEA, 41, "IIP-2026-0041", "Body-worn video docking in every custody suite",
          "Approved", "Approved: docks are being fitted over the winter.", 0.82, supporters=3),
    Match(MatchKind.INITIATIVE, 7, "INI-0007", "Digital evidence management rollout",
          "Under way", None, 0.61),
    Match(MatchKind.IDEA, 12, "IIP-2026-0012", "BWV upload from patrol cars",
          "Declined: duplicate", "Declined as a duplicate of IIP-2026-0041.", 0.55),
)


def support_gallery(idea: IdeaDetail,
                    organisation: Organisation) -> Iterator[tuple[str, CardMessage]]:
    """Every card of suggesting and supporting with sample data (`idea`, `organisation`), for
    the gallery."""
    yield "suggestions", suggestions_card(SAMPLE_MATCHES, "d1")
    yield "suggestions-own-and-supporting", suggestions_card(
        SAMPLE_MATCHES, "d1", {41: Standing.OWN, 12: Standing.SUPPORTING})
    yield "suggestions-carry-on", carry_on_card()
    yield "suggestions-no-need", no_need_card()
    yield "supported", supported_card("IIP-2026-0041", already=False, discarded=True)
    yield "supported-already", supported_card("IIP-2026-0041", already=True, discarded=False)
    yield "support-refused", support_refused_card(
        "IIP-2026-0041 is your own idea, so you cannot support it. Nothing changed.")
    backed = replace(idea, supporters=3)
    yield "new-supporter-for-staff", new_supporter_card(
        backed, "Megan Bowen", "The same happens on nights at Leeds: we lose an hour a shift.")
    cards = DecisionCards(today=lambda: date(2026, 11, 25))
    yield "staff-supported", cards.idea_card(backed, frozenset({Party.PMO, Party.SPOC}),
                                             organisation)
    yield "idea-timeline-supported", timeline_card(backed)
    for move in (Move.DECLINE, Move.DELIVER, Move.WITHDRAW):
        decision = Decision(move=move, message="For the contributor alone.",
                            reason=DeclineReason.DUPLICATE if move is Move.DECLINE else None,
                            what_changed="Officers now use tablets."
                            if move is Move.DELIVER else None)
        yield f"supporter-{move.value}", cards.supporter_notice(
            backed, "Digital pocket notebooks", decision, organisation,
            Original(7, "IIP-2026-0007", "Tablets for notebooks", Status.APPROVED,
                     Visibility.PRIVATE) if move is Move.DECLINE else None)
