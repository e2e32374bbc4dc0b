"""Every card the bot sends: valid Adaptive Card 1.5, accessible, small, safe with typed text."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from support.cards import CARD_SIZE_LIMIT, places_holding, schema_errors, typed, walk
from support.cli import run_cli

from bot.domain.feedback import Feedback, Rating
from bot.domain.messages import CardMessage
from cards.actions import CardAction
from cards.feedback import feedback_for_pmo_card, feedback_form_card
from cards.gallery import gallery
from cards.help import help_card
from cards.requests import feedback_form_of

GALLERY = list(gallery())
NAMES = [name for name, _ in GALLERY]
HOSTILE = "**bold** [link](http://x) <b>"


@pytest.fixture(params=GALLERY, ids=NAMES)
def message(request: pytest.FixtureRequest) -> CardMessage:
    return request.param[1]


def test_the_gallery_names_are_unique_and_file_safe() -> None:
    assert len(NAMES) == len(set(NAMES)) >= 10
    assert all(name.replace("-", "").isalnum() and name == name.lower() for name in NAMES)


def test_card_is_valid_adaptive_card_1_5(message: CardMessage) -> None:
    assert message.card["type"] == "AdaptiveCard"
    assert message.card["version"] == "1.5"
    assert schema_errors(message.card) == []


@pytest.mark.parametrize(
    "break_it",
    [
        pytest.param(lambda c: c.update(colour="blue"), id="unknown-root-key"),
        pytest.param(lambda c: c["body"].append({"type": "Input.Text", "label": "No id"}),
                     id="input-without-id"),
        pytest.param(lambda c: c["body"].append({"type": "TextBlok", "text": "typo"}),
                     id="unknown-element"),
        pytest.param(lambda c: c["body"].append({"type": "TextBlock"}), id="text-without-text"),
        pytest.param(lambda c: c["actions"].append({"type": "Action.Submit", "style": "loud"}),
                     id="bad-action-style"),
    ],
)
def test_the_validator_rejects_a_broken_card(break_it) -> None:
    card = copy.deepcopy(dict(GALLERY)["feedback-form"].card)
    assert schema_errors(card) == []
    break_it(card)
    assert schema_errors(card) != []


def test_card_has_a_summary_and_fallback_text(message: CardMessage) -> None:
    assert message.summary.strip()
    assert message.fallback_text.strip()
    assert message.card["fallbackText"] == message.fallback_text


def test_every_input_has_an_id_and_a_label(message: CardMessage) -> None:
    inputs = typed(message.card, "Input.")
    ids = [i.get("id") for i in inputs]
    assert all(isinstance(i, str) and i for i in ids), inputs
    assert len(ids) == len(set(ids))
    unlabelled = [i for i in inputs if not str(i.get("label", "")).strip()]
    assert unlabelled == []


def test_every_submit_says_which_action_it_is(message: CardMessage) -> None:
    known = {a.value for a in CardAction}
    for action in typed(message.card, "Action.Submit"):
        assert isinstance(action.get("data"), dict), action
        assert action["data"].get("action") in known, action
        assert str(action.get("title", "")).strip()


def test_every_action_is_one_teams_renders(message: CardMessage) -> None:
    kinds = {a["type"] for a in typed(message.card, "Action.")}
    assert kinds <= {"Action.Submit", "Action.ShowCard", "Action.OpenUrl", "Action.Execute"}


def test_card_is_well_under_the_size_limit(message: CardMessage) -> None:
    size = len(json.dumps(message.card, ensure_ascii=False).encode("utf-8"))
    assert size < CARD_SIZE_LIMIT / 2


def test_the_walk_sees_inside_show_cards() -> None:
    # The checks above are only as good as the walk: it must reach the FAQ's ShowCard.
    help_message = dict(GALLERY)["help"]
    show = typed(help_message.card, "Action.ShowCard")
    assert len(show) == 1
    faq_texts = [n["text"] for n in walk(show[0]["card"]) if n.get("type") == "TextBlock"]
    assert "Who sees my idea?" in faq_texts
    assert any(n.get("text") == "Who sees my idea?" for n in walk(help_message.card))


# Text a person typed is shown as typed, never as Markdown or HTML

def shown_only_as_typed(card: dict[str, Any], text: str) -> list[str]:
    """Where `text` appears other than as an input's value or a TextRun's text."""
    places = places_holding(card, text)
    return [p for p in places
            if p not in ("TextRun.text", "Input.Text.value") and p != "AdaptiveCard.fallbackText"]


def test_a_hostile_comment_is_kept_only_as_the_input_value() -> None:
    comment = f"{HOSTILE}\n" + "more " * 300
    message = feedback_form_card(
        feedback_form_of({"comment": comment, "rating": "<b>5</b>", "may_contact": "true"}),
        "Your feedback is 1,507 characters long; the limit is 1,000.",
    )
    assert schema_errors(message.card) == []
    (comment_input,) = [i for i in typed(message.card, "Input.Text") if i["id"] == "comment"]
    assert comment_input["value"] == comment
    assert places_holding(message.card, HOSTILE) == ["Input.Text.value"]
    (rating,) = typed(message.card, "Input.ChoiceSet")
    assert "value" not in rating          # a rating not offered is not put back
    (toggle,) = typed(message.card, "Input.Toggle")
    assert toggle["value"] == "true"


@pytest.mark.parametrize("comment", [None, 42, ["list"]])
def test_a_comment_that_is_not_text_is_not_put_back(comment: object) -> None:
    message = feedback_form_card(feedback_form_of({"comment": comment}),
                                 "Your feedback must be text.")
    (comment_input,) = [i for i in typed(message.card, "Input.Text") if i["id"] == "comment"]
    assert "value" not in comment_input
    assert schema_errors(message.card) == []


def test_the_help_card_shows_the_pmo_contact_as_plain_text() -> None:
    contact = f"Call 4471 or see {HOSTILE}"
    message = help_card(contact)
    assert shown_only_as_typed(message.card, HOSTILE) == []
    runs = [n for n in walk(message.card) if n.get("type") == "TextRun"]
    assert [r["text"] for r in runs] == [contact]
    (block,) = [n for n in walk(message.card)
                if n.get("type") == "RichTextBlock" and runs[0] in n["inlines"]]
    assert block["inlines"] == [runs[0]]
    assert contact in message.fallback_text


def test_feedback_reaches_the_pmo_as_typed() -> None:
    comment = f"Too long on a phone. {HOSTILE}"
    message = feedback_for_pmo_card(Feedback(comment, Rating.HARD, False), f"Megan {HOSTILE}")
    assert schema_errors(message.card) == []
    assert shown_only_as_typed(message.card, HOSTILE) == []
    runs = [n["text"] for n in walk(message.card) if n.get("type") == "TextRun"]
    assert runs == [f"From Megan {HOSTILE}", comment]


def test_the_help_card_without_a_contact_says_whom_to_ask() -> None:
    runs = [n["text"] for n in walk(help_card("   ").card) if n.get("type") == "TextRun"]
    assert runs == ["Ask your line manager to put you in touch with the PMO team."]


def test_the_gallery_check_would_notice_typed_text_in_a_text_block() -> None:
    # A control for shown_only_as_typed: the same contact in a TextBlock is reported.
    message = help_card("x")
    card = copy.deepcopy(message.card)
    card["body"].append({"type": "TextBlock", "text": HOSTILE})
    assert shown_only_as_typed(card, HOSTILE) == ["TextBlock.text"]


# iip cards gallery

def test_iip_cards_gallery_writes_every_card(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "out" / "cards"
    assert run_cli(["cards", "gallery", str(folder)]) == 0
    written = sorted(p.name for p in folder.iterdir())
    assert written == sorted(f"{name}.json" for name in NAMES)
    for name, message in GALLERY:
        card = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        assert card == message.card
        assert schema_errors(card) == []
    assert f"Wrote {len(NAMES)} cards to {folder}" in capsys.readouterr().out
