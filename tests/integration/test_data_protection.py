"""A subject access request and an erasure through the real service, on SQLite and PostgreSQL:
the export finds each thing held about a person; erasure leaves no trace of them in any text
of any table, keeps every idea, its history and the report counts, and is idempotent."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from support.organisation import ALEX
from support.personal_data import (
    CANARIES,
    CHAT,
    DRAFT_TITLE,
    EMAIL,
    FEEDBACK,
    LOCATION,
    NAME,
    PERSON,
    STATE_KEYS,
    SUPPORT,
    UPN,
    USER_ID,
    Seeded,
    load_organisation_with_person,
    seed_one_of_everything,
    traces,
)
from support.tables import count, rows

from bot.app import build_services
from bot.domain.errors import InvalidText
from bot.domain.personal_data import EXPORT_VERSION, TOMBSTONE, pseudonym_of
from bot.domain.profile import PREFER_NOT
from bot.services.data_protection import DataProtection
from bot.services.reports import Reports
from storage import tables
from storage.bot_state import SqlStorage
from storage.uow import unit_of_work_factory

PSEUDONYM = pseudonym_of(PERSON)
MONTH = date(2026, 11, 1)


@pytest.fixture
async def seeded(engine, clock) -> tuple[Any, Seeded]:
    services = build_services(engine, clock)
    return services, await seed_one_of_everything(services, engine, clock)


@pytest.fixture
def protection(engine, clock) -> DataProtection:
    return DataProtection(unit_of_work_factory(engine), clock)


async def report_counts(engine, clock) -> tuple[Any, Any]:
    """The summary and the board pack's counts, by the real report queries."""
    uow = unit_of_work_factory(engine)
    summary = await Reports(uow).summary(clock.now() + timedelta(days=1))
    async with uow() as reading:
        pack = await reading.board_pack.counts(MONTH, None)
    return summary, pack


async def test_the_export_finds_each_thing_held_about_the_person(seeded, protection, clock):
    _, seed = seeded
    document = await protection.export(PERSON)
    json.dumps(document)  # one JSON document, nothing left that JSON cannot hold
    assert (document["version"], document["aad_object_id"]) == (EXPORT_VERSION, PERSON)
    assert datetime.fromisoformat(document["made_at"]) == clock.now()
    assert (document["person"]["name"], document["person"]["email"]) == (NAME, EMAIL)
    assert document["profile"]["location"] == LOCATION
    [idea] = document["ideas"]
    assert idea["reference"] == seed.own.reference and idea["contributor_name"] == NAME
    assert datetime.fromisoformat(idea["submitted_at"]) == seed.own.submitted_at
    assert idea["diversity_snapshot"] == {
        "department": "local-policing", "function": "investigation", "location": LOCATION,
        "grade": "sergeant", "role_type": "officer"}
    assert [entry["action"] for entry in idea["history"]] == ["submitted", "allocate"]
    assert NAME in idea["history"][1]["message_to_contributor"]
    [supported] = document["supported_ideas"]
    assert (supported["reference"], supported["comment"]) == (seed.supported.reference,
                                                              SUPPORT)
    [draft] = document["drafts"]
    assert draft["draft"]["title"] == DRAFT_TITLE
    [feedback] = document["feedback"]
    assert (feedback["comment"], feedback["rating"], feedback["may_contact"]) == (
        FEEDBACK, "4", True)
    [address] = document["conversation_addresses"]
    assert (address["conversation_id"], address["user_id"]) == (CHAT, USER_ID)
    assert sorted(state["key"] for state in document["conversation_state"]) == sorted(STATE_KEYS)
    assert document["conversation_state"][0]["document"]["dialogs"]["said"] == NAME
    assert document["campaign_opt_out"]["object_id"] == PERSON
    assert (document["contributor_lookup"]["email"], document["contributor_lookup"]["upn"]) == (
        EMAIL, UPN)
    # The notice of the allocation, the whole card as it was queued for them.
    [notice] = document["messages"]
    assert notice["object_id"] == PERSON and notice["card"]["type"] == "AdaptiveCard"
    acted = document["as_actor"]
    assert [e["action"] for e in acted["idea_history.actor"]] == ["submitted"]
    assert {"idea.submitted", "feedback.submitted", "profile.saved"} <= {
        e["action"] for e in acted["audit_log.actor"]}
    # Others' words naming them: Alex's message and note, the PMO's cards of their idea and
    # feedback; and audit entries about them (their profile saved, their calls stopped).
    mentioned = {(m["table"], m["column"]) for m in document["mentions"]}
    assert {("idea_history", "message_to_contributor"), ("idea_history", "internal_note"),
            ("outbox", "card"), ("audit_log", "subject")} <= mentioned


async def test_someone_the_portal_never_heard_of_gets_every_section_empty(protection):
    document = await protection.export("0a1b2c3d-0000-4000-8000-000000000000")
    assert document["person"] is None and document["ideas"] == []
    assert document["messages"] == [] and document["mentions"] == []


async def test_erasure_leaves_no_trace_and_every_count_as_it_was(seeded, protection, engine,
                                                                 clock):
    _, seed = seeded
    # The scan finds every canary before: it would find one left after.
    assert {canary for _, _, canary in await traces(engine)} == set(CANARIES)
    summary, pack = await report_counts(engine, clock)
    ideas, history = await count(engine, tables.ideas), await count(engine, tables.idea_history)

    erased = await protection.erase(PERSON, "cli:dpo")

    assert await traces(engine) == []
    assert erased.pseudonym == PSEUDONYM and not erased.nothing
    assert (await count(engine, tables.ideas), await count(engine, tables.idea_history)) == (
        ideas, history)
    summary_after, pack_after = await report_counts(engine, clock)
    assert summary_after == summary
    # Every count of the board pack stays; in who submits, the person now prefers not to say.
    assert replace(pack_after, diversity=pack.diversity) == pack
    for dimension, answers in pack.diversity.items():
        assert sum(pack_after.diversity[dimension].values()) == sum(answers.values())
    assert pack_after.diversity["location"].get(LOCATION) is None
    assert pack_after.diversity["location"][PREFER_NOT] >= 1

    [idea] = await rows(engine, tables.ideas, tables.ideas.c.id == seed.own.id)
    assert (idea["contributor_object_id"], idea["contributor_name"], idea["named_publicly"],
            idea["status"], idea["title"]) == (
        PERSON, PSEUDONYM, False, "business_assessment", "Digital pocket notebooks")
    assert {idea[d] for d in ("department", "function", "location", "grade", "role_type")} == {
        PREFER_NOT}
    [person] = await rows(engine, tables.people, tables.people.c.object_id == PERSON)
    assert (person["name"], person["email"]) == (PSEUDONYM, None)
    [feedback] = await rows(engine, tables.feedback)
    assert (feedback["comment"], feedback["may_contact"]) == (TOMBSTONE, False)
    [supporter] = await rows(engine, tables.idea_supporters)
    assert (supporter["name"], supporter["comment"]) == (PSEUDONYM, TOMBSTONE)
    history = await rows(engine, tables.idea_history,
                         tables.idea_history.c.idea_id == seed.own.id)
    assert history[1]["message_to_contributor"] == (
        f"Thank you {PSEUDONYM}: the Local Policing lead will look at it.")
    # Drafts and conversation state are gone; what was owed to them is called off.
    assert await count(engine, tables.idea_drafts) == 0
    assert await count(engine, tables.conversation_addresses,
                       tables.conversation_addresses.c.object_id == PERSON) == 0
    assert await SqlStorage(engine).read(list(STATE_KEYS)) == {}
    [notice] = await rows(engine, tables.outbox, tables.outbox.c.object_id == PERSON)
    assert (notice["state"], notice["summary"], notice["card"]) == (
        "cancelled", TOMBSTONE, {"erased": True})
    # Audited under the pseudonym: no entry names the person's id as what was erased.
    [audit] = await rows(engine, tables.audit_log, tables.audit_log.c.action == "person.erased")
    assert (audit["actor"], audit["subject"]) == ("cli:dpo", PSEUDONYM)
    assert PERSON not in json.dumps(audit["detail"])


async def test_erasing_again_changes_nothing_and_records_nothing(seeded, protection, engine):
    await protection.erase(PERSON, "cli:dpo")
    before = {table.name: await rows(engine, table) for table in tables.metadata.sorted_tables}

    again = await protection.erase(PERSON, "cli:dpo")

    assert again.nothing and again.pseudonym == PSEUDONYM
    after = {table.name: await rows(engine, table) for table in tables.metadata.sorted_tables}
    assert after == before


async def test_others_are_left_as_they_were(seeded, protection, engine):
    """Rows that do not name the person (Alex's among them) are the same after."""
    async def untouched() -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for table in tables.metadata.sorted_tables:
            found[table.name] = [row for row in await rows(engine, table)
                                 if not _names_the_person(row)]
        return found

    before = await untouched()
    await protection.erase(PERSON, "cli:dpo")
    after = await untouched()
    for name, kept in before.items():
        assert [row for row in after[name] if row in kept] == kept, name
    assert any(ALEX in json.dumps(row, default=str) for row in before["ideas"])


def _names_the_person(row: dict[str, Any]) -> bool:
    text = json.dumps(row, default=str, ensure_ascii=False).casefold()
    return PERSON in text or USER_ID.casefold() in text or CHAT.casefold() in text or any(
        canary.casefold() in text for canary in CANARIES)


async def test_a_short_name_is_not_searched_for_in_others_words(engine, clock):
    """Someone called "Al" is not taken out of every "Also": only their own rows change."""
    await load_organisation_with_person(build_services(engine, clock))
    async with engine.begin() as connection:
        await connection.execute(tables.people.update().where(
            tables.people.c.object_id == PERSON).values(name="Al", email=None))
        await connection.execute(tables.audit_log.insert().values(
            at=clock.now(), actor=ALEX, action="note", subject="x",
            detail={"text": "Also noted"}))
    await DataProtection(unit_of_work_factory(engine), clock).erase(PERSON, "cli:dpo")
    [note] = await rows(engine, tables.audit_log, tables.audit_log.c.action == "note")
    assert note["detail"] == {"text": "Also noted"}
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(tables.people).where(
            tables.people.c.name == PSEUDONYM)) == 1


@pytest.mark.parametrize("given", ["", "not-an-id", "Robert'); DROP TABLE people;--",
                                   "5d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d-00"])
async def test_what_is_not_an_object_id_is_refused_and_nothing_changes(protection, engine,
                                                                       given):
    with pytest.raises(InvalidText, match="is not an Entra object id"):
        await protection.erase(given, "cli:dpo")
    with pytest.raises(InvalidText):
        await protection.export(given)
    assert await count(engine, tables.audit_log) == 0


async def test_the_object_id_is_read_whatever_its_case(seeded, protection):
    document = await protection.export(f"  {PERSON.upper()} ")
    assert document["person"]["name"] == NAME


async def test_a_name_someone_else_has_too_is_left_in_others_words_for_review(
        seeded, protection, engine, clock):
    async with engine.begin() as connection:
        await connection.execute(tables.people.update().where(
            tables.people.c.object_id == ALEX).values(name=NAME))

    erased = await protection.erase(PERSON, "cli:dpo")

    assert erased.shared_names == (NAME,)
    [alex] = await rows(engine, tables.people, tables.people.c.object_id == ALEX)
    [person] = await rows(engine, tables.people, tables.people.c.object_id == PERSON)
    assert (alex["name"], person["name"]) == (NAME, PSEUDONYM)
    # The person's own rows lose it all the same; their e-mail and own words, everywhere.
    assert {canary for _, _, canary in await traces(engine)} == {NAME}


async def test_a_name_with_accents_is_found_in_plain_text_and_in_json(engine, clock):
    """JSON documents hold "ë" as "\\u00eb": the search looks for both ways of writing it."""
    accented = "Zoë Ångström"
    await load_organisation_with_person(build_services(engine, clock))
    async with engine.begin() as connection:
        await connection.execute(tables.people.update().where(
            tables.people.c.object_id == PERSON).values(name=accented))
        await connection.execute(tables.audit_log.insert().values(
            at=clock.now(), actor=ALEX, action="note", subject=f"about {accented}",
            detail={"text": f"{accented} called", "upper": accented.upper()}))
    document = await DataProtection(unit_of_work_factory(engine), clock).export(PERSON)
    assert {m["column"] for m in document["mentions"]} >= {"subject", "detail"}
    await DataProtection(unit_of_work_factory(engine), clock).erase(PERSON, "cli:dpo")
    [note] = await rows(engine, tables.audit_log, tables.audit_log.c.action == "note")
    assert note["subject"] == f"about {PSEUDONYM}"
    assert note["detail"] == {"text": f"{PSEUDONYM} called", "upper": PSEUDONYM}
