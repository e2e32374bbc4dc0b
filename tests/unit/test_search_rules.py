"""`search`'s rules and cards: typed with its words or alone, pressed from the welcome, text
that is only a reference, what colleagues may find, and results shown as written with no
names. Every card here is checked against the Adaptive Card 1.5 schema."""

from __future__ import annotations

import pytest
from support.cards import places_holding, schema_errors, typed, walk

from bot.domain.errors import Malformed
from bot.domain.requests import SearchIdeas, parse_typed
from bot.domain.search import reference_only
from bot.domain.similar import Match, MatchKind
from cards.actions import CardAction
from cards.private import next_step_for
from cards.requests import parse_card
from cards.search import results_card, search_card
from cards.welcome import welcome_card


def text_of(card: dict) -> str:
    return " ".join(str(node.get("text", "")) for node in walk(card))


def buttons(card: dict) -> dict[str, dict]:
    return {action["title"]: action for action in typed(card, "Action.")}


def test_search_is_typed_with_its_words_or_alone_and_pressed_from_the_welcome():
    assert parse_typed("search custody handovers").request == SearchIdeas("custody handovers")
    assert parse_typed("Search").request == SearchIdeas("")
    # Within a submission, words that begin with "search" may be an answer.
    assert parse_typed("Search of detainees takes too long").continues is not None
    welcome = welcome_card("Alex").card
    button = buttons(welcome)["Search earlier ideas"]
    asked = parse_card(button["data"])
    assert asked == SearchIdeas()
    assert next_step_for(asked).action is CardAction.ASK_SEARCH
    [box] = [n for n in walk(search_card().card) if n.get("type") == "Input.Text"]
    searched = parse_card(buttons(search_card().card)["Search"]["data"]
                          | {box["id"]: "bwv at custody"})
    assert searched == SearchIdeas("bwv at custody")
    with pytest.raises(Malformed):
        parse_card({"action": CardAction.SEARCH, box["id"]: "x" * 5000})


@pytest.mark.parametrize(("text", "reference"), [
    ("IIP-2026-0042", "IIP-2026-0042"), ("  iip-2026-0042. ", "IIP-2026-0042"),
    ("IIP-2026-0042 custody", "IIP-2026-0042"),
    ("IIP-2026-0042 custody handover delays", None), ("custody handover delays", None),
    ("2026-0042", None),
])
def test_text_that_is_only_a_reference_looks_that_idea_up(text, reference):
    assert reference_only(text) == reference


def test_results_show_reference_title_status_and_outcome_as_written_and_no_names():
    hostile = "**BWV** [here](http://x) <b>"
    matches = [Match(MatchKind.IDEA, 1, "IIP-2026-0001", hostile, "Delivered", hostile, 0.9,
                     supporters=2),
               Match(MatchKind.INITIATIVE, 3, "INI-0003", "Custody BWV uploads", "Under way",
                     None, 0.5)]

    card = results_card("bwv custody", matches).card

    assert schema_errors(card) == []
    said = text_of(card)
    assert "IIP-2026-0001" in said and "INI-0003 · Known initiative" in said
    assert "2 found, the closest first" in said
    # Typed by people: only ever a TextRun's text, never Markdown.
    assert places_holding(card, hostile) and all(
        "TextRun" in place for place in places_holding(card, hostile))
    none = results_card("IIP-2026-0099", [], reference="IIP-2026-0099").card
    assert "no idea IIP-2026-0099 that colleagues can see" in text_of(none)
