"""Bot Framework state (conversation, user and dialog state) kept in our own database.

The eTag rules are those of botbuilder's MemoryStorage: a write whose eTag is stale fails with
KeyError; a write with "*" or no eTag overwrites. Items are plain JSON documents
(storage.state_documents) holding objects only of the SDK types that dialog state is made of,
never whatever type a document names, as the SDK's jsonpickle-based storages would build. A
document that cannot be read is logged and treated as absent, so that the conversation starts
afresh (and its next save replaces it) rather than failing every turn.
"""
# botbuilder ships no type stubs; pyright reads the types from its source instead.
# pyright: reportMissingTypeStubs=false

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any, cast

import structlog
from botbuilder import schema
from botbuilder.core import Storage, StoreItem
from botbuilder.dialogs import DialogInstance, DialogState
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import PromptOptions
from msrest.serialization import Model
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import connect
from storage.state_documents import StateDocuments, UnreadableDocument
from storage.tables import bot_state
from storage.upsert import insert_for

log = structlog.get_logger(__name__)

_SCHEMA = [kind for kind in vars(schema).values() if isinstance(kind, type)]
# What bot state is made of: the SDK's StoreItem, the dialog stack, prompts' options and the
# activities they send (the Bot Framework schema's data classes and enums); nothing else is
# ever built.
DOCUMENTS = StateDocuments(
    types=[StoreItem, DialogState, DialogInstance, PromptOptions, Choice,
           *(kind for kind in _SCHEMA if issubclass(kind, Model))],
    enums=[ListStyle, *(kind for kind in _SCHEMA if issubclass(kind, Enum))],
)


class EtagConflict(KeyError):
    """Someone else saved this item since it was read: read it again and retry."""


class SqlStorage(Storage):
    def __init__(self, engine: AsyncEngine, now: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self._now = now or (lambda: datetime.now(UTC))

    async def read(self, keys: list[str] | None) -> dict[str, Any]:
        if keys is None:
            raise ValueError("Keys are required when reading")   # the SDK's words, verbatim
        if not keys:
            return {}
        async with connect(self._engine) as connection:
            rows = await connection.execute(
                select(bot_state.c.key, bot_state.c.etag, bot_state.c.document)
                .where(bot_state.c.key.in_(list(keys)))
            )
            found: dict[str, Any] = {}
            for key, etag, document in rows:
                try:
                    item = DOCUMENTS.decode(document)
                except UnreadableDocument as error:
                    log.warning("bot_state.unreadable", key=key, reason=str(error)[:200])
                    continue
                _set_etag(item, etag)
                found[key] = item
        return found

    async def write(self, changes: dict[str, Any] | None) -> None:
        if changes is None:
            raise ValueError("Changes are required when writing")   # the SDK's words, verbatim
        if not changes:
            return
        now = self._now()
        async with connect(self._engine, begin=True) as connection:
            for key, item in changes.items():
                expected = _get_etag(item)
                if expected == "":
                    raise ValueError(f"the item for {key!r} has an empty eTag")
                new_etag = uuid.uuid4().hex
                document = DOCUMENTS.encode(_without_etag(item))
                values = {"etag": new_etag, "document": document, "updated_at": now}
                if expected is None or expected == "*":
                    statement = insert_for(connection, bot_state).values(key=key, **values)
                    await connection.execute(
                        statement.on_conflict_do_update(index_elements=["key"], set_=values)
                    )
                    continue
                updated = await connection.execute(
                    update(bot_state)
                    .where(bot_state.c.key == key, bot_state.c.etag == expected)
                    .values(**values)
                )
                if updated.rowcount:
                    continue
                inserted = await connection.execute(
                    insert_for(connection, bot_state)
                    .values(key=key, **values)
                    .on_conflict_do_nothing()
                )
                if not inserted.rowcount:
                    raise EtagConflict(f"eTag conflict on {key!r}: it was saved by someone else")

    async def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        async with connect(self._engine, begin=True) as connection:
            await connection.execute(delete(bot_state).where(bot_state.c.key.in_(list(keys))))


def _as_dict(item: object) -> dict[str, Any] | None:
    """An item that is a dict (the SDK's storages hold dicts or objects), keyed by strings."""
    return cast("dict[str, Any]", item) if isinstance(item, dict) else None


def _get_etag(item: Any) -> str | None:
    if (as_dict := _as_dict(item)) is not None:
        return as_dict.get("e_tag")
    return getattr(item, "e_tag", None)


def _set_etag(item: Any, etag: str) -> None:
    if (as_dict := _as_dict(item)) is not None:
        as_dict["e_tag"] = etag
    elif hasattr(item, "__dict__"):
        item.e_tag = etag


def _without_etag(item: Any) -> Any:
    if (as_dict := _as_dict(item)) is not None and "e_tag" in as_dict:
        return {k: v for k, v in as_dict.items() if k != "e_tag"}
    return item
