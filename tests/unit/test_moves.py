"""One spec per move: the staff card's form and the parser of its confirm button are both
derived from it, so they cannot drift apart; anything no card sends is Malformed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest
from support.cards import walk
from support.organisation import demo_organisation

from bot.domain.errors import Malformed
from bot.domain.ideas import DeclineReason, IdeaChange, IdeaDetail, Status
from bot.domain.lifecycle import TRANSITIONS, Decision, Party, change_for
from bot.domain.moves import (
    MAX_ID,
    MISSING,
    NO_SUCH_IDEA,
    SPECS,
    UNKNOWN,
    Input,
    InputKind,
    Move,
    parse_decide,
)
from cards.decisions import DecisionCards

STAFF = frozenset({Party.PMO, Party.SPOC})
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _idea(status: Status, **changes: Any) -> IdeaDetail:
    idea = IdeaDetail(id=7, reference="IIP-2026-0007", contributor_object_id="c", title="t",
                      problem="p", proposal="q", benefit="b", category_key="process",
                      portfolio_key="local-policing", campaign_key=None, named_publicly=False,
                      status=status, decline_reason=None, version=3, submitted_at=AT,
                      updated_at=AT)
    return dataclasses.replace(idea, **changes)


def _form(move: Move) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a member of staff sees of `move` on the idea's card: its ShowCard button, and
    what its confirm button would send with every input filled in."""
    status = next(at for (at, m), rule in TRANSITIONS.items() if m is move and rule.who & STAFF)
    card = DecisionCards(lambda: date(2026, 11, 2)).idea_card(
        _idea(status), STAFF, demo_organisation()).card
    [button] = [a for a in card["actions"] if a["card"]["actions"][0]["verb"] == move.value]
    confirm = button["card"]["actions"][0]
    # The inputs on the move's own form, and those on the card's body (the root causes).
    inputs = [n for n in walk(button["card"]) if n.get("type", "").startswith("Input.")]
    inputs += [n for n in walk({"body": card["body"]}) if n.get("type", "").startswith("Input.")]
    data = {**confirm["data"], **{n["id"]: f"{n['id']} answer" for n in inputs}}
    return button, data


BUTTONS = [move for move, spec in SPECS.items() if spec.button]


@pytest.mark.parametrize("move", BUTTONS)
def test_the_parser_reads_every_input_of_the_form_and_only_those(move: Move):
    _button, data = _form(move)
    own = {key for key in data if key.startswith(f"{move.value}.")}

    request = parse_decide(move.value, {**data, "actor": "someone", "pmo": True,
                                        "from": {"aadObjectId": "x"}, "other.message": 5})

    expected = own | ({"root_cause_problem", "root_cause_implicated"}
                      if move.spec.root_cause else set())
    assert set(request.answers) == expected
    assert all(request.answers[key] == f"{key} answer" for key in expected)
    assert (request.idea_id, request.version, request.move) == (7, 3, move)


def test_a_move_changed_in_its_spec_changes_the_form_and_the_parser_alike(monkeypatch):
    when = Input("when", InputKind.DATE, "When will it be ready?", "The day", required=True,
                 card_error="Please choose a day.", when_missing="Please choose the day.")
    spec = SPECS[Move.UPDATE]
    monkeypatch.setitem(SPECS, Move.UPDATE, dataclasses.replace(
        spec, button="Tell them", what_happens="Tell them when.", inputs=(when, *spec.inputs)))

    button, data = _form(Move.UPDATE)

    assert button["title"] == "Tell them"
    assert button["card"]["body"][0]["text"] == "Tell them when."
    assert button["card"]["actions"][0]["title"] == "Confirm: tell them"
    [date_input] = [n for n in walk(button["card"]) if n.get("type") == "Input.Date"]
    assert date_input["id"] == "update.when" and date_input["isRequired"] is True
    request = parse_decide("update", data)
    assert request.answer("when") == "update.when answer"
    with pytest.raises(Malformed, match="Please choose the day"):
        parse_decide("update", {**data, "update.when": 20270101})


def test_the_buttons_come_in_the_order_staff_expect_and_withdrawal_is_not_one():
    assert BUTTONS == [Move.ALLOCATE, Move.DECLINE_AT_TRIAGE, Move.APPROVE, Move.DECLINE,
                       Move.DEFER, Move.ESCALATE, Move.DELIVER, Move.REVISIT, Move.REOPEN,
                       Move.ASK, Move.UPDATE, Move.REALLOCATE]
    assert set(SPECS) == set(Move)


GOOD = {"idea": 7, "version": 3, "approve.message": "Yes"}


@pytest.mark.parametrize(("verb", "changes", "words"), [
    ("approve", {"idea": None}, MISSING),
    ("approve", {"idea": "7"}, MISSING),
    ("approve", {"idea": 7.0}, MISSING),
    ("approve", {"idea": True}, MISSING),
    ("approve", {"version": None}, MISSING),
    ("approve", {"version": False}, MISSING),
    ("approve", {"version": [3]}, MISSING),
    ("obliterate", {}, UNKNOWN),
    (["approve"], {}, UNKNOWN),
    (None, {}, UNKNOWN),
    ("approve", {"idea": 0}, NO_SUCH_IDEA),
    ("approve", {"idea": -1}, NO_SUCH_IDEA),
    ("approve", {"idea": MAX_ID + 1}, NO_SUCH_IDEA),
    ("approve", {"idea": 10**40}, NO_SUCH_IDEA),
    ("approve", {"approve.message": ["Yes"]}, "The message to the contributor must be text."),
    ("approve", {"root_cause_problem": 1},
     "Please answer both root-cause questions before you approve, decline or escalate."),
    ("allocate", {"allocate.portfolio": ["local-policing"]},
     "Please choose the portfolio to allocate it to."),
    ("allocate", {"allocate.portfolio": "x" * 201},
     "Please choose the portfolio to allocate it to."),
    ("approve", {"approve.message": "x" * 8001},
     "The message to the contributor is 8,001 characters long; the limit is 2,000."),
    ("decline", {"decline.duplicate_of": "IIP-2026-" + "9" * 5000},
     "Please give the reference of the original idea"),
], ids=repr)
def test_what_no_card_sends_is_malformed(verb: object, changes: dict[str, Any], words: str):
    with pytest.raises(Malformed) as problem:
        parse_decide(verb, {**GOOD, **changes})
    assert str(problem.value).startswith(words)
    assert str(problem.value).endswith(".")


def test_what_a_card_could_send_is_left_to_the_service_to_check():
    # Over the limit, but no more than a person might paste: the service says how long.
    request = parse_decide("approve", {**GOOD, "approve.message": "x" * 8000,
                                       "approve.note": None})
    assert request.answer("message") == "x" * 8000 and request.answer("note") is None
    # Root causes are read only for a move that needs them.
    assert parse_decide("update", {**GOOD, "root_cause_problem": 1}).answers == {}


@pytest.mark.parametrize(("sent", "kept"), [
    (0, 0), (-5, 0), (1, 1), (MAX_ID, MAX_ID), (MAX_ID + 1, MAX_ID + 1), (2**70, MAX_ID + 1)])
def test_a_version_out_of_range_is_bounded_and_still_older_or_newer(sent: int, kept: int):
    assert parse_decide("approve", {**GOOD, "version": sent}).version == kept


def test_every_notice_names_what_it_promises():
    idea = _idea(Status.BUSINESS_ASSESSMENT)
    cards = DecisionCards(lambda: date(2026, 11, 2))
    for move in BUTTONS:
        decision = Decision(move, reason=DeclineReason.DUPLICATE, revisit_on=date(2027, 1, 5))
        card = cards.contributor_notice(idea, decision, demo_organisation(), None)
        words = [n["text"] for n in walk(card.card) if isinstance(n.get("text"), str)]
        assert words and not any("{" in w for w in [*words, card.fallback_text]), move
    deferred = cards.contributor_notice(idea, Decision(Move.DEFER, revisit_on=date(2027, 1, 5)),
                                        demo_organisation(), None)
    assert "will be looked at again on 5 January 2027" in str(deferred.card)


def test_a_change_keeps_what_describes_the_new_status_and_drops_the_rest():
    declined = _idea(Status.DECLINED, decline_reason=DeclineReason.DUPLICATE,
                     duplicate_of="IIP-2026-0001", root_cause_problem="p",
                     root_cause_implicated="i")
    assert change_for(Decision(Move.UPDATE), Status.DECLINED, declined) == \
        IdeaChange.of(declined)
    reopened = change_for(Decision(Move.REOPEN), Status.SUBMITTED, declined)
    assert (reopened.status, reopened.decline_reason, reopened.duplicate_of) == (
        Status.SUBMITTED, None, None)
    assert (reopened.root_cause_problem, reopened.root_cause_implicated) == ("p", "i")
    deferred = change_for(Decision(Move.DEFER, revisit_on=date(2027, 1, 5)),
                          Status.DEFERRED, _idea(Status.BUSINESS_ASSESSMENT))
    assert deferred.revisit_on == date(2027, 1, 5)
    revisited = change_for(Decision(Move.REVISIT), Status.BUSINESS_ASSESSMENT,
                           _idea(Status.DEFERRED, revisit_on=date(2027, 1, 5)))
    assert revisited.revisit_on is None
    moved = change_for(Decision(Move.REALLOCATE, portfolio="crime-and-justice"),
                       Status.BUSINESS_ASSESSMENT, _idea(Status.BUSINESS_ASSESSMENT))
    assert moved.portfolio_key == "crime-and-justice"
