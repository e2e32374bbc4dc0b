"""Similar ideas on a staff card, and the one-press "Decline as duplicate of IIP-…": who sees the
button, what it carries, how its press is read back, and which originals may be named."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from support.cards import schema_errors, walk
from support.decisions import text_of
from support.organisation import demo_organisation

from bot.domain.duplicates import (
    DECLINE_DUPLICATE,
    DUPLICATE_MESSAGE,
    DeclineDuplicate,
    Original,
    original_refusal,
    parse_decline_duplicate,
)
from bot.domain.errors import Malformed
from bot.domain.ideas import IdeaDetail, Status
from bot.domain.lifecycle import Party
from bot.domain.moves import MAX_ID, MISSING, NO_SUCH_IDEA, Move
from bot.domain.similar import Match, MatchKind, Visibility
from cards.decisions import DecisionCards
from cards.requests import parse_execute

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
PMO = frozenset({Party.PMO})
SPOC = frozenset({Party.SPOC})
STAFF = frozenset({Party.PMO, Party.SPOC})
LIKELY = Match(MatchKind.IDEA, 3, "IIP-2026-0003", "Tablets for notebooks", "Approved", None,
               0.83, likely_duplicate=True, supporters=2)
LOOSER = Match(MatchKind.IDEA, 4, "IIP-2026-0004", "Pocket notebooks on phones",
               "Declined", "Declined: duplicate of IIP-2025-0107.", 0.52)
INITIATIVE = Match(MatchKind.INITIATIVE, 1, "INI-0001", "Mobile working programme",
                   "Under way", None, 0.91, likely_duplicate=True)
MATCHES = (INITIATIVE, LIKELY, LOOSER)


def _idea(status: Status, **changes: Any) -> IdeaDetail:
    idea = IdeaDetail(id=7, reference="IIP-2026-0007", contributor_object_id="c",
                      title="Digital notebooks", problem="p", proposal="q", benefit="b",
                      category_key="process", portfolio_key="local-policing",
                      campaign_key=None, named_publicly=False, status=status,
                      decline_reason=None, version=3, submitted_at=AT, updated_at=AT,
                      matches=MATCHES)
    return dataclasses.replace(idea, **changes)


def _card(idea: IdeaDetail, viewer: frozenset[Party]) -> dict[str, Any]:
    card = DecisionCards(lambda: date(2026, 11, 2)).idea_card(
        idea, viewer, demo_organisation()).card
    assert schema_errors(card) == []
    return card


def _one_press(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in walk(card) if node.get("verb") == DECLINE_DUPLICATE]


# The card


def test_the_triage_card_lists_the_matches_with_a_one_press_decline_on_the_likely_duplicate():
    card = _card(_idea(Status.SUBMITTED), PMO)
    words = text_of(card)
    for match in MATCHES:
        assert f"{match.reference}: {match.title}" in words
    assert "Initiative · Under way · very close" in words
    assert "Idea · Approved · very close · 2 supporters" in words
    assert "Idea · Declined · similar" in words
    assert "Declined: duplicate of IIP-2025-0107." in words
    [button] = _one_press(card)
    assert button["title"] == "Decline as duplicate of IIP-2026-0003"
    assert button["type"] == "Action.Execute"
    # Only the references and the version: the rest is decided when it is pressed.
    assert button["data"] == {"action": DECLINE_DUPLICATE, "idea": 7, "version": 3,
                              "original": "IIP-2026-0003"}
    assert "root-cause" not in words


def test_the_button_reads_back_as_the_press_it_stands_for():
    [button] = _one_press(_card(_idea(Status.SUBMITTED), PMO))
    request = parse_execute(button["verb"], button["data"])
    assert request == DeclineDuplicate(7, 3, "IIP-2026-0003", {})
    decide = request.as_decide(Status.SUBMITTED)
    assert decide.move is Move.DECLINE_AT_TRIAGE
    assert dict(decide.answers) == {"decline_at_triage.reason": "duplicate",
                                    "decline_at_triage.duplicate_of": "IIP-2026-0003",
                                    "decline_at_triage.message": DUPLICATE_MESSAGE}


@pytest.mark.parametrize("status", [Status.BUSINESS_ASSESSMENT, Status.ESCALATED])
def test_in_assessment_the_button_asks_for_the_root_causes_on_the_card_first(status):
    card = _card(_idea(status), STAFF)
    assert "answer both first" in text_of(card)
    [button] = _one_press(card)
    assert button["title"] == "Decline as duplicate of IIP-2026-0003"
    # It sends the card's inputs: the root-cause answers are on the card's body.
    assert button.get("associatedInputs", "auto") == "auto"
    ids = {n["id"] for n in walk({"body": card["body"]}) if "id" in n}
    assert {"root_cause_problem", "root_cause_implicated"} <= ids


@pytest.mark.parametrize(("status", "viewer"), [
    (Status.SUBMITTED, SPOC),  # a business lead does not triage
    (Status.SUBMITTED, frozenset()),  # nothing to do on it
    (Status.SUBMITTED, frozenset({Party.CONTRIBUTOR, Party.RECUSED})),  # their own idea
])
def test_only_those_who_may_decline_now_get_the_button(status, viewer):
    card = _card(_idea(status), viewer)
    assert "IIP-2026-0003: Tablets for notebooks" in text_of(card)
    assert _one_press(card) == []


@pytest.mark.parametrize("status", [Status.APPROVED, Status.DEFERRED, Status.DECLINED,
                                    Status.DELIVERED, Status.WITHDRAWN])
def test_a_decided_idea_shows_no_matches(status):
    card = _card(_idea(status), STAFF)
    assert "Similar ideas" not in text_of(card)
    assert _one_press(card) == []


def test_before_the_search_nothing_shows_and_after_an_empty_one_the_card_says_so():
    assert "Similar ideas" not in text_of(_card(_idea(Status.SUBMITTED, matches=None), PMO))
    words = text_of(_card(_idea(Status.SUBMITTED, matches=()), PMO))
    assert "No similar ideas or known initiatives were found." in words


def test_a_title_with_markdown_is_shown_as_written():
    hostile = dataclasses.replace(LIKELY, title="**Tablets** [here](http://x)")
    card = _card(_idea(Status.SUBMITTED, matches=(hostile,)), PMO)
    [run] = [n for n in walk(card) if n.get("type") == "TextRun"
             and "Tablets" in n.get("text", "")]
    assert run["text"] == "IIP-2026-0003: **Tablets** [here](http://x)"


# The press


def _data(**changes: Any) -> dict[str, Any]:
    return {"action": DECLINE_DUPLICATE, "idea": 7, "version": 3,
            "original": "IIP-2026-0003"} | changes


def test_the_press_reads_the_root_causes_and_nothing_else_from_the_card():
    request = parse_decline_duplicate(_data(
        root_cause_problem="Paper forms", root_cause_implicated="Crime recording",
        **{"decline.message": "forged words", "decline.reason": "not_viable"}))
    assert dict(request.root_causes) == {"root_cause_problem": "Paper forms",
                                         "root_cause_implicated": "Crime recording"}
    decide = request.as_decide(Status.BUSINESS_ASSESSMENT)
    assert decide.move is Move.DECLINE
    assert dict(decide.answers) == {"decline.reason": "duplicate",
                                    "decline.duplicate_of": "IIP-2026-0003",
                                    "decline.message": DUPLICATE_MESSAGE,
                                    "root_cause_problem": "Paper forms",
                                    "root_cause_implicated": "Crime recording"}
    # At triage no root cause is asked for, so none is passed on.
    assert "root_cause_problem" not in request.as_decide(Status.SUBMITTED).answers


def test_an_older_or_newer_version_is_kept_within_bounds():
    assert parse_decline_duplicate(_data(version=-5)).version == 0
    assert parse_decline_duplicate(_data(version=2**40)).version == MAX_ID + 1


@pytest.mark.parametrize(("data", "words"), [
    (_data(idea=None), MISSING),
    (_data(idea=True), MISSING),
    (_data(idea="7"), MISSING),
    (_data(version=None), MISSING),
    (_data(original=None), MISSING),
    (_data(original=42), MISSING),
    (_data(original="the other one"), MISSING),
    (_data(original="IIP-2026-0003 and IIP-2026-0004"), MISSING),
    (_data(original="IIP-2026-" + "9" * 5000), MISSING),
    (_data(idea=0), NO_SUCH_IDEA),
    (_data(idea=MAX_ID + 1), NO_SUCH_IDEA),
    (_data(root_cause_problem=["a list"]), "Please answer both root-cause questions"),
    (_data(root_cause_problem="x" * 4001), "The problem behind the idea is 4,001 characters"),
])
def test_a_press_no_card_sends_is_malformed(data, words):
    with pytest.raises(Malformed, match=re.escape(words)):
        parse_decline_duplicate(data)


# The original


def _original(status: Status = Status.APPROVED, visibility: Visibility = Visibility.SHARED,
              public_title: str | None = None) -> Original:
    return Original(3, "IIP-2026-0003", "Tablets for notebooks", status, visibility,
                    public_title)


@pytest.mark.parametrize(("reference", "original", "words"), [
    ("IIP-2026-0007", None, "An idea cannot be a duplicate of itself."),
    ("IIP-2026-0099", None, "There is no idea IIP-2026-0099."),
    ("IIP-2026-0003", _original(Status.WITHDRAWN), "was withdrawn by its contributor"),
    ("IIP-2026-0003", _original(visibility=Visibility.HIDDEN), "is hidden by the PMO team"),
    ("IIP-2026-0003", replace(_original(Status.DECLINED), duplicate_of="IIP-2026-0007"),
     "was itself declined as a duplicate of IIP-2026-0007"),
])
def test_an_original_that_cannot_be_named_is_refused_with_the_reason(reference, original,
                                                                     words):
    assert words in (original_refusal(reference, "IIP-2026-0007", original) or "")


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.DECLINED, Status.DELIVERED])
@pytest.mark.parametrize("visibility", [Visibility.SHARED, Visibility.PRIVATE])
def test_any_other_original_may_be_named(status, visibility):
    assert original_refusal("IIP-2026-0003", "IIP-2026-0007",
                            _original(status, visibility)) is None
    # Declined as a duplicate of a third idea: the two share an original.
    assert original_refusal("IIP-2026-0003", "IIP-2026-0007", replace(
        _original(status, visibility), duplicate_of="IIP-2026-0001")) is None


def test_the_original_is_named_to_a_colleague_as_colleagues_may_see_it():
    assert _original().named_as == "Tablets for notebooks"
    assert _original(public_title="Tablets").named_as == "Tablets"
    assert _original(visibility=Visibility.PRIVATE).named_as is None
    assert _original(visibility=Visibility.HIDDEN, public_title="Tablets").named_as is None
