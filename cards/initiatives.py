"""The PMO's register of known initiatives (`initiatives`): the list, a page at a time, with
each entry's stage, portfolio and whether it is matched; and what an entry is after a change.
Next and Previous are Action.Execute buttons: Teams replaces the card in place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from microsoft_teams.cards.core import (
    Action,
    ActionSet,
    CardElement,
    Container,
    Fact,
    FactSet,
    OpenUrlAction,
)

from bot.domain.initiatives import Initiative
from bot.domain.listing import Window
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    as_markdown_text,
    card_message,
    heading,
    paragraph,
    plain,
    subheading,
    submit,
)
from cards.staff_lists import paging

_ABOUT = ("Change work under way and capabilities the force has. People writing an idea are "
          "shown those like it; a retired entry stays on record and is no longer shown.")


def register_card(initiatives: Sequence[Initiative], shown: Window, retired: int,
                  portfolios: Mapping[str, str]) -> CardMessage:
    """A page of the register, the active entries first, each with Edit and Retire (or
    Restore); `retired`: how many are retired in all."""
    total = shown.total
    summary = f"Known initiatives: {total:,}"
    body: list[CardElement] = [heading(summary), paragraph(_ABOUT, subtle=True)]
    if not initiatives:
        body.append(paragraph("The register is empty. Press **Add an initiative**, or import "
                              "a register kept elsewhere with iip initiatives import."))
    else:
        counts = f"{total - retired:,} matched, {retired:,} retired."
        pages = f" Page {shown.number:,} of {shown.pages:,}." if shown.pages > 1 else ""
        body.append(paragraph(counts + pages, subtle=True))
        body += [_entry(initiative, portfolios) for initiative in initiatives]
        buttons = paging(shown, "", lambda number: {
            "action": CardAction.INITIATIVES_PAGE.value, "page": number})
        if buttons:
            body.append(buttons)
    return card_message(
        body, summary=summary,
        fallback_text=f"{summary}, {retired:,} of them retired.",
        actions=[submit("Add an initiative", CardAction.NEW_INITIATIVE, inputs=False),
                 submit("PMO hub", CardAction.PMO_HUB, inputs=False)])


def initiative_card(initiative: Initiative, portfolios: Mapping[str, str],
                    said: str) -> CardMessage:
    """One entry as it now is, after `said` (what was done, in our words)."""
    body: list[CardElement] = [
        paragraph(said),
        subheading(initiative.reference), plain(initiative.title),
        plain(initiative.description),
        FactSet(facts=_facts(initiative, portfolios)),
    ]
    return card_message(
        body, summary=f"{initiative.reference}: {said}",
        fallback_text=f"{initiative.reference}: {said}",
        actions=[*_buttons(initiative),
                 submit("The register", CardAction.INITIATIVES, inputs=False)])


def not_found_card(message: str) -> CardMessage:
    """An initiative a button named is not in the register (forged, or from elsewhere)."""
    return card_message([paragraph(message)], summary="Not in the register",
                        fallback_text=message.replace("**", ""),
                        actions=[submit("The register", CardAction.INITIATIVES, inputs=False)])


def _entry(initiative: Initiative, portfolios: Mapping[str, str]) -> Container:
    items: list[CardElement] = [
        subheading(initiative.reference), plain(initiative.title),
        FactSet(facts=_facts(initiative, portfolios)),
        ActionSet(actions=_buttons(initiative))]
    return Container(separator=True, spacing="Medium", items=items)


def _facts(initiative: Initiative, portfolios: Mapping[str, str]) -> list[Fact]:
    portfolio = initiative.portfolio_key
    facts = [Fact(title="Stage", value=initiative.stage.label),
             Fact(title="Portfolio", value=as_markdown_text(
                 portfolios.get(portfolio, portfolio) if portfolio else "None")),
             Fact(title="Matched", value="Yes" if initiative.active else
                  "No: retired")]
    if initiative.contact:
        facts.append(Fact(title="Contact", value=as_markdown_text(initiative.contact)))
    return facts


def _buttons(initiative: Initiative) -> list[Action]:
    turn = (submit("Retire", CardAction.RETIRE_INITIATIVE, inputs=False,
                   initiative=initiative.id) if initiative.active else
            submit("Restore", CardAction.RESTORE_INITIATIVE, inputs=False,
                   initiative=initiative.id))
    buttons: list[Action] = [
        submit("Edit", CardAction.EDIT_INITIATIVE, inputs=False, initiative=initiative.id), turn]
    if initiative.link:  # checked a secure web address when it was kept
        buttons.append(OpenUrlAction(title="Read more", url=initiative.link))
    return buttons
