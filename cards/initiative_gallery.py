"""The register of known initiatives' cards, with sample data, for the card gallery."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

from bot.domain.initiatives import Initiative, InitiativeForm, Stage, form_of
from bot.domain.listing import window
from cards.base import CardMessage
from cards.initiative_form import initiative_form_card
from cards.initiatives import initiative_card, not_found_card, register_card

SAMPLE_PORTFOLIO_NAMES = {"local-policing": "Local Policing",
                          "digital-and-data": "Digital, Data and Technology"}
_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SAMPLE_INITIATIVE = Initiative(
    id=1, reference="INI-0001", title="Body-worn video for every response officer",
    description="Every response officer is issued a body-worn video camera, with footage "
                "uploaded at the station dock and shared with the CPS from one place.",
    stage=Stage.UNDER_WAY, portfolio_key="local-policing",
    contact="Response transformation team, ext. 4471",
    link="https://intranet.example.police.uk/projects/bwv", active=True, source_key="PRJ-12",
    created_at=_AT, updated_at=_AT, updated_by="system:sample")


def initiative_cards() -> Iterator[tuple[str, CardMessage]]:
    exists = replace(SAMPLE_INITIATIVE, id=2, reference="INI-0002",
                     title="ANPR alerts on every MDT", stage=Stage.EXISTS,
                     portfolio_key="digital-and-data", contact=None, link=None)
    retired = replace(SAMPLE_INITIATIVE, id=3, reference="INI-0003", active=False,
                      title="Paper pocket notebooks replaced by the PNB app", portfolio_key=None)
    listed = [SAMPLE_INITIATIVE, exists, retired]
    yield "initiatives", register_card(listed, window(2, 23), 4, SAMPLE_PORTFOLIO_NAMES)
    yield "initiatives-empty", register_card([], window(1, 0), 0, SAMPLE_PORTFOLIO_NAMES)
    yield "initiative-form", initiative_form_card(portfolios=SAMPLE_PORTFOLIO_NAMES)
    yield "initiative-form-edit", initiative_form_card(
        form_of(SAMPLE_INITIATIVE), portfolios=SAMPLE_PORTFOLIO_NAMES, initiative_id=1,
        reference="INI-0001", kept_portfolio="local-policing")
    yield "initiative-form-refused", initiative_form_card(
        InitiativeForm(title="Body-worn video", description="", stage="under_way",
                       link="http://intranet/bwv"),
        portfolios=SAMPLE_PORTFOLIO_NAMES,
        problems=["The description is empty. Please write a few words.",
                  "The link must be a secure web address starting with https://."])
    yield "initiative-saved", initiative_card(SAMPLE_INITIATIVE, SAMPLE_PORTFOLIO_NAMES,
                                              "Added to the register.")
    yield "initiative-retired", initiative_card(retired, SAMPLE_PORTFOLIO_NAMES,
                                                "Retired: nobody is shown it any more.")
    yield "initiative-not-found", not_found_card(
        "That initiative is not in the register. Nothing was changed.")
