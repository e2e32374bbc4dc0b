"""Bot state documents as plain JSON, holding objects only of types allowed by name.

jsonpickle, which the SDK's own storages use, rebuilds whatever class or function a document
names (`py/object`, `py/reduce`, `py/function`...): whoever can write a row could make the bot
run code. Here a document is JSON; an object is written as its attributes with a `py/object`
tag naming its type, and read back only when that type is on the allow-list, by setting its
attributes on a bare instance (no constructor, no `__setstate__`, nothing named in the data
is ever called). Anything else is refused as unreadable.

The tag is the one jsonpickle writes, and enums are written as their values, so a document
written here reads the same through jsonpickle (a replica still on the previous release), and
documents that the previous release wrote still read here: the enum members it wrote as
`py/reduce` are read back when their enum is allowed, and its tuples as tuples.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

TYPE_TAG = "py/object"
_ENUM_TAG = "py/reduce"
_TUPLE_TAG = "py/tuple"
_TAG_PREFIX = "py/"

# A JSON value as json.loads returns it.
Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]


class UnreadableDocument(ValueError):
    """The document is not JSON, or names a type that bot state may not hold."""


def qualified_name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


class StateDocuments:
    """Encodes and decodes bot state items, with objects of the allowed types only."""

    def __init__(self, types: Iterable[type[object]], enums: Iterable[type[Enum]] = ()) -> None:
        self._types = {qualified_name(kind): kind for kind in types}
        self._enums = {qualified_name(kind): kind for kind in enums}

    def encode(self, item: Any) -> str:
        return json.dumps(self._plain(item), ensure_ascii=False, separators=(",", ":"))

    def decode(self, document: str) -> Any:
        try:
            value: Json = json.loads(document)
        except ValueError as error:
            raise UnreadableDocument(f"not JSON: {error}") from None
        return self._restored(value)

    def _plain(self, value: object) -> Json:
        if isinstance(value, Enum):
            return self._plain(value.value)
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return [self._plain(each) for each in cast("Iterable[object]", value)]
        if isinstance(value, dict):
            return {self._key(key): self._plain(each)
                    for key, each in cast("Mapping[object, object]", value).items()}
        name = qualified_name(type(value))
        if self._types.get(name) is not type(value):
            raise TypeError(f"bot state cannot hold a {name}: only JSON values and "
                            f"the allowed types ({', '.join(sorted(self._types))})")
        attributes = {self._key(key): self._plain(each) for key, each in vars(value).items()}
        return {TYPE_TAG: name, **attributes}

    @staticmethod
    def _key(key: object) -> str:
        if not isinstance(key, str):
            raise TypeError(f"bot state keys are strings, not {type(key).__name__}")
        if key.startswith(_TAG_PREFIX):
            raise TypeError(f"bot state keys may not start with {_TAG_PREFIX!r}: {key!r}")
        return key

    def _restored(self, value: Json) -> Any:
        if isinstance(value, list):
            return [self._restored(each) for each in value]
        if not isinstance(value, dict):
            return value
        tags = [key for key in value if key.startswith(_TAG_PREFIX)]
        if not tags:
            return {key: self._restored(each) for key, each in value.items()}
        if tags == [TYPE_TAG]:
            return self._object(value)
        items = value.get(_TUPLE_TAG)
        if tags == [_TUPLE_TAG] and len(value) == 1 and isinstance(items, list):
            return tuple(self._restored(each) for each in items)
        if tags == [_ENUM_TAG] and len(value) == 1:
            return self._enum_member(value[_ENUM_TAG])
        raise UnreadableDocument(f"tags bot state does not use: {', '.join(sorted(tags))}")

    def _object(self, value: dict[str, Json]) -> Any:
        name = value[TYPE_TAG]
        kind = self._types.get(name) if isinstance(name, str) else None
        if kind is None:
            raise UnreadableDocument(f"{name!r} is not a type bot state may hold")
        instance = kind.__new__(kind)
        vars(instance).update({key: self._restored(each)
                               for key, each in value.items() if key != TYPE_TAG})
        return instance

    def _enum_member(self, reduce: Json) -> Enum:
        """An enum member as jsonpickle wrote it: [{"py/type": name}, {"py/tuple": [value]}]."""
        match reduce:
            case [{"py/type": str(name)}, {"py/tuple": [member_value]}] if name in self._enums:
                try:
                    return self._enums[name](member_value)
                except ValueError:
                    pass
            case _:
                pass
        raise UnreadableDocument("a py/reduce that is not a member of an allowed enum")
