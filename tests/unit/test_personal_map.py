"""Every column of every table is declared in storage.personal_map: as holding personal data
(and so exported and erased as its handling says) or as judged not personal. A column added
without a decision fails here."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Column, MetaData, String

from bot.domain.personal_data import Handling
from storage import tables
from storage.personal_map import NOT_PERSONAL, OWNED_BY, PERSONAL
from storage.personal_records import SECTIONS


def undecided(metadata: MetaData, personal: Mapping[str, Mapping[str, Handling]],
              not_personal: Mapping[str, frozenset[str]]) -> list[str]:
    """Each column of `metadata` declared nowhere, or in both places; each declared column
    that no table has."""
    problems: list[str] = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            held = column.name in personal.get(table.name, {})
            judged = column.name in not_personal.get(table.name, frozenset())
            if held == judged:
                where = "both as personal and as not personal" if held else "nowhere"
                problems.append(f"{table.name}.{column.name} is declared {where}")
    for declared in (personal, not_personal):
        for table_name, columns in declared.items():
            table = metadata.tables.get(table_name)
            problems += [f"{table_name}.{name} is declared but the schema has no such column"
                         for name in columns if table is None or name not in table.columns]
    return sorted(problems)


def test_every_column_of_every_table_is_declared_once() -> None:
    assert undecided(tables.metadata, PERSONAL, NOT_PERSONAL) == []


def test_a_new_column_holding_anything_fails_until_it_is_declared() -> None:
    grown = MetaData()
    for table in tables.metadata.sorted_tables:
        table.to_metadata(grown)
    grown.tables["ideas"].append_column(Column("contributor_phone", String(40)))
    assert undecided(grown, PERSONAL, NOT_PERSONAL) == [
        "ideas.contributor_phone is declared nowhere"]
    declared = {**PERSONAL, "ideas": {**PERSONAL["ideas"], "contributor_phone": Handling.CONTACT}}
    assert undecided(grown, declared, NOT_PERSONAL) == []


def test_a_column_dropped_from_the_schema_is_not_left_declared() -> None:
    stale = {**NOT_PERSONAL, "ideas": NOT_PERSONAL["ideas"] | {"fax"}}
    assert undecided(tables.metadata, PERSONAL, stale) == [
        "ideas.fax is declared but the schema has no such column"]


def test_each_table_of_one_persons_rows_is_found_by_a_column_naming_them() -> None:
    for table_name, column in OWNED_BY.items():
        assert PERSONAL[table_name][column] in (Handling.IDENTIFIES, Handling.STATE), table_name


def test_every_table_holding_personal_data_is_reached_by_the_export() -> None:
    """Through a section of the person's own rows, a search of a column naming them by id, or
    a search of the words that may name them."""
    searched = {Handling.IDENTIFIES, Handling.MENTIONS, Handling.SENT_TO_THEM}
    for table_name, columns in PERSONAL.items():
        assert table_name in SECTIONS or searched & set(columns.values()), table_name
    assert set(OWNED_BY) | {"bot_state"} == set(SECTIONS)
