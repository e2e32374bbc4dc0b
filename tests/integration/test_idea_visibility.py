"""Who may find an idea, stored on SQLite and PostgreSQL: the contributor's choice kept with
the idea, the PMO's changes from their card and from `iip idea`, audited, refused to anyone
else and from a stale card; imported ideas private unless the import says otherwise."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from support.cli import on_database
from support.decisions import CONTRIBUTOR, actor, load_demo_organisation, submit_idea
from support.organisation import ALEX, MEGAN
from support.tables import rows

from bot.app import build_services
from bot.domain.ideas import IdeaDetail
from bot.domain.similar import Visibility
from bot.domain.visibility import CHOICE_INPUT, TITLE_INPUT, ChangeFindability, Findability
from storage import tables

SHAREPOINT = Path(__file__).parents[1] / "fixtures" / "sharepoint" / "every-status.csv"


@pytest.fixture
async def services(engine, clock):
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    return services


@pytest.fixture
def cli(database_url, monkeypatch, capsys):
    return on_database(database_url, monkeypatch, capsys)


async def stored(engine, reference: str) -> tuple[str, str | None]:
    [row] = await rows(engine, tables.ideas, tables.ideas.c.reference == reference)
    return row["visibility"], row["public_title"]


async def audited(engine, action: str) -> list[dict]:
    return await rows(engine, tables.audit_log, tables.audit_log.c.action == action)


def press(idea: IdeaDetail, shown: Findability | None = None, *, choice: str | None,
          title: str | None = None) -> ChangeFindability:
    """What the PMO's confirm sends, as cards.requests parses it."""
    from bot.domain.visibility import parse_change

    data: dict[str, object] = {"idea": idea.id, "shown": (shown or Findability(
        idea.visibility, idea.public_title)).state}
    if choice is not None:
        data[CHOICE_INPUT] = choice
    if title is not None:
        data[TITLE_INPUT] = title
    return parse_change(data)


async def test_the_contributors_choice_is_kept_with_the_idea(services, engine):
    shared = await submit_idea(services, "Shared notebooks", private=False)
    private = await submit_idea(services, "Private notebooks", private=True)
    never_asked = await submit_idea(services, "A draft from before", private=None)

    assert await stored(engine, shared.reference) == ("shared", None)
    assert await stored(engine, private.reference) == ("private", None)
    # A draft whose check card never offered the choice: what its contributor was promised.
    assert await stored(engine, never_asked.reference) == ("private", None)
    [audit] = [a for a in await audited(engine, "idea.submitted")
               if a["subject"] == private.reference]
    assert audit["detail"]["visibility"] == "private"


async def test_the_pmo_publishes_redacts_and_hides_from_their_card_and_each_is_audited(
        services, engine):
    idea = await submit_idea(services, "Notebooks for Sgt Smith's team", private=True)
    desk = services.findability

    published = await desk.change_on_card(actor(ALEX), press(
        idea, choice="shared", title="Notebooks for a response team"))

    assert await stored(engine, idea.reference) == ("shared", "Notebooks for a response team")
    assert "Saved." in str(published.card)
    now = replace(idea, visibility=Visibility.SHARED,
                  public_title="Notebooks for a response team")
    await desk.change_on_card(actor(ALEX), press(now, choice="hidden",
                                                 title="Notebooks for a response team"))
    assert await stored(engine, idea.reference) == ("hidden", "Notebooks for a response team")
    trail = [(a["actor"], a["subject"], a["detail"]["from"], a["detail"]["to"],
              a["detail"]["public_title"]) for a in await audited(engine, "idea.visibility")]
    assert trail == [
        (ALEX, idea.reference, "private", "shared", "Notebooks for a response team"),
        (ALEX, idea.reference, "shared", "hidden", "Notebooks for a response team")]
    # Not a move in the idea's life: its version and history stay as they were, so nobody's
    # decision buttons went out of date.
    after = await services.ideas.idea_of(CONTRIBUTOR, idea.reference)
    assert (after.version, len(after.history)) == (idea.version, len(idea.history))


async def test_a_non_pmo_press_a_stale_card_and_a_bad_title_change_nothing(services, engine):
    idea = await submit_idea(services, "Shorter handover forms", private=False)
    desk = services.findability
    before = await rows(engine, tables.audit_log)

    # Megan is a SPOC, not the PMO; the contributor is neither.
    for who in (MEGAN, CONTRIBUTOR):
        refused = await desk.change_on_card(actor(who), press(idea, choice="hidden"))
        assert "Only the PMO team" in str(refused.card)
    stale = await desk.change_on_card(actor(ALEX), press(
        idea, Findability(Visibility.PRIVATE), choice="hidden"))
    assert "out of date" in str(stale.card)
    too_long = await desk.change_on_card(actor(ALEX), press(idea, choice="shared",
                                                            title="x" * 201))
    assert "the limit is 200" in str(too_long.card)
    unchosen = await desk.change_on_card(actor(ALEX), press(idea, choice="everyone"))
    assert "Please choose who may find it" in str(unchosen.card)

    assert await stored(engine, idea.reference) == ("shared", None)
    assert await rows(engine, tables.audit_log) == before


async def test_iip_idea_publishes_redacts_and_hides_as_the_cli_user(services, engine, cli):
    idea = await submit_idea(services, "Custody rota swaps", private=True)

    code, out, err = await cli("idea", "publish", idea.reference)
    assert (code, err) == (0, "")
    assert f"{idea.reference}: now shared (was private)." in out
    code, out, _ = await cli("idea", "redact", idea.reference.lower(), "--title",
                             "Rota swaps")
    assert code == 0 and "Shown as: Rota swaps" in out
    assert await stored(engine, idea.reference) == ("shared", "Rota swaps")
    code, out, _ = await cli("idea", "hide", idea.reference)
    assert code == 0 and "now hidden (was shared)" in out
    code, out, _ = await cli("idea", "redact", idea.reference, "--title", "")
    assert await stored(engine, idea.reference) == ("hidden", None)
    code, out, _ = await cli("idea", "hide", idea.reference)
    assert code == 0 and "was already so; nothing changed" in out
    actors = {a["actor"] for a in await audited(engine, "idea.visibility")}
    assert len(await audited(engine, "idea.visibility")) == 4
    assert all(who.startswith("cli:") for who in actors)

    code, _, err = await cli("idea", "publish", "IIP-2026-9999")
    assert code == 2 and "There is no idea IIP-2026-9999. Nothing changed." in err
    code, _, err = await cli("idea", "redact", idea.reference, "--title", "x" * 300)
    assert code == 2 and "the limit is 200" in err
    assert await stored(engine, idea.reference) == ("hidden", None)


async def test_imported_ideas_are_private_unless_the_import_shares_them(cli, engine, tmp_path):
    private_file = tmp_path / "every-status.csv"
    shutil.copyfile(SHAREPOINT, private_file)

    code, _, err = await cli("import", "sharepoint", str(private_file))

    assert (code, err) == (0, "")
    assert {row["visibility"] for row in await rows(engine, tables.ideas)} == {"private"}
    [first] = await audited(engine, "ideas.imported")
    assert first["detail"]["visibility"] == "private"


async def test_an_import_may_share_what_it_brings_and_records_that_it_did(cli, engine, tmp_path):
    shared_file = tmp_path / "every-status.csv"
    shutil.copyfile(SHAREPOINT, shared_file)

    code, out, err = await cli("import", "sharepoint", str(shared_file), "--visibility",
                               "shared")

    assert (code, err) == (0, ""), out
    assert {row["visibility"] for row in await rows(engine, tables.ideas)} == {"shared"}
    [audit] = await audited(engine, "ideas.imported")
    assert audit["detail"]["visibility"] == "shared"
