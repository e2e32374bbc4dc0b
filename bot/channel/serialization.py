"""Turning an outgoing Activity into JSON without msrest rebuilding its cards value by value.

msrest serialises an `object` field (an attachment's Adaptive Card) by rebuilding every value
of it through its type table, which costs more than the rest of a reply put together. A card
that is already plain JSON comes out of that unchanged, so it is used as it is.
"""

from __future__ import annotations

from typing import Any

import botbuilder.schema
from botbuilder.schema import Activity
from msrest import Serializer


def is_plain_json(value: Any) -> bool:
    """True when `value` holds only dicts with string keys, lists, strings, numbers, booleans
    and None: what msrest's serialize_object would rebuild into an equal value."""
    kind = type(value)
    if kind is dict:
        return all(type(key) is str and is_plain_json(item) for key, item in value.items())
    if kind is list:
        return all(is_plain_json(item) for item in value)
    return value is None or kind in (str, int, float, bool)


class PlainJsonSerializer(Serializer):
    """msrest's Serializer, except that plain JSON in an `object` field is used as it is."""

    def serialize_object(self, attr: Any, **kwargs: Any) -> Any:
        if is_plain_json(attr):
            return attr
        return super().serialize_object(attr, **kwargs)


# The models Activity.serialize() knows (msrest infers them from the model's package).
_SERIALIZER = PlainJsonSerializer(
    {name: kind for name, kind in vars(botbuilder.schema).items() if isinstance(kind, type)}
)


def activity_json(activity: Activity) -> dict[str, Any]:
    """The same JSON as `activity.serialize()`, with plain-JSON cards used as they are."""
    return _SERIALIZER._serialize(activity, keep_readonly=False)
