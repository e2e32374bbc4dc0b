"""Bot state documents: plain JSON, objects of allowed types only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum

import pytest

from storage.state_documents import StateDocuments, UnreadableDocument


class Colour(StrEnum):
    RED = "red"


class Allowed:
    def __init__(self, **attributes: object) -> None:
        vars(self).update(attributes)


class NotAllowed:
    pass


DOCUMENTS = StateDocuments(types=[Allowed], enums=[Colour])


def test_allowed_objects_round_trip_as_plain_json() -> None:
    item = {"stack": [Allowed(id="intake", state={"step": 2, "pair": (1, 2)})],
            "colour": Colour.RED, "at": datetime(2026, 12, 6, 9, 30, tzinfo=UTC)}

    text = DOCUMENTS.encode(item)
    read = DOCUMENTS.decode(text)

    assert json.loads(text)["stack"][0]["py/object"].endswith(".Allowed")
    [instance] = read["stack"]
    assert isinstance(instance, Allowed)
    assert vars(instance) == {"id": "intake", "state": {"step": 2, "pair": [1, 2]}}
    assert (read["colour"], read["at"]) == ("red", "2026-12-06T09:30:00+00:00")


def test_writing_a_type_not_allowed_says_which() -> None:
    with pytest.raises(TypeError, match="NotAllowed"):
        DOCUMENTS.encode({"x": NotAllowed()})


def test_a_key_that_would_read_as_a_tag_is_refused() -> None:
    with pytest.raises(TypeError, match="py/"):
        DOCUMENTS.encode({"py/object": "os.system"})


@pytest.mark.parametrize("document", [
    "not json",
    '{"a": {"py/object": "builtins.object"}}',
    '{"a": {"py/id": 1}}',
    '{"a": {"py/function": "os.system"}}',
    '{"a": {"py/reduce": [{"py/type": "os.system"}, {"py/tuple": ["id"]}]}}',
    '{"a": {"py/reduce": [{"py/type": "test_state_documents.Colour"}, {"py/tuple": ["x"]}]}}',
], ids=["not-json", "unlisted-class", "reference", "function", "reduce", "no-such-member"])
def test_anything_else_is_unreadable(document: str) -> None:
    with pytest.raises(UnreadableDocument):
        DOCUMENTS.decode(document)


def test_the_previous_releases_enum_members_and_tuples_read_back() -> None:
    name = f"{Colour.__module__}.{Colour.__qualname__}"
    document = json.dumps({"c": {"py/reduce": [{"py/type": name}, {"py/tuple": ["red"]}]},
                           "t": {"py/tuple": [1, "a"]}})
    assert DOCUMENTS.decode(document) == {"c": Colour.RED, "t": (1, "a")}
