"""Everything held about one person, found and erased as storage.personal_map declares (the
storage side of the PersonalRecords port).

A person's own rows are found by the column that names them (OWNED_BY); bot state and the
outbox also by their 1:1 chats and Teams user id. Others' words that may name them (MENTIONS,
and what was sent to others) are searched in the database first, by each text the scrubber
looks for, and changed row by row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Table,
    Text,
    cast,
    delete,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.outbox import DeliveryState
from bot.domain.personal_data import (
    ERASED_VALUE,
    TOMBSTONE_CARD,
    Handling,
    Scrubber,
)
from storage import tables as t
from storage.personal_map import OWNED_BY, PERSONAL, columns_with

# The sections of the subject access document that hold the person's own rows, by table.
SECTIONS = {
    "people": "person", "contributor_profiles": "profile", "ideas": "ideas",
    "idea_supporters": "supported_ideas", "idea_drafts": "drafts", "feedback": "feedback",
    "conversation_addresses": "conversation_addresses", "bot_state": "conversation_state",
    "campaign_opt_outs": "campaign_opt_out", "contributor_lookups": "contributor_lookup",
    "outbox": "messages",
}
# Those that hold one row at most.
SINGLE = frozenset({"people", "contributor_profiles", "campaign_opt_outs",
                    "contributor_lookups"})
_DIVERSITY = ("department", "function", "location", "grade", "role_type")
# Changed on their own rows; DERIVED columns change with the text they are made from.
_REPLACED = frozenset({Handling.NAME, Handling.CONTACT, Handling.ANSWER, Handling.CONSENT,
                       Handling.OWN_TEXT, Handling.SENT_TO_THEM})


@dataclass(frozen=True, slots=True)
class Chats:
    """Where the person talks with the bot: their 1:1 conversations and Teams user ids."""

    conversations: tuple[str, ...]
    user_ids: tuple[str, ...]


class SqlPersonalRecords:
    """Implements bot.services.ports.PersonalRecords on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def scrubber(self, object_id: str, pseudonym: str) -> Scrubber:
        """What finds the person in others' words: every name, contact and text of their own
        their rows hold."""
        names: list[str | None] = []
        contacts: list[str | None] = []
        own: list[str | None] = []
        for handling, found in ((Handling.NAME, names), (Handling.CONTACT, contacts),
                                (Handling.OWN_TEXT, own)):
            for table_name, column in columns_with(handling):
                table = t.metadata.tables[table_name]
                rows = await self._db.execute(select(table.c[column]).distinct().where(
                    table.c[OWNED_BY[table_name]] == object_id))
                found += [value for (value,) in rows]
        return Scrubber.of(pseudonym, names, contacts, own,
                           await self._names_of_others(object_id, names))

    async def _names_of_others(self, object_id: str, names: list[str | None]) -> set[str]:
        """Which of `names` someone else's rows hold as theirs."""
        wanted = sorted({name for name in names if name})
        taken: set[str] = set()
        for table_name, column in columns_with(Handling.NAME):
            table = t.metadata.tables[table_name]
            rows = await self._db.execute(select(table.c[column]).distinct().where(
                table.c[column].in_(wanted), table.c[OWNED_BY[table_name]] != object_id))
            taken |= {name for (name,) in rows}
        return taken

    async def held(self, object_id: str, scrubber: Scrubber) -> dict[str, object]:
        """The sections of the subject access document, as stored (not yet JSON)."""
        chats = await self._chats(object_id)
        found: dict[str, list[dict[str, Any]]] = {}
        for table_name in SECTIONS:
            table = t.metadata.tables[table_name]
            found[table_name] = await self._rows(table, self._theirs(table_name, object_id,
                                                                     chats))
        found["bot_state"] = [{**row, "document": _decoded(row["document"])}
                              for row in found["bot_state"]]
        found["ideas"] = await self._with_history(found["ideas"])
        found["idea_supporters"] = await self._with_references(found["idea_supporters"])
        sections: dict[str, object] = {
            SECTIONS[name]: (rows[0] if rows else None) if name in SINGLE else rows
            for name, rows in found.items()}
        sections["as_actor"] = await self._as_actor(object_id)
        sections["mentions"] = await self._mentions(object_id, scrubber)
        return sections

    async def erase(self, object_id: str, pseudonym: str, scrubber: Scrubber,
                    now: datetime) -> dict[str, int]:
        """Erase the person as the map says; how many rows changed, by table (and column,
        for others' words scrubbed)."""
        chats = await self._chats(object_id)
        changed: dict[str, int] = {}
        theirs = self._theirs("outbox", object_id, chats)
        called_off = await self._db.execute(
            update(t.outbox).where(theirs, t.outbox.c.state == DeliveryState.PENDING.value)
            .values(state=DeliveryState.CANCELLED.value, cancelled_at=now))
        changed["outbox.called_off"] = called_off.rowcount
        for table_name in [*OWNED_BY, "bot_state"]:
            table = t.metadata.tables[table_name]
            where = self._theirs(table_name, object_id, chats)
            handled = PERSONAL[table_name]
            if Handling.STATE in handled.values():
                changed[table_name] = (await self._db.execute(delete(table).where(where))
                                       ).rowcount
                continue
            values = {column: _erased(table, column, handling, pseudonym)
                      for column, handling in handled.items() if handling in _REPLACED}
            if not values:
                continue
            differs = [table.c[column].is_distinct_from(value) for column, value in
                       values.items() if not isinstance(table.c[column].type, JSON)]
            changed[table_name] = (await self._db.execute(
                update(table).where(where, or_(false(), *differs)).values(values))).rowcount
        for table, columns in _worded().items():
            changed |= await self._scrub(table, columns, scrubber, now)
        return {name: count for name, count in changed.items() if count}

    async def _chats(self, object_id: str) -> Chats:
        table = t.conversation_addresses
        rows = (await self._db.execute(select(table.c.conversation_id, table.c.user_id)
                                       .where(table.c.object_id == object_id))).all()
        return Chats(tuple(row.conversation_id for row in rows),
                     tuple(sorted({row.user_id for row in rows if row.user_id})))

    def _theirs(self, table_name: str, object_id: str, chats: Chats) -> ColumnElement[bool]:
        """The rows of `table_name` that are the person's own."""
        if table_name == "bot_state":
            # botbuilder's keys: <channel>/conversations/<conversation>/users/<user>/<ns>
            key = t.bot_state.c.key
            found = [key.contains(f"/users/{user}/", autoescape=True)
                     for user in chats.user_ids]
            found += [key.contains(f"/conversations/{chat}/", autoescape=True)
                      for chat in chats.conversations]
            return or_(false(), *found)
        table = t.metadata.tables[table_name]
        owned = table.c[OWNED_BY[table_name]] == object_id
        if table_name == "outbox" and chats.conversations:
            return or_(owned, t.outbox.c.conversation_id.in_(chats.conversations),
                       t.outbox.c.sent_conversation_id.in_(chats.conversations))
        return owned

    async def _rows(self, table: Table, where: ColumnElement[bool]) -> list[dict[str, Any]]:
        rows = await self._db.execute(
            select(table).where(where).order_by(*table.primary_key.columns))
        return [dict(row) for row in rows.mappings()]

    async def _with_history(self, ideas: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each idea with its diversity snapshot apart and its whole history."""
        history = t.idea_history
        shown: list[dict[str, Any]] = []
        for idea in ideas:
            entries = await self._rows(history, history.c.idea_id == idea["id"])
            snapshot = {name: idea[name] for name in _DIVERSITY}
            rest = {name: value for name, value in idea.items() if name not in _DIVERSITY}
            shown.append({**rest, "diversity_snapshot": snapshot, "history": entries})
        return shown

    async def _with_references(self, supported: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not supported:
            return []
        ideas = t.ideas
        rows = await self._db.execute(select(ideas.c.id, ideas.c.reference).where(
            ideas.c.id.in_([row["idea_id"] for row in supported])))
        reference = {idea_id: ref for idea_id, ref in rows}
        return [{**row, "reference": reference.get(row["idea_id"])} for row in supported]

    async def _as_actor(self, object_id: str) -> dict[str, list[dict[str, Any]]]:
        """Rows of tables not the person's own that name them by their id (history and audit
        entries where they acted, campaigns they ran, roles they hold...), by table.column."""
        found: dict[str, list[dict[str, Any]]] = {}
        for table_name, column in columns_with(Handling.IDENTIFIES):
            if table_name in OWNED_BY:
                continue
            table = t.metadata.tables[table_name]
            value = table.c[column]
            names = (cast(value, Text).contains(json.dumps(object_id), autoescape=True)
                     if isinstance(value.type, JSON) else value == object_id)
            rows = await self._rows(table, names)
            if rows:
                found[f"{table_name}.{column}"] = [_without_binary(row) for row in rows]
        return found

    async def _mentions(self, object_id: str, scrubber: Scrubber) -> list[dict[str, Any]]:
        """Where others' words name the person, or hold their object id (an audit entry about
        them): table, column, the row's key, the text."""
        found: list[dict[str, Any]] = []
        for table, columns in _worded().items():
            keys = list(table.primary_key.columns)
            holding = or_(*(cast(table.c[c], Text).contains(object_id, autoescape=True)
                            for c in columns), _naming(table, columns, scrubber))
            rows = await self._db.execute(
                select(*keys, *(table.c[c] for c in columns)).where(holding)
                .order_by(*keys))
            for row in rows.mappings():
                key = {k.name: row[k.name] for k in keys}
                found += [{"table": table.name, "column": column, "key": key,
                           "value": row[column]} for column in columns
                          if row[column] is not None and (
                              object_id in str(row[column])
                              or _scrubbed(row[column], scrubber) != row[column])]
        return found

    async def _scrub(self, table: Table, columns: list[str], scrubber: Scrubber,
                     now: datetime) -> dict[str, int]:
        """Take the person out of `columns` wherever they name them (one search of the
        table); how many rows changed, by table.column."""
        changed = {f"{table.name}.{column}": 0 for column in columns}
        if scrubber.empty:
            return changed
        keys = list(table.primary_key.columns)
        rows = await self._db.execute(select(*keys, *(table.c[c] for c in columns))
                                      .where(_naming(table, columns, scrubber)))
        for row in rows.mappings().all():
            values: dict[str, Any] = {}
            for column in columns:
                if row[column] is not None and (
                        scrubbed := _scrubbed(row[column], scrubber)) != row[column]:
                    values[column] = scrubbed
                    changed[f"{table.name}.{column}"] += 1
            if not values:
                continue
            if table is t.match_documents and "text" in values:
                # What the index ranked was made from the old text: made again from the new.
                values |= {"digest": hashlib.sha256(values["text"].encode()).hexdigest(),
                           "vector": None, "model": None, "updated_at": now}
            await self._db.execute(update(table).where(
                *(k == row[k.name] for k in keys)).values(values))
        return changed


def _worded() -> dict[Table, list[str]]:
    """The columns of others' words that may name a person (MENTIONS, and what was sent to
    others), by table."""
    found: dict[Table, list[str]] = {}
    for table_name, column in [*columns_with(Handling.MENTIONS),
                               *columns_with(Handling.SENT_TO_THEM)]:
        found.setdefault(t.metadata.tables[table_name], []).append(column)
    return found


def _erased(table: Table, column: str, handling: Handling, pseudonym: str) -> object:
    """What a column of the person's own row becomes."""
    if handling is Handling.NAME:
        return pseudonym
    if isinstance(table.c[column].type, JSON):
        return dict(TOMBSTONE_CARD)
    return ERASED_VALUE[handling]


def _naming(table: Table, columns: list[str], scrubber: Scrubber) -> ColumnElement[bool]:
    """The rows whose `columns` may name the person (read as text, JSON documents too): a
    lower-cased needle is looked for in the lower-cased text (SQLite lower-cases ASCII only,
    so a needle with other letters is looked for as it is written too)."""
    found: list[ColumnElement[bool]] = []
    for column in columns:
        text = cast(table.c[column], Text)
        for needle in scrubber.needles():
            if needle == needle.lower():
                found.append(func.lower(text).contains(needle, autoescape=True))
            if not needle.isascii():
                found.append(text.contains(needle, autoescape=True))
    return or_(false(), *found)


def _scrubbed(value: Any, scrubber: Scrubber) -> Any:
    return scrubber.text(value) if isinstance(value, str) else scrubber.document(value)


def _decoded(document: str) -> object:
    """A bot state document as JSON (it is stored as JSON text), or the text if it is not."""
    try:
        return json.loads(document)
    except ValueError:
        return document


def _without_binary(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if not isinstance(value, bytes)}
