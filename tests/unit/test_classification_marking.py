"""The classification marking: the setting's rule, the marking on a card (top and foot, fallback
text, still valid Adaptive Card 1.5), on the activities and invoke answers that carry cards,
and in `iip cards gallery`."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from support.cards import markdown_formatting, places_holding, schema_errors
from support.cli import run_cli

from bot.channel.activities import ADAPTIVE_CARD, UNIVERSAL_ACTION_ERROR
from bot.channel.marking import CardMarking
from bot.config import Settings, SettingsError
from cards.gallery import gallery
from cards.help import help_card
from cards.marking import marked_card

MARKING = "OFFICIAL-SENSITIVE PERSONAL"


# The setting


def test_the_classification_is_read_and_blank_means_none() -> None:
    assert Settings.from_env({"IIP_CLASSIFICATION": f"  {MARKING} "}).classification == MARKING
    assert Settings.from_env({"IIP_CLASSIFICATION": "OFFICIAL"}).classification == "OFFICIAL"
    assert Settings.from_env({"IIP_CLASSIFICATION": "  "}).classification == ""
    assert Settings.from_env({}).classification == ""


@pytest.mark.parametrize("value", [
    "**OFFICIAL**", "[OFFICIAL](https://example.org)", "<b>OFFICIAL</b>", "# OFFICIAL",
    "- OFFICIAL", "OFFICIAL\nSENSITIVE", "OFFICIAL_SENSITIVE", "OFFICIAL  SENSITIVE",
    "OFFICIAL-", "O" * 61,
])
def test_a_classification_that_is_not_a_short_line_of_plain_words_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="IIP_CLASSIFICATION must be a short line of plain"):
        Settings.from_env({"IIP_CLASSIFICATION": value})


def test_iip_refuses_to_start_with_a_classification_it_cannot_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("IIP_CLASSIFICATION", "*OFFICIAL*")
    assert run_cli(["cards", "gallery", str(tmp_path / "cards")]) == 2
    assert "iip: IIP_CLASSIFICATION must be" in capsys.readouterr().err
    assert not (tmp_path / "cards").exists()


# The card


# Cards of every shape: a welcome, a form, a staff card with its refresh, a list, a digest.
# (Every gallery card is checked against the schema in test_cards; here, what marking adds.)
VALIDATED = {"welcome-staff", "intake-check", "staff-triage", "campaign-form", "staff-queue",
             "digest-longest", "not-saved", "suggestions"}


def test_every_card_marked_shows_the_marking_at_its_top_and_foot_and_stays_valid() -> None:
    to_validate = set(VALIDATED)
    for name, message in gallery():
        original = copy.deepcopy(message.card)
        card = marked_card(message.card, MARKING)
        assert message.card == original, name  # the card given is left as it was
        first, last = card["body"][0], card["body"][-1]
        assert first["text"] == last["text"] == MARKING, name
        assert (first["type"], first["horizontalAlignment"], first["weight"], first["size"]) == (
            "TextBlock", "Center", "Bolder", "Small")
        assert card["body"][1:-1] == original["body"], name
        assert card["fallbackText"] == f"[{MARKING}] {original['fallbackText']}", name
        assert markdown_formatting(card) == markdown_formatting(original), name
        if name in to_validate:
            to_validate.remove(name)
            assert schema_errors(card) == [], name
    assert not to_validate, f"no longer in the gallery: {to_validate}"


# At the edge


def test_an_activity_has_its_cards_and_summary_marked_and_nothing_else() -> None:
    card = help_card("the PMO").card
    other = {"contentType": "text/html", "content": "<p>not a card</p>"}
    body = {"type": "message", "summary": "Help", "text": "Help",
            "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}, other]}
    marked = CardMarking(MARKING).activity(body)
    assert marked["summary"] == f"[{MARKING}] Help" and marked["text"] == "Help"
    assert marked["attachments"][0]["content"] == marked_card(card, MARKING)
    assert marked["attachments"][1] == other
    assert body["attachments"][0]["content"] is card and places_holding(card, MARKING) == []
    # A conversation opened, a member looked up: no card, nothing added.
    assert CardMarking(MARKING).activity({"isGroup": False}) == {"isGroup": False}


def test_an_invoke_answer_has_its_replacement_card_marked_and_an_error_left_alone() -> None:
    card = help_card("the PMO").card
    answer = {"statusCode": 200, "type": ADAPTIVE_CARD, "value": card}
    assert CardMarking(MARKING).invoke_answer(answer) == {**answer,
                                                          "value": marked_card(card, MARKING)}
    error = {"statusCode": 500, "type": UNIVERSAL_ACTION_ERROR,
             "value": {"code": "DatabaseUnavailable", "message": "Not saved"}}
    assert CardMarking(MARKING).invoke_answer(error) == error


def test_with_no_classification_everything_is_sent_as_it_is() -> None:
    card = help_card("the PMO").card
    body = {"summary": "Help", "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}]}
    unmarked = CardMarking("")
    assert unmarked.activity(body) is body
    assert unmarked.card(card) is card


# iip cards gallery


def test_iip_cards_gallery_shows_the_cards_marked_when_a_classification_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IIP_CLASSIFICATION", MARKING)
    folder = tmp_path / "cards"
    assert run_cli(["cards", "gallery", str(folder)]) == 0
    for name, message in gallery():
        card = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        assert card == marked_card(message.card, MARKING), name
