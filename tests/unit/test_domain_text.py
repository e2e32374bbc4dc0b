"""clean_text: what free text a person types is accepted as, or why it is refused."""

from __future__ import annotations

import pytest

from bot.domain.errors import InvalidText
from bot.domain.text import clean_text


def clean(value: object, *, limit: int = 50, required: bool = True) -> str:
    return clean_text(value, field="comment", label="Your feedback", limit=limit,
                      required=required)


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t \r\n", "\u00a0\u2003"])
def test_empty_or_blank_text_is_refused_when_required(value: object) -> None:
    with pytest.raises(InvalidText) as raised:
        clean(value)
    assert raised.value.field == "comment"
    assert "Your feedback is empty" in str(raised.value)


@pytest.mark.parametrize("value", [None, "", "  \n "])
def test_empty_text_is_allowed_when_optional(value: object) -> None:
    assert clean(value, required=False) == ""


def test_text_is_trimmed() -> None:
    assert clean("  a good idea \n") == "a good idea"


@pytest.mark.parametrize("value", [42, ["text"], {"text": "x"}, b"bytes"])
def test_non_text_is_refused(value: object) -> None:
    with pytest.raises(InvalidText, match="must be text"):
        clean(value)


def test_text_at_the_limit_is_kept_whole() -> None:
    assert clean("x" * 50) == "x" * 50


def test_over_long_text_is_refused_not_cut() -> None:
    with pytest.raises(InvalidText) as raised:
        clean("y" * 1234, limit=1000)
    message = str(raised.value)
    assert "1,234 characters" in message
    assert "the limit is 1,000" in message
    assert raised.value.field == "comment"


def test_the_limit_counts_characters_after_trimming() -> None:
    assert clean("   " + "z" * 50 + "   ") == "z" * 50


@pytest.mark.parametrize(
    "control", ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"]
)
def test_control_characters_inside_text_are_refused(control: str) -> None:
    with pytest.raises(InvalidText, match="hidden control characters"):
        clean(f"before{control}after")


def test_tabs_and_newlines_are_ordinary() -> None:
    assert clean("one\ttwo\nthree") == "one\ttwo\nthree"


def test_crlf_and_cr_become_newlines() -> None:
    assert clean("one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_crlf_counts_as_one_character_against_the_limit() -> None:
    # 25 lines of "x" joined by CRLF: 49 characters once normalised, 73 before.
    text = "\r\n".join(["x"] * 25)
    assert clean(text, limit=49) == "\n".join(["x"] * 25)


def test_runs_of_blank_lines_are_reduced_to_one() -> None:
    assert clean("para one\n\n\n\n\npara two") == "para one\n\npara two"


def test_text_is_normalised_to_nfc() -> None:
    decomposed = "Cafe\u0301 re\u0301sume\u0301"
    result = clean(decomposed)
    assert result == "Café résumé"
    assert "\u0301" not in result


def test_nfc_is_applied_before_the_limit() -> None:
    # Five decomposed letters are ten code points but five characters once composed.
    assert clean("e\u0301" * 5, limit=5) == "é" * 5


@pytest.mark.parametrize("hidden", [
    "\u202e", "\u202a", "\u202d", "\u2066", "\u2067", "\u2069", "\u200e", "\u200f", "\u061c",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
], ids=lambda c: f"U+{ord(c):04X}")
def test_bidi_controls_and_zero_width_characters_are_removed(hidden: str) -> None:
    """They reorder or hide what staff read (a right-to-left override makes "txt.exe" look
    like "exe.txt"); the text is kept without them."""
    assert clean(f"Pay{hidden}ment {hidden}fraud{hidden}") == "Payment fraud"


def test_text_of_only_hidden_characters_is_empty() -> None:
    with pytest.raises(InvalidText, match="is empty"):
        clean("\u200b\u202e\ufeff")
