"""The rules of erasure: the pseudonym, and how a person is found and taken out of the words of
others."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.domain.personal_data import (
    PSEUDONYM_PREFIX,
    TOMBSTONE,
    Handling,
    Scrubber,
    jsonable,
    pseudonym_of,
    subject_access_document,
)

PERSON = "5d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d"
PSEUDONYM = pseudonym_of(PERSON)


def scrubber(**given: list[str | None]) -> Scrubber:
    return Scrubber.of(PSEUDONYM, given.get("names", []), given.get("contacts", []),
                       given.get("own", []))


def test_the_pseudonym_is_the_same_each_time_and_names_no_one() -> None:
    assert pseudonym_of(PERSON) == pseudonym_of(f" {PERSON.upper()} ") == PSEUDONYM
    assert PSEUDONYM.startswith(PSEUDONYM_PREFIX) and PERSON[:8] not in PSEUDONYM.lower()
    assert pseudonym_of("0a1b2c3d-0000-4000-8000-000000000000") != PSEUDONYM


def test_names_become_the_pseudonym_and_contacts_the_tombstone_whatever_their_case() -> None:
    found = scrubber(names=["Zoë Quill"], contacts=["zoe.quill@example.police.uk"])
    assert found.text("Thanks ZOË QUILL (Zoe.Quill@Example.Police.UK), and zoë quill again") == (
        f"Thanks {PSEUDONYM} ({TOMBSTONE}), and {PSEUDONYM} again")
    assert found.text("Nothing about anyone") == "Nothing about anyone"


def test_a_text_quoting_their_own_words_becomes_the_tombstone_even_cut_short() -> None:
    comment = "The zebra-crossing form asks the same thing three times over."
    found = scrubber(own=[comment])
    assert found.text(f"Feedback: {comment[:30]}…") == TOMBSTONE
    assert found.text("The zebra-crossing") == "The zebra-crossing"


def test_short_names_and_words_are_not_searched_for() -> None:
    found = scrubber(names=["Al", None, " "], contacts=["a@"], own=["Yes", "+1"])
    assert found.empty and found.needles() == ()
    assert found.text("Also, Al said yes +1") == "Also, Al said yes +1"


def test_what_a_previous_erasure_left_is_not_searched_for_again() -> None:
    assert scrubber(names=[PSEUDONYM], own=[TOMBSTONE]).empty


def test_a_card_is_scrubbed_in_every_text_and_keeps_its_shape() -> None:
    card = {"type": "AdaptiveCard", "body": [
        {"type": "TextBlock", "text": "From Zoë Quill"},
        {"type": "FactSet", "facts": [{"title": "Zoë Quill", "value": 3}]}]}
    assert scrubber(names=["Zoë Quill"]).document(card) == {"type": "AdaptiveCard", "body": [
        {"type": "TextBlock", "text": f"From {PSEUDONYM}"},
        {"type": "FactSet", "facts": [{"title": PSEUDONYM, "value": 3}]}]}


def test_the_database_search_looks_for_json_escaped_forms_too() -> None:
    needles = scrubber(names=["Zoë \"Q\" Quill"]).needles()
    assert json.dumps("Zoë \"Q\" Quill")[1:-1] in needles
    assert "zoë \"q\" quill" in needles


def test_each_handling_says_how_it_is_exported_and_erased() -> None:
    for handling in Handling:
        assert handling.exported and handling.erased


def test_the_document_is_json_with_iso_dates_and_its_version_first() -> None:
    moment = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    document = subject_access_document(PERSON, moment, {
        "ideas": [{"submitted_at": moment, "revisit_on": date(2027, 4, 1), "vector": b"\x00"}]})
    assert list(document)[:3] == ["version", "made_at", "aad_object_id"]
    assert document["ideas"] == [{"submitted_at": "2026-11-02T09:30:00+00:00",
                                  "revisit_on": "2027-04-01", "vector": "AA=="}]
    assert jsonable((1, "a")) == [1, "a"]


def test_a_request_names_an_entra_object_id_or_an_imported_contributor() -> None:
    from bot.domain.errors import InvalidText
    from bot.domain.legacy import imported_person_id
    from bot.domain.personal_data import person_id

    imported = imported_person_id("pat@example.police.uk", "7")
    assert person_id(f" {PERSON.upper()}\n") == PERSON
    assert person_id(imported) == imported
    for refused in ("", "pat@example.police.uk", "imported:" + "a" * 60, f"{PERSON}x"):
        with pytest.raises(InvalidText, match="is not an Entra object id"):
            person_id(refused)


def test_a_name_someone_else_has_too_is_not_searched_for() -> None:
    found = Scrubber.of(PSEUDONYM, ["Sam Jones", "Samuel Q. Jones"], [], [],
                        others=["sam jones"])
    assert (found.names, found.shared) == (("Samuel Q. Jones",), ("Sam Jones",))
    assert found.text("Sam Jones and Samuel Q. Jones") == f"Sam Jones and {PSEUDONYM}"
