"""Loading an organisation file under open ideas (OrganisationService.replace), on SQLite and
PostgreSQL: a portfolio it retires, or leaves with nobody who followed it, strands its open
ideas; the load is refused with the list, or moves them to the portfolio named."""

from __future__ import annotations

from typing import Any

import pytest
from support.decisions import (
    Snapshot,
    current,
    decide,
    load_demo_organisation,
    snapshot,
    submit_idea,
    text_of,
    verbs_of,
)
from support.organisation import ADELE, ALEX, ISAIAH, MEGAN, demo_data, organisation_from

from bot.app import build_services
from bot.domain.errors import OrganisationError
from bot.domain.handover import OpenIdeasLeft
from bot.domain.ideas import IdeaDetail, Status
from bot.domain.lifecycle import Move
from bot.domain.organisation import Organisation

ACTOR = "system:iip org load"


@pytest.fixture
async def services(engine, clock):
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    return services


def changed(**portfolios: dict[str, Any] | None) -> Organisation:
    """The demo organisation with some portfolios changed (None: retired)."""
    data = demo_data()
    data["portfolios"] = [record | change for record in data["portfolios"]
                          if (change := portfolios.get(record["key"].replace("-", "_"), {}))
                          is not None]
    return organisation_from(data)


async def crime_ideas(services) -> dict[str, IdeaDetail]:
    """Crime and Justice's ideas in several states, one of each."""
    ideas = {name: await submit_idea(services, f"Crime {name}", portfolio="crime-and-justice")
             for name in ("submitted", "assessed", "deferred", "declined")}
    for name in ("assessed", "deferred", "declined"):
        await decide(services, ALEX, ideas[name], Move.ALLOCATE, portfolio="crime-and-justice")
    await decide(services, MEGAN, await current(services, ideas["deferred"]), Move.DEFER,
                 revisit_on="2027-04-01", message="Later")
    await decide(services, MEGAN, await current(services, ideas["declined"]), Move.DECLINE,
                 reason="not_viable", message="No.", root_causes=True)
    return {name: await current(services, idea) for name, idea in ideas.items()}


def assert_unchanged(before: Snapshot, after: Snapshot) -> None:
    assert (after.ideas, after.history, after.outbox, after.audit) == (
        before.ideas, before.history, before.outbox, before.audit)


async def test_retiring_a_portfolio_with_open_ideas_is_refused_with_the_list(
        services, engine):
    ideas = await crime_ideas(services)
    before = await snapshot(engine)
    with pytest.raises(OpenIdeasLeft) as refusal:
        await services.organisation.replace(changed(crime_and_justice=None), ACTOR)
    [stranded] = refusal.value.stranded
    assert (stranded.portfolio.key, stranded.portfolio.retired) == ("crime-and-justice", True)
    assert [(i.reference, i.title, i.status) for i in stranded.ideas] == [
        (ideas[n].reference, f"Crime {n}", ideas[n].status)
        for n in ("submitted", "assessed", "deferred")]  # not the declined one
    assert "3 open idea(s)" in str(refusal.value)
    assert_unchanged(before, await snapshot(engine))
    assert "crime-and-justice" in {p.key for p in (await services.organisation.current())
                                   .portfolios}


async def test_a_portfolio_without_open_ideas_may_be_retired(services, engine):
    ideas = await crime_ideas(services)
    await decide(services, MEGAN, ideas["deferred"], Move.DECLINE, reason="not_viable",
                 message="No.", root_causes=True)
    await decide(services, MEGAN, ideas["assessed"], Move.DECLINE, reason="not_viable",
                 message="No.", root_causes=True)
    await decide(services, ALEX, ideas["submitted"], Move.DECLINE_AT_TRIAGE,
                 reason="in_progress", message="Already in hand.")
    changes = await services.organisation.replace(changed(crime_and_justice=None), ACTOR)
    assert changes == ["portfolio retired: crime-and-justice"]


async def test_the_open_ideas_move_to_the_portfolio_named_with_history_audit_and_cards(
        services, engine):
    ideas = await crime_ideas(services)
    before = await snapshot(engine)
    changes = await services.organisation.replace(changed(crime_and_justice=None), ACTOR,
                                                  reassign_to="local-policing")
    moved = ["submitted", "assessed", "deferred"]
    assert changes == ["portfolio retired: crime-and-justice", *(
        f"idea moved: {ideas[n].reference} from crime-and-justice to local-policing"
        for n in moved)]
    for name in moved:
        now = await current(services, ideas[name])
        assert (now.portfolio_key, now.status) == ("local-policing", ideas[name].status)
        assert now.version == ideas[name].version + 1
        last = now.history[-1]
        assert (last.action, last.actor, last.from_status, last.to_status) == (
            "reassigned", ACTOR, ideas[name].status, ideas[name].status)
        assert last.detail == {"from_portfolio": "crime-and-justice",
                               "to_portfolio": "local-policing"}
    declined = await current(services, ideas["declined"])
    assert declined.portfolio_key == "crime-and-justice" and declined == ideas["declined"]
    new = (await snapshot(engine)).new_since(before)
    assert [a["action"] for a in new["audit"]] == ["idea.reassigned"] * 3 + [
        "organisation.loaded"]
    assert all(a["actor"] == ACTOR for a in new["audit"])
    # Local Policing's deputy now follows the allocated ones: their cards are sent to him.
    first_cards = {r["dedupe_key"] for r in new["outbox"] if r["dedupe_key"].startswith("card:")}
    assert first_cards == {f"card:{ideas[n].reference}:{ISAIAH}" for n in ("assessed",
                                                                           "deferred")}
    isaiahs = next(r for r in new["outbox"]
                   if r["dedupe_key"] == f"card:{ideas['deferred'].reference}:{ISAIAH}")
    assert "Portfolio: Local Policing" in text_of(isaiahs["card"])
    # Megan's card of it (not yet sent, so rewritten where it waits) is no longer hers to
    # act on.
    megans = next(r for r in (await snapshot(engine)).outbox
                  if r["dedupe_key"] == f"card:{ideas['deferred'].reference}:{MEGAN}")
    assert "Portfolio: Local Policing" in text_of(megans["card"])
    assert verbs_of(megans["card"]) == []


async def test_a_reassign_target_the_new_file_lacks_is_refused(services, engine):
    await crime_ideas(services)
    before = await snapshot(engine)
    with pytest.raises(OrganisationError, match="--reassign-to crime-and-justice"):
        await services.organisation.replace(changed(crime_and_justice=None), ACTOR,
                                            reassign_to="crime-and-justice")
    assert_unchanged(before, await snapshot(engine))


async def test_dropping_the_only_spoc_is_refused_but_a_remaining_deputy_carries_on(
        services, engine):
    ideas = await crime_ideas(services)
    with pytest.raises(OpenIdeasLeft) as refusal:
        await services.organisation.replace(changed(crime_and_justice={"spocs": [ADELE]}),
                                            ACTOR)
    [stranded] = refusal.value.stranded
    assert (stranded.portfolio.key, stranded.portfolio.retired) == ("crime-and-justice", False)
    # Local Policing loses Alex as its SPOC but keeps Isaiah, its deputy, who knows its ideas.
    local = await submit_idea(services, "Local one")
    await decide(services, ALEX, local, Move.ALLOCATE, portfolio="local-policing")
    changes = await services.organisation.replace(
        changed(local_policing={"spocs": [ADELE], "deputies": [ISAIAH]}), ACTOR)
    assert changes == ["portfolio changed: local-policing"]
    assert (await current(services, local)).portfolio_key == "local-policing"
    # The new SPOC of a portfolio whose SPOC was replaced takes its ideas when named.
    changes = await services.organisation.replace(
        changed(local_policing={"spocs": [ADELE], "deputies": [ISAIAH]},
                crime_and_justice={"spocs": [ADELE]}), ACTOR, reassign_to="crime-and-justice")
    assert changes == ["portfolio changed: crime-and-justice"]
    snap = await snapshot(engine)
    for name in ("assessed", "deferred"):
        assert (await current(services, ideas[name])).portfolio_key == "crime-and-justice"
        assert any(r["dedupe_key"] == f"card:{ideas[name].reference}:{ADELE}"
                   for r in snap.outbox)
    assert (await current(services, ideas["deferred"])).status is Status.DEFERRED
