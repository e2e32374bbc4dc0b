"""The organisation: people, the PMO, portfolios with their SPOCs, idea categories.

Roles are always looked up here by the person's Entra object id, never taken from what a
card or a message says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from bot.domain.errors import OrganisationError

# Entra object ids are GUIDs. The Teams Playground's mock users carry a 13-digit last group,
# so the last group may have one digit more; Teams user ids ("29:...") and e-mail addresses
# are refused, as they are the usual mistake.
_OBJECT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12,13}$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class Role(StrEnum):
    PMO = "pmo"
    SPOC = "spoc"
    DEPUTY = "deputy"


@dataclass(frozen=True, slots=True)
class Person:
    object_id: str
    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Portfolio:
    key: str
    name: str
    spocs: tuple[str, ...]
    deputies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class Roles:
    """What one person may do."""

    pmo: bool = False
    assesses: frozenset[str] = frozenset()

    @property
    def is_staff(self) -> bool:
        return self.pmo or bool(self.assesses)


@dataclass(frozen=True, slots=True)
class Organisation:
    people: tuple[Person, ...]
    pmo: tuple[str, ...]
    portfolios: tuple[Portfolio, ...]
    categories: tuple[Category, ...]
    pmo_contact: str = ""
    news_channel: str | None = None
    # Nobody decides their own idea, unless this is set ([settings] allow_self_decisions):
    # for a demonstration, where one person walks an idea through its whole life.
    allow_self_decisions: bool = False
    # Who gets the weekly list of broken promises ([settings] executive_sponsor), if anyone.
    executive_sponsor: str | None = None
    # The change agents ([change_agents] members): volunteers who preview and promote
    # campaigns. They need not be listed under [[people]].
    change_agents: tuple[str, ...] = ()
    _people_by_id: dict[str, Person] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_people_by_id", {p.object_id: p for p in self.people})

    def person(self, object_id: str) -> Person | None:
        return self._people_by_id.get(normalise_object_id(object_id))

    def roles_of(self, object_id: str | None) -> Roles:
        """The roles of the person with this Entra object id (none for a stranger)."""
        if not object_id:
            return Roles()
        oid = normalise_object_id(object_id)
        assesses = frozenset(
            p.key for p in self.portfolios if oid in p.spocs or oid in p.deputies
        )
        return Roles(pmo=oid in self.pmo, assesses=assesses)


def normalise_object_id(value: str) -> str:
    return value.strip().lower()


def is_object_id(value: str) -> bool:
    """True when `value` is written as an Entra object id (a GUID)."""
    return bool(_OBJECT_ID.match(normalise_object_id(value)))


def parse_organisation(data: Mapping[str, Any]) -> Organisation:
    """Build an Organisation from the decoded TOML file, or raise with every problem found."""
    problems: list[str] = []
    _reject_unknown(data, {"settings", "pmo", "people", "portfolios", "categories",
                           "change_agents"}, "the file", problems)
    people = _parse_people(data.get("people", []), problems)
    known = {p.object_id for p in people}
    self_decisions, sponsor = _parse_settings(data.get("settings", {}), known, problems)

    pmo_section: Mapping[str, Any] | None = _as_table(data.get("pmo", {}))
    if pmo_section is None:
        problems.append("[pmo] must be a table.")
        pmo_section = {}
    _reject_unknown(pmo_section, {"members", "contact", "news_channel"}, "[pmo]", problems)
    pmo = _parse_ids(pmo_section.get("members", []), "[pmo] members", known, problems)
    if not pmo:
        problems.append("[pmo] members must name at least one person.")
    contact = _optional_text(pmo_section.get("contact"), "[pmo] contact", problems) or ""
    news = _optional_text(pmo_section.get("news_channel"), "[pmo] news_channel", problems)

    portfolios = _parse_portfolios(data.get("portfolios", []), known, problems)
    categories = _parse_categories(data.get("categories", []), problems)
    change_agents = _parse_change_agents(data.get("change_agents", {}), problems)

    if problems:
        raise OrganisationError(problems)
    return Organisation(
        # People carry no order of their own: keep them in the order storage reads them back.
        people=tuple(sorted(people, key=lambda p: p.object_id)),
        pmo=tuple(pmo),
        portfolios=tuple(portfolios),
        categories=tuple(categories),
        pmo_contact=contact,
        news_channel=news,
        allow_self_decisions=self_decisions,
        executive_sponsor=sponsor,
        change_agents=tuple(change_agents),
    )


def _parse_change_agents(section: Any, problems: list[str]) -> list[str]:
    """[change_agents] members: Entra object ids, each once (none when the table is absent)."""
    table = _as_table(section)
    if table is None:
        problems.append("[change_agents] must be a table.")
        return []
    _reject_unknown(table, {"members"}, "[change_agents]", problems)
    where = "[change_agents] members"
    items = _as_array(table.get("members", []))
    if items is None:
        problems.append(f"{where} must be a list of Entra object ids.")
        return []
    ids: dict[str, None] = {}
    for item in items:
        oid = _check_object_id(item, where, problems)
        if oid is not None and oid in ids:
            problems.append(f"{where}: {oid} is listed twice.")
        elif oid is not None:
            ids[oid] = None
    return list(ids)


def _parse_settings(section: Any, known: set[str],
                    problems: list[str]) -> tuple[bool, str | None]:
    """[settings]: whether staff may decide their own ideas (false unless said), and the
    executive sponsor who hears of broken promises weekly (nobody unless named)."""
    table = _as_table(section)
    if table is None:
        problems.append("[settings] must be a table.")
        return False, None
    _reject_unknown(table, {"allow_self_decisions", "executive_sponsor"}, "[settings]",
                    problems)
    value = table.get("allow_self_decisions", False)
    if not isinstance(value, bool):
        problems.append("[settings] allow_self_decisions must be true or false.")
        value = False
    sponsor = None
    if "executive_sponsor" in table:
        where = "[settings] executive_sponsor"
        sponsor = _check_object_id(table["executive_sponsor"], where, problems)
        if sponsor is not None and sponsor not in known:
            problems.append(f"{where}: {sponsor} is not listed under [[people]].")
            sponsor = None
    return value, sponsor


def describe_changes(before: Organisation | None, after: Organisation) -> list[str]:
    """Say, line by line, what loading `after` over `before` changes; empty when nothing does."""
    old = before or Organisation(people=(), pmo=(), portfolios=(), categories=())
    changes: list[str] = []
    changes += _diff("person", {p.object_id: p for p in old.people},
                     {p.object_id: p for p in after.people})
    changes += _diff("portfolio", {p.key: p for p in old.portfolios},
                     {p.key: p for p in after.portfolios})
    changes += _diff("category", {c.key: c for c in old.categories},
                     {c.key: c for c in after.categories})
    # The file's order is the order they are offered in (and stored in): keep it on reload.
    if _reordered([p.key for p in old.portfolios], [p.key for p in after.portfolios]):
        changes.append("portfolios reordered")
    if _reordered([c.key for c in old.categories], [c.key for c in after.categories]):
        changes.append("categories reordered")
    for oid in sorted(set(after.pmo) - set(old.pmo)):
        changes.append(f"PMO member added: {oid}")
    for oid in sorted(set(old.pmo) - set(after.pmo)):
        changes.append(f"PMO member removed: {oid}")
    if _reordered(list(old.pmo), list(after.pmo)):
        changes.append("PMO members reordered")
    if old.pmo_contact != after.pmo_contact:
        changes.append("PMO contact changed")
    if old.news_channel != after.news_channel:
        changes.append(f"news channel set to {after.news_channel or 'none'}")
    if old.executive_sponsor != after.executive_sponsor:
        changes.append(f"executive sponsor set to {after.executive_sponsor or 'nobody'}")
    joined = len(set(after.change_agents) - set(old.change_agents))
    left = len(set(old.change_agents) - set(after.change_agents))
    if joined:
        changes.append(f"change agents added: {joined:,}")
    if left:
        changes.append(f"change agents removed: {left:,}")
    if _reordered(list(old.change_agents), list(after.change_agents)):
        changes.append("change agents reordered")
    if old.allow_self_decisions != after.allow_self_decisions:
        changes.append("self-decisions allowed" if after.allow_self_decisions
                       else "self-decisions no longer allowed")
    return changes


def _reordered(old: list[str], new: list[str]) -> bool:
    """True when the keys found in both lists come in a different order in each."""
    common = set(old) & set(new)
    return [k for k in old if k in common] != [k for k in new if k in common]


def _diff(kind: str, old: Mapping[str, object], new: Mapping[str, object]) -> list[str]:
    lines = [f"{kind} added: {key}" for key in sorted(new.keys() - old.keys())]
    lines += [f"{kind} retired: {key}" for key in sorted(old.keys() - new.keys())]
    lines += [f"{kind} changed: {key}" for key in sorted(new.keys() & old.keys())
              if new[key] != old[key]]
    return lines


def _reject_unknown(table: Mapping[str, Any], allowed: set[str], where: str,
                    problems: list[str]) -> None:
    for key in sorted(set(table) - allowed):
        problems.append(
            f"Unknown key {key!r} in {where}; expected one of: {', '.join(sorted(allowed))}."
        )


def _as_table(value: object) -> Mapping[str, Any] | None:
    """A TOML table (whose keys are always strings), or None for anything else."""
    return cast("Mapping[str, Any]", value) if isinstance(value, Mapping) else None


def _as_array(value: object) -> list[object] | None:
    """A TOML array, or None for anything else."""
    return cast("list[object]", value) if isinstance(value, list) else None


def _records(value: Any, where: str, problems: list[str]) -> list[Mapping[str, Any]]:
    items = _as_array(value)
    tables = [table for item in items or [] if (table := _as_table(item)) is not None]
    if items is None or len(tables) != len(items):
        problems.append(f"{where} must be an array of tables, written [[{where}]].")
        return []
    return tables


def _required_text(record: Mapping[str, Any], key: str, where: str,
                   problems: list[str]) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: {key} is required and must be non-empty text.")
        return ""
    return value.strip()


def _optional_text(value: Any, where: str, problems: list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"{where} must be text.")
        return None
    return value.strip() or None


def _check_object_id(value: Any, where: str, problems: list[str]) -> str | None:
    if not isinstance(value, str):
        problems.append(f"{where}: {value!r} is not an Entra object id (it must be text).")
        return None
    oid = normalise_object_id(value)
    if _OBJECT_ID.match(oid):
        return oid
    hint = ""
    if oid.startswith("29:") or oid.startswith("8:"):
        hint = " That looks like a Teams user id; use the person's Entra object id."
    elif "@" in oid:
        hint = " That looks like an e-mail address; use the person's Entra object id."
    problems.append(f"{where}: {value!r} is not an Entra object id (a GUID).{hint}")
    return None


def _parse_ids(value: Any, where: str, known: set[str], problems: list[str]) -> list[str]:
    items = _as_array(value)
    if items is None:
        problems.append(f"{where} must be a list of Entra object ids.")
        return []
    ids: list[str] = []
    for item in items:
        oid = _check_object_id(item, where, problems)
        if oid is None:
            continue
        if oid not in known:
            problems.append(f"{where}: {oid} is not listed under [[people]].")
        elif oid in ids:
            problems.append(f"{where}: {oid} is listed twice.")
        else:
            ids.append(oid)
    return ids


def _parse_people(value: Any, problems: list[str]) -> list[Person]:
    people: list[Person] = []
    seen: set[str] = set()
    for n, record in enumerate(_records(value, "people", problems), start=1):
        where = f"[[people]] #{n}"
        _reject_unknown(record, {"object_id", "name", "email"}, where, problems)
        oid = _check_object_id(record.get("object_id"), where, problems)
        name = _required_text(record, "name", where, problems)
        email = _optional_text(record.get("email"), f"{where} email", problems)
        if oid is None or not name:
            continue
        if oid in seen:
            problems.append(f"{where}: {oid} is listed twice.")
            continue
        seen.add(oid)
        people.append(Person(object_id=oid, name=name, email=email))
    return people


def _parse_key(record: Mapping[str, Any], where: str, seen: set[str], kind: str,
               problems: list[str]) -> str | None:
    key = _required_text(record, "key", where, problems)
    if not key:
        return None
    if not _KEY.match(key):
        problems.append(
            f"{where}: key {key!r} must be lower-case letters, digits and hyphens "
            "(at most 40 characters)."
        )
        return None
    if key in seen:
        problems.append(f"{where}: duplicate {kind} {key!r}.")
        return None
    seen.add(key)
    return key


def _parse_portfolios(value: Any, known: set[str], problems: list[str]) -> list[Portfolio]:
    portfolios: list[Portfolio] = []
    keys: set[str] = set()
    names: set[str] = set()
    records = _records(value, "portfolios", problems)
    if not records:
        problems.append("At least one [[portfolios]] entry is required.")
    for n, record in enumerate(records, start=1):
        where = f"[[portfolios]] #{n}"
        _reject_unknown(record, {"key", "name", "spocs", "deputies"}, where, problems)
        key = _parse_key(record, where, keys, "portfolio", problems)
        name = _required_text(record, "name", where, problems)
        if name and name.casefold() in names:
            problems.append(f"{where}: duplicate portfolio name {name!r}.")
        names.add(name.casefold())
        spocs = _parse_ids(record.get("spocs", []), f"{where} spocs", known, problems)
        deputies = _parse_ids(record.get("deputies", []), f"{where} deputies", known, problems)
        if not spocs:
            problems.append(f"{where}: spocs must name at least one person.")
        if key and name:
            portfolios.append(Portfolio(key, name, tuple(spocs), tuple(deputies)))
    return portfolios


def _parse_categories(value: Any, problems: list[str]) -> list[Category]:
    categories: list[Category] = []
    keys: set[str] = set()
    records = _records(value, "categories", problems)
    if not records:
        problems.append("At least one [[categories]] entry is required.")
    for n, record in enumerate(records, start=1):
        where = f"[[categories]] #{n}"
        _reject_unknown(record, {"key", "name"}, where, problems)
        key = _parse_key(record, where, keys, "category", problems)
        name = _required_text(record, "name", where, problems)
        if key and name:
            categories.append(Category(key, name))
    return categories


def people_named(org: Organisation, ids: Iterable[str]) -> list[Person]:
    """The people behind `ids`, in order, skipping any the organisation does not know."""
    return [p for p in (org.person(i) for i in ids) if p is not None]
