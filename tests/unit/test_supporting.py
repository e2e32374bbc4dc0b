"""Suggestions while writing and supporting an idea: when the search runs, the buttons parsed at
the edge (forged data included), and the cards people see."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from support.cards import schema_errors, walk

from bot.config import Settings, SettingsError
from bot.domain.errors import InvalidText, Malformed
from bot.domain.intake import Draft, Step
from bot.domain.lifecycle import Decision, Move, Party
from bot.domain.moves import MAX_ID, SPECS
from bot.domain.requests import ContinueIntake, IntakeButton
from bot.domain.similar import Match, MatchKind
from bot.domain.supporters import (
    COMMENT_LIMIT,
    SUPPORTER_NOTICES,
    Standing,
    clean_comment,
    suggests_after,
    tells_supporters,
)
from bot.domain.text import Forged
from bot.presenters.suggesting import SEARCH_WAIT
from cards.actions import CardAction
from cards.decisions import DecisionCards
from cards.gallery import SAMPLE_IDEA, SAMPLE_ORGANISATION
from cards.requests import parse_card
from cards.suggestions import SAMPLE_MATCHES, comment_input, suggestions_card

TITLED = Draft(title="Docking stations", step=Step.PROBLEM, revision=1)
WRITTEN = replace(TITLED, problem="Cameras are flat at the start of a shift.",
                  step=Step.PROPOSAL, revision=2)


# When the search runs: once the title and the problem are given, never on every turn.

def test_the_turn_answering_the_problem_looks_for_similar_ideas() -> None:
    assert suggests_after(TITLED, WRITTEN, Step.PROBLEM)


@pytest.mark.parametrize(("before", "after", "step"), [
    # The title alone says too little yet.
    (Draft(), replace(Draft(), title="Docking stations", step=Step.PROBLEM), Step.TITLE),
    # Later answers: the proposal, the benefit, a category...
    (WRITTEN, replace(WRITTEN, proposal="Docks in every station", step=Step.BENEFIT),
     Step.PROPOSAL),
    (WRITTEN, replace(WRITTEN, category="process"), Step.CATEGORY),
    # From the check card, the title or problem given again unchanged.
    (replace(WRITTEN, step=Step.TITLE, editing=True), replace(WRITTEN, step=Step.CHECK),
     Step.TITLE),
    (replace(WRITTEN, step=Step.PROBLEM, editing=True), replace(WRITTEN, step=Step.CHECK),
     Step.PROBLEM),
])
def test_no_other_turn_does(before: Draft, after: Draft, step: Step) -> None:
    assert not suggests_after(before, after, step)


@pytest.mark.parametrize("step", [Step.TITLE, Step.PROBLEM])
def test_changing_the_title_or_problem_from_the_check_card_looks_again(step: Step) -> None:
    editing = replace(WRITTEN, step=step, editing=True)
    changed = replace(WRITTEN, step=Step.CHECK, **{step.value: "Something else entirely"})
    assert suggests_after(editing, changed, step)


def test_a_comment_is_optional_and_bounded() -> None:
    assert clean_comment(None) == ""
    assert clean_comment("  Same on nights.  ") == "Same on nights."
    with pytest.raises(InvalidText, match="limit is 1,000"):
        clean_comment("x" * (COMMENT_LIMIT + 1))
    with pytest.raises(InvalidText, match="must be text"):
        clean_comment(Forged())


def test_supporters_hear_of_moves_that_change_where_an_idea_stands_only() -> None:
    told = {move for move in Move if tells_supporters(move)}
    # The contributor is told of every such move but their own withdrawal, which supporters
    # hear of: they may have given up a draft of their own to back the idea.
    assert told == ({move for move, spec in SPECS.items() if spec.notice} - {Move.ASK,
                                                                            Move.UPDATE}
                    | {Move.WITHDRAW})
    assert all("you support" in notice.title for notice in SUPPORTER_NOTICES.values())


# The buttons, parsed once at the edge.

def support_press(**data: Any) -> dict[str, Any]:
    return {"action": CardAction.SUPPORT_IDEA.value, "draft": "d1", **data}


def test_support_names_the_idea_the_draft_and_the_comment() -> None:
    request = parse_card(support_press(idea=41, **{comment_input(41): "Same at Leeds."}))
    assert isinstance(request, ContinueIntake)
    assert (request.button, request.supports, request.draft, request.comment) == (
        IntakeButton.SUPPORT, 41, "d1", "Same at Leeds.")


def test_support_reads_only_the_comment_under_its_own_button() -> None:
    request = parse_card(support_press(idea=41, **{comment_input(12): "For another idea."}))
    assert isinstance(request, ContinueIntake)
    assert (request.supports, request.comment) == (41, None)


@pytest.mark.parametrize("idea", ["41", 41.5, True, 0, -3, MAX_ID + 1, None, [41]])
def test_a_forged_idea_is_none_and_so_refused_later(idea: Any) -> None:
    request = parse_card(support_press(idea=idea))
    assert isinstance(request, ContinueIntake)
    assert request.supports is None


def test_a_forged_comment_is_refused_kindly_or_unread() -> None:
    forged = parse_card(support_press(idea=41, **{comment_input(41): ["a", "list"]}))
    assert isinstance(forged, ContinueIntake) and isinstance(forged.comment, Forged)
    with pytest.raises(Malformed):
        parse_card(support_press(idea=41, **{comment_input(41): "x" * (COMMENT_LIMIT * 5)}))


@pytest.mark.parametrize(("action", "button"), [
    (CardAction.MINE_IS_DIFFERENT, IntakeButton.DIFFERENT),
    (CardAction.NO_NEED, IntakeButton.NO_NEED),
])
def test_carry_on_and_stop_name_the_draft_the_card_was_for(action: CardAction,
                                                           button: IntakeButton) -> None:
    request = parse_card({"action": action.value, "draft": "d1"})
    assert isinstance(request, ContinueIntake)
    assert (request.button, request.draft) == (button, "d1")


# The cards.

def supports(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [node["data"] for node in walk(card) if node.get("type") == "Action.Submit"
            and node["data"]["action"] == CardAction.SUPPORT_IDEA.value]


def test_each_idea_shown_may_be_supported_but_no_initiative() -> None:
    card = suggestions_card(SAMPLE_MATCHES, "d1").card
    assert schema_errors(card) == []
    assert supports(card) == [{"action": "intake.support", "idea": 41, "draft": "d1"},
                              {"action": "intake.support", "idea": 12, "draft": "d1"}]
    inputs = [node["id"] for node in walk(card) if node.get("type") == "Input.Text"]
    assert inputs == [comment_input(41), comment_input(12)]
    buttons = [a["title"] for a in card["actions"]]
    assert buttons == ["Mine is different", "That's it, no need"]


def test_ones_own_idea_and_one_supported_already_have_no_support_button() -> None:
    card = suggestions_card(SAMPLE_MATCHES, "d1",
                            {41: Standing.OWN, 12: Standing.SUPPORTING}).card
    assert supports(card) == []
    text = str(card)
    assert "This is your own idea." in text and "You support it already." in text


def test_an_initiative_with_the_id_of_ones_own_idea_is_still_just_shown() -> None:
    initiative = Match(MatchKind.INITIATIVE, 41, "INI-0041", "Fleet telematics", "Under way",
                       None, 0.5)
    card = suggestions_card([initiative], "d1", {41: Standing.OWN}).card
    assert "This is your own idea." not in str(card) and supports(card) == []


def test_a_supporters_notice_has_nothing_meant_for_the_contributor_alone() -> None:
    cards = DecisionCards(today=lambda: SAMPLE_IDEA.submitted_at.date())
    decision = Decision(move=Move.APPROVE, message="Pat: call me about it.")
    contributor = cards.contributor_notice(SAMPLE_IDEA, decision, SAMPLE_ORGANISATION, None)
    supporter = cards.supporter_notice(SAMPLE_IDEA, "The public title", decision,
                                       SAMPLE_ORGANISATION, None)
    assert "Pat: call me about it." in str(contributor.card)
    assert "Pat: call me about it." not in str(supporter.card)
    assert "The public title" in str(supporter.card)
    assert SAMPLE_IDEA.title not in str(supporter.card)
    assert not [node for node in walk(supporter.card)
                if node.get("type", "").startswith(("Input.", "Action."))]


def test_the_staff_card_shows_the_count_only_once_there_are_supporters() -> None:
    cards = DecisionCards(today=lambda: SAMPLE_IDEA.submitted_at.date())
    pmo = frozenset({Party.PMO})
    none = cards.idea_card(SAMPLE_IDEA, pmo, SAMPLE_ORGANISATION).card
    three = cards.idea_card(replace(SAMPLE_IDEA, supporters=3), pmo, SAMPLE_ORGANISATION).card
    facts = [f for node in walk(three) if node.get("type") == "FactSet"
             for f in node["facts"]]
    assert {"title": "Supporters", "value": "3"} in facts
    assert "Supporters" not in str(none)


def test_how_long_a_turn_waits_for_similar_ideas_is_a_setting() -> None:
    assert Settings.from_env({}).suggestions_wait == SEARCH_WAIT == 0.1
    assert Settings.from_env({"IIP_SUGGESTIONS_WAIT": "0.25"}).suggestions_wait == 0.25
    for wrong in ("0", "-1", "soon"):
        with pytest.raises(SettingsError):
            Settings.from_env({"IIP_SUGGESTIONS_WAIT": wrong})
