"""Who may find an idea by searching: the contributor's choice on the check card, what a draft
from before that choice was offered becomes, the PMO's changes as their card sends them, and
`search`'s rules. Every card here is checked against the Adaptive Card 1.5 schema."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.cards import schema_errors, typed, walk

from bot.domain.errors import InvalidText, Malformed
from bot.domain.ideas import IdeaDetail, Status
from bot.domain.intake import (
    Step,
    keep_private,
    offer_sharing,
    sharing_choice,
    visibility_of,
)
from bot.domain.lifecycle import Party
from bot.domain.requests import ContinueIntake, IntakeButton, parse_typed
from bot.domain.similar import Visibility
from bot.domain.visibility import (
    CHOICE_INPUT,
    TITLE_INPUT,
    ChangeFindability,
    Findability,
    changed,
    parse_change,
)
from cards.actions import CardAction
from cards.decisions import DecisionCards
from cards.gallery import SAMPLE_CHOICES, SAMPLE_DRAFT, SAMPLE_IDEA, SAMPLE_ORGANISATION
from cards.help import FAQS
from cards.intake import check_card
from cards.requests import parse_card, parse_execute
from storage.ideas import draft_from_json, draft_to_json

CHECK = replace(SAMPLE_DRAFT, private=None, step=Step.CHECK, revision=9)


def text_of(card: dict) -> str:
    return " ".join(str(node.get("text", "")) for node in walk(card))


def buttons(card: dict) -> dict[str, dict]:
    return {action["title"]: action for action in typed(card, "Action.")}


# The contributor's choice

def test_a_draft_reaching_its_check_is_shared_by_default_and_a_stale_check_card_cannot_send_it():
    offered = offer_sharing(CHECK)

    assert offered.private is False
    assert visibility_of(offered) is Visibility.SHARED
    # The card shown before the choice was offered carries the old revision: refused.
    assert offered.revision == CHECK.revision + 1
    assert offer_sharing(offered) is offered
    assert offer_sharing(keep_private(offered, True)).private is True


def test_a_draft_from_before_the_choice_existed_loads_and_is_submitted_private():
    stored = draft_to_json(CHECK)
    del stored["private"]  # as drafts were kept before

    loaded = draft_from_json(stored)

    assert loaded == CHECK
    # Its contributor was told only the PMO and the business leads would read it.
    assert visibility_of(loaded) is Visibility.PRIVATE
    assert draft_from_json(draft_to_json(keep_private(CHECK, False))).private is False


def test_keeping_it_private_moves_the_revision_only_when_the_choice_changes():
    shared = offer_sharing(CHECK)

    private = keep_private(shared, True)

    assert (private.private, private.revision) == (True, shared.revision + 1)
    assert visibility_of(private) is Visibility.PRIVATE
    assert keep_private(private, True) is private


@pytest.mark.parametrize(("typed_words", "private"), [
    ("keep it private", True), ("Keep it PRIVATE.", True), ("private", True),
    ("share it", False), ("Let colleagues find it", False), ("shared!", False),
    ("submit", None), ("I would rather keep it private if I may", None), ("", None),
    ("private " * 50, None),
])
def test_the_choice_can_be_typed_at_the_check(typed_words, private):
    assert sharing_choice(typed_words) is private
    # Typed, it reaches the submission as an answer (no command is made of it).
    if private is not None:
        assert parse_typed(typed_words).continues == ContinueIntake(text=typed_words)


def test_the_check_card_says_plainly_what_colleagues_see_with_the_choice_to_keep_it_private():
    shared = check_card("d1", offer_sharing(CHECK), SAMPLE_CHOICES).card
    private = check_card("d1", keep_private(CHECK, True), SAMPLE_CHOICES).card

    for card in (shared, private):
        assert schema_errors(card) == []
    said = text_of(shared)
    assert "Colleagues can find it" in said
    assert "never your name" in said and "title" in said and "outcome" in said
    keep = buttons(shared)["Keep it private"]
    pressed = parse_card(keep["data"])
    assert isinstance(pressed, ContinueIntake)
    assert (pressed.button, pressed.answer, pressed.step, pressed.revision) == (
        IntakeButton.SHARING, "private", Step.CHECK.value, CHECK.revision + 1)
    assert "Kept private" in text_of(private)
    assert "Keep it private" not in buttons(private)
    assert parse_card(buttons(private)["Let colleagues find it"]["data"]).answer == "shared"


def test_help_no_longer_promises_only_staff_read_an_idea():
    answers = dict(FAQS)

    assert "search" in answers["Who sees my idea?"]
    assert "never your name" in answers["Who sees my idea?"]
    assert "keep it private" in answers["Who sees my idea?"]
    assert "before searching began stay private" in answers["Who sees my idea?"]


# The PMO's card

def idea(**changes) -> IdeaDetail:
    return replace(SAMPLE_IDEA, status=Status.SUBMITTED, version=1, **changes)


def findability_form(card: dict) -> dict:
    [form] = [a["card"] for a in typed(card, "Action.ShowCard")
              if a["title"] == "Change who may find it"]
    return form


def test_only_the_pmo_sees_who_may_find_an_idea_and_can_change_it():
    cards = DecisionCards(today=lambda: SAMPLE_IDEA.submitted_at.date())
    seen = idea(visibility=Visibility.SHARED, public_title="Digital notebooks")

    pmo = cards.idea_card(seen, frozenset({Party.PMO}), SAMPLE_ORGANISATION).card
    spoc = cards.idea_card(replace(seen, status=Status.BUSINESS_ASSESSMENT),
                           frozenset({Party.SPOC}), SAMPLE_ORGANISATION).card

    assert schema_errors(pmo) == []
    assert "Shown as: Digital notebooks" in text_of(pmo)
    form = findability_form(pmo)
    inputs = {node["id"]: node for node in walk(form) if "id" in node}
    assert inputs[CHOICE_INPUT]["value"] == "shared"
    assert inputs[TITLE_INPUT]["value"] == "Digital notebooks"
    [confirm] = typed(form, "Action.Execute")
    pressed = parse_execute(confirm["verb"], confirm["data"] | {CHOICE_INPUT: "hidden"})
    assert pressed == ChangeFindability(seen.id, Findability(Visibility.SHARED,
                                                             "Digital notebooks").state,
                                        Visibility.HIDDEN, None)
    assert "Change who may find it" not in {a.get("title") for a in walk(spoc)}
    assert "Who may find it" not in text_of(spoc)


@pytest.mark.parametrize("data", [
    {},
    {"idea": 7},
    {"idea": "7", "shown": "abc"},
    {"idea": 0, "shown": "abc"},
    {"idea": 7, "shown": ["abc"]},
    {"idea": 7, "shown": "abc", TITLE_INPUT: ["x"]},
    {"idea": 7, "shown": "abc", TITLE_INPUT: "x" * 5000},
])
def test_a_press_no_card_sends_is_malformed(data):
    with pytest.raises(Malformed):
        parse_change({"action": CardAction.FINDABILITY, **data})


def test_a_choice_no_card_offers_is_refused_and_a_public_title_is_one_bounded_line():
    pressed = parse_change({"idea": 7, "shown": "abc", CHOICE_INPUT: "everyone"})
    before = Findability(Visibility.PRIVATE)

    assert pressed.visibility is None
    with pytest.raises(InvalidText):
        changed(before, pressed.visibility, None)
    assert changed(before, Visibility.SHARED, "  Body worn\nvideo  ") == Findability(
        Visibility.SHARED, "Body worn video")
    assert changed(before, Visibility.SHARED, "   ").public_title is None
    with pytest.raises(InvalidText, match="limit is 200"):
        changed(before, Visibility.SHARED, "x" * 201)


def test_every_setting_has_its_own_state_so_a_card_showing_another_is_out_of_date():
    settings = [Findability(v, t) for v in Visibility for t in (None, "A", "B")]

    assert len({s.state for s in settings}) == len(settings)
