"""The register's cards: valid Adaptive Cards 1.5 far under Teams' limit with every field at its
longest, what the PMO reads and presses, and button data read back as the requests they ask for
(forged data refused)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.cards import CARD_SIZE_LIMIT, markdown_formatting, schema_errors, typed, walk

from bot.channel.messenger import wire_json
from bot.domain.errors import Malformed
from bot.domain.initiatives import (
    CONTACT_LIMIT,
    DESCRIPTION_LIMIT,
    LINK_LIMIT,
    TITLE_LIMIT,
    InitiativeForm,
)
from bot.domain.listing import window
from bot.domain.requests import (
    InitiativeAct,
    NewInitiative,
    OnInitiative,
    SaveInitiative,
    ShowInitiatives,
    parse_typed,
)
from cards.initiative_form import (
    CONTACT,
    DESCRIPTION,
    LINK,
    PORTFOLIO,
    STAGE,
    TITLE,
    initiative_form_card,
)
from cards.initiative_gallery import SAMPLE_INITIATIVE, SAMPLE_PORTFOLIO_NAMES
from cards.initiatives import initiative_card, register_card
from cards.pmo_hub import pmo_hub_card
from cards.requests import parse_card, parse_execute

LONGEST = replace(SAMPLE_INITIATIVE, reference="INI-99999", title="T" * TITLE_LIMIT,
                  description="D" * DESCRIPTION_LIMIT, contact="C" * CONTACT_LIMIT,
                  link="https://intranet.example/" + "l" * (LINK_LIMIT - 25))


def buttons(card: dict) -> dict[str, dict]:
    return {node["title"]: node for node in typed(card, "Action.")}


def test_a_full_page_at_every_limit_is_valid_and_far_under_the_limit():
    page = [replace(LONGEST, id=n) for n in range(1, 11)]
    message = register_card(page, window(3, 95), 7, SAMPLE_PORTFOLIO_NAMES)
    assert schema_errors(message.card) == []
    assert len(wire_json(message.card)) < CARD_SIZE_LIMIT
    one = initiative_card(LONGEST, SAMPLE_PORTFOLIO_NAMES, "Saved.")
    assert schema_errors(one.card) == []
    assert len(wire_json(one.card)) < CARD_SIZE_LIMIT


def test_the_register_pages_in_place_and_each_entry_is_edited_or_retired_by_its_id():
    retired = replace(SAMPLE_INITIATIVE, id=9, reference="INI-0009", active=False)
    card = register_card([SAMPLE_INITIATIVE, retired], window(2, 25), 1,
                         SAMPLE_PORTFOLIO_NAMES).card
    text = str(card)
    assert "Known initiatives: 25" in text and "24 matched, 1 retired. Page 2 of 3." in text
    assert "Local Policing" in text and "No: retired" in text
    executes = {node["title"]: node for node in typed(card, "Action.Execute")}
    assert parse_execute(executes["Previous"]["verb"], executes["Previous"]["data"]) == \
        ShowInitiatives(1)
    assert parse_execute(executes["Next"]["verb"], executes["Next"]["data"]) == \
        ShowInitiatives(3)
    submits = [node for node in typed(card, "Action.Submit") if "initiative" in node["data"]]
    assert [(node["title"], parse_card(node["data"])) for node in submits] == [
        ("Edit", OnInitiative(1, InitiativeAct.EDIT)),
        ("Retire", OnInitiative(1, InitiativeAct.RETIRE)),
        ("Edit", OnInitiative(9, InitiativeAct.EDIT)),
        ("Restore", OnInitiative(9, InitiativeAct.RESTORE))]
    assert parse_card(buttons(card)["Add an initiative"]["data"]) == NewInitiative()
    assert [(n["title"], n["url"]) for n in typed(card, "Action.OpenUrl")] == [
        ("Read more", SAMPLE_INITIATIVE.link)] * 2


def test_typed_text_from_the_pmo_reads_as_itself():
    hostile = replace(SAMPLE_INITIATIVE, title="**bold** [link](http://x) <b>",
                      contact="[mail](http://evil.example)")
    card = register_card([hostile], window(1, 1), 0, SAMPLE_PORTFOLIO_NAMES).card
    assert markdown_formatting(card) == []


def test_a_refused_form_keeps_every_answer_and_lists_every_problem():
    form = InitiativeForm(title="BWV", description="Cameras", stage="exists",
                          portfolio="digital-and-data", contact="Sam",
                          link="http://intranet/bwv")
    card = initiative_form_card(form, portfolios=SAMPLE_PORTFOLIO_NAMES, initiative_id=4,
                                reference="INI-0004",
                                problems=["The link must be a secure web address."]).card
    assert schema_errors(card) == []
    values = {node["id"]: node.get("value") for node in typed(card, "Input.")}
    assert values == {TITLE: "BWV", DESCRIPTION: "Cameras", STAGE: "exists",
                      PORTFOLIO: "digital-and-data", CONTACT: "Sam", LINK: "http://intranet/bwv"}
    assert "Edit INI-0004" in str(card) and "secure web address" in str(card)
    save = buttons(card)["Save"]["data"]
    assert parse_card({**save, **values}) == SaveInitiative(form, 4)


def test_a_portfolio_since_retired_is_offered_as_it_is_only_when_editing_it():
    kept = initiative_form_card(portfolios=SAMPLE_PORTFOLIO_NAMES, initiative_id=1,
                                kept_portfolio="marine-unit").card
    new = initiative_form_card(portfolios=SAMPLE_PORTFOLIO_NAMES).card

    def choices(card: dict) -> list[str]:
        [portfolio] = [n for n in typed(card, "Input.ChoiceSet") if n["id"] == PORTFOLIO]
        return [choice["value"] for choice in portfolio["choices"]]

    assert choices(new) == ["", "digital-and-data", "local-policing"]
    assert choices(kept) == ["", "digital-and-data", "local-policing", "marine-unit"]


@pytest.mark.parametrize("data", [
    {"action": "initiative.edit"},
    {"action": "initiative.retire", "initiative": "1; drop table"},
    {"action": "initiative.restore", "initiative": -1},
    {"action": "initiative.save", "initiative": 2**40},
    {"action": "initiative.save", TITLE: ["a list"]},
    {"action": "initiative.save", DESCRIPTION: "x" * (DESCRIPTION_LIMIT * 4 + 1)},
])
def test_forged_button_data_is_malformed(data: dict):
    with pytest.raises(Malformed):
        parse_card(data)


def test_a_forged_page_is_the_first_and_typed_words_ask_for_the_register_or_its_form():
    assert parse_execute("initiative.page", {"page": "lots"}) == ShowInitiatives(1)
    assert parse_typed("Initiatives").request == ShowInitiatives()
    assert parse_typed("known initiatives").request == ShowInitiatives()
    assert parse_typed("new initiative").request == NewInitiative()
    assert parse_typed("initiative new").request == NewInitiative()


def test_the_pmo_hub_opens_the_register():
    hub = pmo_hub_card().card
    assert [node["title"] for node in hub["actions"]] == [
        "Triage", "Campaigns", "Deferred", "Digest", "Reports", "Initiatives"]
    assert parse_card(buttons(hub)["Initiatives"]["data"]) == ShowInitiatives()
    assert any("Initiatives" in str(node.get("text", "")) for node in walk(hub))
