"""parse_organisation and describe_changes: the organisation file, its roles and its mistakes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from support.organisation import ADELE, ALEX, ISAIAH, MEGAN, demo_data, demo_organisation

from bot.domain.errors import OrganisationError
from bot.domain.organisation import (
    Category,
    Person,
    Portfolio,
    Roles,
    describe_changes,
    parse_organisation,
)

STRANGER = "11111111-2222-3333-4444-555555555555"


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(OrganisationError) as raised:
        parse_organisation(data)
    assert str(raised.value) == "\n".join(raised.value.problems)
    return raised.value.problems


def has_problem(problems: list[str], *fragments: str) -> bool:
    """True when one problem holds every fragment."""
    return any(all(f in p for f in fragments) for p in problems)


# The demo file

def test_the_demo_file_parses() -> None:
    org = demo_organisation()
    assert [p.name for p in org.people] == [
        "Alex Wilber", "Megan Bowen", "Adele Vance", "Isaiah Langer"]
    assert [p.key for p in org.portfolios] == [
        "local-policing", "crime-and-justice", "digital-and-data", "people-and-wellbeing"]
    assert [c.key for c in org.categories] == [
        "process", "technology", "wellbeing", "public-service", "cost"]
    assert org.pmo == (ALEX,)
    assert org.pmo_contact.startswith("E-mail the PMO team")
    assert org.news_channel == "channel-announcements-id"


def test_alex_is_pmo_and_spoc_of_local_policing() -> None:
    roles = demo_organisation().roles_of(ALEX)
    assert roles == Roles(pmo=True, assesses=frozenset({"local-policing"}))
    assert roles.is_staff


def test_megan_and_adele_are_spocs_of_other_portfolios() -> None:
    org = demo_organisation()
    assert org.roles_of(MEGAN) == Roles(
        pmo=False, assesses=frozenset({"crime-and-justice", "people-and-wellbeing"}))
    assert org.roles_of(ADELE) == Roles(
        pmo=False, assesses=frozenset({"digital-and-data", "people-and-wellbeing"}))


def test_a_deputy_assesses_without_being_pmo() -> None:
    roles = demo_organisation().roles_of(ISAIAH)
    assert roles == Roles(pmo=False, assesses=frozenset({"local-policing"}))


@pytest.mark.parametrize("who", [STRANGER, None, ""])
def test_a_stranger_has_no_role(who: str | None) -> None:
    roles = demo_organisation().roles_of(who)
    assert roles == Roles()
    assert not roles.is_staff


def test_object_ids_are_matched_regardless_of_case_and_spaces() -> None:
    guid = "b15a9416-0ad3-4172-9210-7beb711d3f70"
    data = demo_data()
    data["people"].append({"object_id": f"  {guid.upper()}  ", "name": "Rido"})
    data["pmo"]["members"] = [ALEX, guid.upper()]
    org = parse_organisation(data)
    assert org.person(guid) == Person(guid, "Rido")
    assert org.pmo == (ALEX, guid)
    assert org.roles_of(f" {guid.upper()} ").pmo
    assert org.person(guid.upper()) == Person(guid, "Rido")


def test_a_guid_with_twelve_digits_in_the_last_group_is_accepted() -> None:
    data = demo_data()
    guid = "b15a9416-0ad3-4172-9210-7beb711d3f70"
    data["people"].append({"object_id": guid, "name": "Rido"})
    data["portfolios"][1]["deputies"] = [guid]
    assert guid in parse_organisation(data).portfolios[1].deputies


# Mistakes: every one is reported, together

def test_every_mistake_is_reported_at_once() -> None:
    data = demo_data()
    data["colour"] = "blue"                                         # unknown top-level key
    data["pmo"]["member"] = []                                      # unknown key in [pmo]
    data["people"][1]["phone"] = "0123"                             # unknown key in a person
    data["people"][2]["object_id"] = "29:1abcDEF"                   # Teams user id
    data["people"][3]["object_id"] = "isaiahl@example.com"          # e-mail address
    data["portfolios"][0]["owner"] = "x"                            # unknown key in a portfolio
    data["portfolios"][1]["spocs"] = []                             # portfolio without SPOC
    data["portfolios"][2]["key"] = "Digital Data"                   # bad key format
    data["portfolios"][3]["deputies"] = [STRANGER]                  # not declared
    data["categories"][0]["colour"] = "red"                         # unknown key in a category
    data["categories"][4]["key"] = "process"                        # duplicate category
    problems = problems_of(data)
    expected = [
        ("Unknown key 'colour' in the file",),
        ("Unknown key 'member' in [pmo]",),
        ("Unknown key 'phone' in [[people]] #2",),
        ("[[people]] #3", "'29:1abcDEF'", "looks like a Teams user id"),
        ("[[people]] #4", "'isaiahl@example.com'", "looks like an e-mail address"),
        ("Unknown key 'owner' in [[portfolios]] #1",),
        ("[[portfolios]] #2", "spocs must name at least one person"),
        ("[[portfolios]] #3", "key 'Digital Data' must be lower-case"),
        ("[[portfolios]] #4 deputies", STRANGER, "not listed under [[people]]"),
        ("Unknown key 'colour' in [[categories]] #1",),
        ("[[categories]] #5", "duplicate category 'process'"),
    ]
    missing = [e for e in expected if not has_problem(problems, *e)]
    assert not missing, f"not reported: {missing}\nreported: {problems}"
    # Adele and Isaiah were dropped for their bad ids, so what names them is reported too.
    assert has_problem(problems, "[[portfolios]] #4 spocs", ADELE, "not listed under [[people]]")
    assert has_problem(problems, "[[portfolios]] #1 deputies", ISAIAH, "not listed")


@pytest.mark.parametrize(
    ("where", "change"),
    [
        ("the file", lambda d: d.update(extra=1)),
        ("[pmo]", lambda d: d["pmo"].update(extra=1)),
        ("[settings]", lambda d: d["settings"].update(extra=1)),
        ("[[people]] #1", lambda d: d["people"][0].update(extra=1)),
        ("[[portfolios]] #2", lambda d: d["portfolios"][1].update(extra=1)),
        ("[[categories]] #3", lambda d: d["categories"][2].update(extra=1)),
    ],
)
def test_unknown_keys_are_refused_at_every_level(where: str, change) -> None:
    data = demo_data()
    change(data)
    problems = problems_of(data)
    assert problems == [problems[0]]
    assert problems[0].startswith(f"Unknown key 'extra' in {where}; expected one of: ")


@pytest.mark.parametrize(
    ("bad_id", "hint"),
    [
        ("29:1GcS4EyB_oSI8A88XmWBN7NJFyMqe3QGnJdgLfFGkJnVelzRGos0bcwTAaCJ4sS1bR", "Teams user id"),
        ("8:orgid:00000000-0000-0000-0000-000000000020", "Teams user id"),
        ("alexw@example.com", "e-mail address"),
        ("00000000-0000-0000-0000-00000000002", ""),       # eleven digits in the last group
        ("00000000000000000000000000000020", ""),         # no hyphens
        ("{00000000-0000-0000-0000-000000000020}", ""),   # braces
        ("g0000000-0000-0000-0000-000000000020", ""),     # not hexadecimal
        (20, ""),
    ],
)
def test_malformed_object_ids_are_refused_with_a_hint(bad_id: object, hint: str) -> None:
    data = demo_data()
    data["people"][3]["object_id"] = bad_id
    data["portfolios"][0]["deputies"] = []   # Isaiah is no longer declared
    problems = problems_of(data)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"[[people]] #4: {bad_id!r} is not an Entra object id")
    if hint:
        assert f"That looks like a{'n' if hint[0] in 'e' else ''} {hint}" in problems[0]
    else:
        assert "looks like" not in problems[0]


def test_malformed_ids_in_role_lists_are_refused_with_a_hint() -> None:
    data = demo_data()
    data["pmo"]["members"] = ["alexw@example.com"]
    data["portfolios"][1]["spocs"] = ["29:megan"]
    problems = problems_of(data)
    assert has_problem(problems, "[pmo] members", "'alexw@example.com'", "e-mail address")
    assert has_problem(problems, "[pmo] members must name at least one person")
    assert has_problem(problems, "[[portfolios]] #2 spocs", "'29:megan'", "Teams user id")
    assert has_problem(problems, "[[portfolios]] #2: spocs must name at least one person")


def test_people_must_be_declared_before_they_hold_a_role() -> None:
    data = demo_data()
    data["pmo"]["members"] = [ALEX, STRANGER]
    data["portfolios"][2]["spocs"] = [STRANGER]
    problems = problems_of(data)
    assert has_problem(problems, "[pmo] members", STRANGER, "not listed under [[people]]")
    assert has_problem(problems, "[[portfolios]] #3 spocs", STRANGER, "not listed")
    # With its only SPOC unknown, that portfolio has no SPOC at all: said too.
    assert has_problem(problems, "[[portfolios]] #3: spocs must name at least one person")
    assert len(problems) == 3


def test_the_pmo_is_required() -> None:
    data = demo_data()
    del data["pmo"]
    assert problems_of(data) == ["[pmo] members must name at least one person."]


def test_the_pmo_must_have_members() -> None:
    data = demo_data()
    data["pmo"]["members"] = []
    assert problems_of(data) == ["[pmo] members must name at least one person."]


def test_a_person_listed_twice_is_refused() -> None:
    data = demo_data()
    data["people"].append({"object_id": MEGAN.upper(), "name": "Megan Again"})
    data["pmo"]["members"] = [ALEX, ALEX]
    problems = problems_of(data)
    assert has_problem(problems, "[[people]] #5", MEGAN, "listed twice")
    assert has_problem(problems, "[pmo] members", ALEX, "listed twice")


def test_a_portfolio_needs_a_spoc() -> None:
    data = demo_data()
    del data["portfolios"][3]["spocs"]
    assert problems_of(data) == ["[[portfolios]] #4: spocs must name at least one person."]


def test_duplicate_portfolio_keys_and_names_are_refused() -> None:
    data = demo_data()
    data["portfolios"][1]["key"] = "local-policing"
    data["portfolios"][3]["name"] = "digital, data and technology"
    problems = problems_of(data)
    assert has_problem(problems, "[[portfolios]] #2", "duplicate portfolio 'local-policing'")
    assert has_problem(problems, "[[portfolios]] #4",
                       "duplicate portfolio name 'digital, data and technology'")
    assert len(problems) == 2


@pytest.mark.parametrize("key", ["Local", "local policing", "-local", "local_policing",
                                 "x" * 41, "policing!"])
def test_portfolio_and_category_keys_have_one_format(key: str) -> None:
    data = demo_data()
    data["portfolios"][0]["key"] = key
    data["categories"][0]["key"] = key
    problems = problems_of(data)
    assert has_problem(problems, "[[portfolios]] #1", f"key {key!r} must be lower-case")
    assert has_problem(problems, "[[categories]] #1", f"key {key!r} must be lower-case")
    assert len(problems) == 2


def test_a_forty_character_key_is_accepted() -> None:
    data = demo_data()
    data["categories"][0]["key"] = "a" * 40
    assert parse_organisation(data).categories[0].key == "a" * 40


def test_names_are_required() -> None:
    data = demo_data()
    data["people"][1]["name"] = "   "
    del data["portfolios"][1]["name"]
    data["categories"][1]["name"] = 7
    data["portfolios"][1]["spocs"] = [ALEX]   # Megan is dropped with her name
    data["portfolios"][3]["spocs"] = [ADELE]
    problems = problems_of(data)
    assert has_problem(problems, "[[people]] #2: name is required")
    assert has_problem(problems, "[[portfolios]] #2: name is required")
    assert has_problem(problems, "[[categories]] #2: name is required")
    assert len(problems) == 3


def test_sections_of_the_wrong_shape_are_reported() -> None:
    problems = problems_of({"pmo": ["not", "a", "table"], "people": {"a": 1},
                            "portfolios": "none", "categories": []})
    assert has_problem(problems, "[pmo] must be a table")
    assert has_problem(problems, "people must be an array of tables")
    assert has_problem(problems, "portfolios must be an array of tables")
    assert has_problem(problems, "At least one [[portfolios]] entry is required")
    assert has_problem(problems, "At least one [[categories]] entry is required")
    assert has_problem(problems, "[pmo] members must name at least one person")


# Self-decisions: off unless the file says so


def test_the_demo_allows_self_decisions_so_that_one_person_can_walk_the_lifecycle() -> None:
    assert demo_organisation().allow_self_decisions is True


def test_self_decisions_are_off_unless_the_file_allows_them() -> None:
    data = demo_data()
    del data["settings"]
    assert parse_organisation(data).allow_self_decisions is False
    data["settings"] = {}
    assert parse_organisation(data).allow_self_decisions is False
    data["settings"] = {"allow_self_decisions": False}
    assert parse_organisation(data).allow_self_decisions is False


@pytest.mark.parametrize("value", ["true", "yes", 1, 0, ["true"], {"on": True}])
def test_allow_self_decisions_must_be_true_or_false(value: object) -> None:
    data = demo_data()
    data["settings"] = {"allow_self_decisions": value}
    assert problems_of(data) == ["[settings] allow_self_decisions must be true or false."]


def test_settings_must_be_a_table() -> None:
    data = demo_data()
    data["settings"] = ["allow_self_decisions"]
    assert problems_of(data) == ["[settings] must be a table."]


def test_turning_self_decisions_off_is_a_change() -> None:
    before = demo_organisation()
    after = dataclasses.replace(before, allow_self_decisions=False)
    assert describe_changes(before, after) == ["self-decisions no longer allowed"]
    assert describe_changes(after, before) == ["self-decisions allowed"]


# describe_changes

def test_a_first_load_adds_everything() -> None:
    org = demo_organisation()
    changes = describe_changes(None, org)
    assert changes == [
        f"person added: {ALEX}", f"person added: {MEGAN}", f"person added: {ADELE}",
        f"person added: {ISAIAH}",
        "portfolio added: crime-and-justice", "portfolio added: digital-and-data",
        "portfolio added: local-policing", "portfolio added: people-and-wellbeing",
        "category added: cost", "category added: process", "category added: public-service",
        "category added: technology", "category added: wellbeing",
        f"PMO member added: {ALEX}",
        "PMO contact changed",
        "news channel set to channel-announcements-id",
        "self-decisions allowed",
    ]


def test_the_same_organisation_changes_nothing() -> None:
    assert describe_changes(demo_organisation(), demo_organisation()) == []


def test_each_kind_of_change_is_described() -> None:
    before = demo_organisation()
    after = dataclasses.replace(
        before,
        people=(*before.people[:3], Person(STRANGER, "New Person")),
        pmo=(MEGAN,),
        portfolios=(
            dataclasses.replace(before.portfolios[0], spocs=(ALEX, MEGAN)),
            *before.portfolios[1:3],
        ),
        categories=(*before.categories, Category("ai", "Artificial intelligence")),
        pmo_contact="Call 4471",
        news_channel=None,
    )
    assert describe_changes(before, after) == [
        f"person added: {STRANGER}",
        f"person retired: {ISAIAH}",
        "portfolio retired: people-and-wellbeing",
        "portfolio changed: local-policing",
        "category added: ai",
        f"PMO member added: {MEGAN}",
        f"PMO member removed: {ALEX}",
        "PMO contact changed",
        "news channel set to none",
    ]


def test_a_renamed_person_or_portfolio_is_a_change() -> None:
    before = demo_organisation()
    after = dataclasses.replace(
        before,
        people=(Person(ALEX, "Alex Wilber-Smith", "alexw@example.com"), *before.people[1:]),
        portfolios=(Portfolio("local-policing", "Neighbourhood Policing", (ALEX,), (ISAIAH,)),
                    *before.portfolios[1:]),
    )
    assert describe_changes(before, after) == [
        f"person changed: {ALEX}", "portfolio changed: local-policing"]


def test_a_new_order_of_portfolios_categories_or_pmo_is_a_change() -> None:
    # The file's order is the order people are offered them in: a reload must keep it.
    before = dataclasses.replace(demo_organisation(), pmo=(ALEX, MEGAN))
    after = dataclasses.replace(before, portfolios=before.portfolios[::-1],
                                categories=before.categories[::-1], pmo=(MEGAN, ALEX))
    assert describe_changes(before, after) == [
        "portfolios reordered", "categories reordered", "PMO members reordered"]


def test_an_addition_alone_is_not_a_reordering() -> None:
    before = demo_organisation()
    after = dataclasses.replace(
        before, categories=(Category("ai", "Artificial intelligence"), *before.categories))
    assert describe_changes(before, after) == ["category added: ai"]


def test_the_order_of_people_in_the_file_does_not_matter() -> None:
    data = demo_data()
    data["people"].reverse()
    assert parse_organisation(data) == demo_organisation()
    assert describe_changes(demo_organisation(), parse_organisation(data)) == []


# Change agents

AGENT = "6e2f1b7a-0c4d-4a5e-9f10-2b3c4d5e6f70"


def test_change_agents_are_optional_and_need_not_be_people() -> None:
    assert demo_organisation().change_agents == ()
    data = demo_data()
    data["change_agents"] = {"members": [AGENT.upper(), ALEX]}
    assert parse_organisation(data).change_agents == (AGENT, ALEX)


def test_a_malformed_or_repeated_change_agent_is_named() -> None:
    data = demo_data()
    data["change_agents"] = {"members": ["alexw@example.com", AGENT, AGENT], "leads": []}
    problems = problems_of(data)
    assert has_problem(problems, "[change_agents] members: 'alexw@example.com' is not an "
                                 "Entra object id (a GUID). That looks like an e-mail address")
    assert has_problem(problems, f"[change_agents] members: {AGENT} is listed twice.")
    assert has_problem(problems, "Unknown key 'leads' in [change_agents]")
    data["change_agents"] = {"members": AGENT}
    assert problems_of(data) == ["[change_agents] members must be a list of Entra object ids."]


def test_changes_to_the_change_agents_are_counted() -> None:
    before = demo_organisation()
    after = dataclasses.replace(before, change_agents=(AGENT, ALEX))
    assert describe_changes(before, after) == ["change agents added: 2"]
    assert describe_changes(after, dataclasses.replace(before, change_agents=(ALEX,))) == [
        "change agents removed: 1"]
    assert describe_changes(after, dataclasses.replace(before, change_agents=(ALEX, AGENT))) == [
        "change agents reordered"]
