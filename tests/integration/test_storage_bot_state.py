"""SqlStorage keeps Bot Framework state with the eTag rules of botbuilder's MemoryStorage."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from botbuilder.core import MemoryStorage, Storage, StoreItem
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.bot_state import EtagConflict, SqlStorage


def outcome_of(items: dict[str, Any]) -> dict[str, Any]:
    """What a read gave, with eTag values (which differ by design) replaced by their presence."""
    seen: dict[str, Any] = {}
    for key, item in items.items():
        if isinstance(item, dict):
            seen[key] = ("dict", {k: ("<etag>" if k == "e_tag" and v else v)
                                  for k, v in item.items()})
        else:
            attributes = {k: ("<etag>" if k == "e_tag" and v else v)
                          for k, v in vars(item).items()}
            seen[key] = (type(item).__name__, attributes)
    return seen


def etag(item: Any) -> str:
    value = item["e_tag"] if isinstance(item, dict) else item.e_tag
    assert isinstance(value, str) and value
    return value


async def scenario(storage: Storage) -> list[Any]:
    """The same steps for any Storage; returns what each step gave, to compare."""
    log: list[Any] = []

    async def read(*keys: str) -> dict[str, Any]:
        items = copy.deepcopy(await storage.read(list(keys)))   # MemoryStorage hands out its own
        log.append(("read", keys, outcome_of(items)))
        return items

    async def write(changes: dict[str, Any]) -> None:
        try:
            await storage.write(copy.deepcopy(changes))
        except KeyError:
            log.append(("write", sorted(changes), "eTag conflict"))
        except Exception:
            log.append(("write", sorted(changes), "refused"))
        else:
            log.append(("write", sorted(changes), "ok"))

    await read("missing")
    await read()
    # New items, given "*": both stores then track their eTag.
    await write({"item": {"count": 1, "e_tag": "*"},
                 "object": StoreItem(count=1, names=["a"], e_tag="*")})
    first = await read("item", "object", "missing")
    await write({"item": {"count": 2, "e_tag": etag(first["item"])},
                 "object": StoreItem(count=2, names=["a", "b"], e_tag=etag(first["object"]))})
    second = await read("item", "object")
    # The current eTag wins; a stale one is refused and changes nothing.
    await write({"item": {"count": 3, "e_tag": etag(second["item"])}})
    await write({"item": {"count": 99, "e_tag": etag(second["item"])}})
    await write({"object": StoreItem(count=3, e_tag=etag(second["object"]))})
    await write({"object": StoreItem(count=99, e_tag=etag(second["object"]))})
    await read("item", "object")
    # "*" and no eTag at all both overwrite, whatever was there.
    await write({"item": {"count": 4, "e_tag": "*"}})
    await read("item")
    await write({"item": {"count": 5}})
    await write({"object": StoreItem(count=5)})
    third = await read("item", "object")
    await write({"item": {"count": 6, "e_tag": etag(second["item"])}})   # still stale
    await write({"item": {"count": 6, "e_tag": etag(third["item"])}})
    await read("item")
    # An empty eTag is a mistake, not a wildcard.
    await write({"item": {"count": 7, "e_tag": ""}})
    await read("item")
    # Delete: gone from reads; deleting again or deleting the unknown is fine.
    await storage.delete(["item", "never-written"])
    await storage.delete(["item"])
    await read("item", "object")
    # Once deleted, even an old eTag writes the item anew.
    await write({"item": {"count": 8, "e_tag": etag(third["item"])}})
    await read("item")
    await write({})
    return log


async def test_sql_storage_behaves_as_memory_storage(engine: AsyncEngine) -> None:
    expected = await scenario(MemoryStorage())
    # The scenario has teeth: stale eTags are refused, for dicts and for objects.
    assert ("write", ["item"], "eTag conflict") in expected
    assert ("write", ["object"], "eTag conflict") in expected
    assert await scenario(SqlStorage(engine)) == expected


async def test_an_item_first_written_without_an_etag_is_given_one(engine: AsyncEngine) -> None:
    # The one intended difference: MemoryStorage tracks no eTag for an item written without
    # one; SqlStorage always does, as the SDK's Cosmos DB and Blob storages do.
    storage = SqlStorage(engine)
    await storage.write({"poco": {"count": 1}})
    item = (await storage.read(["poco"]))["poco"]
    assert item["count"] == 1 and item["e_tag"]
    await storage.write({"poco": {"count": 2, "e_tag": item["e_tag"]}})
    with pytest.raises(EtagConflict):
        await storage.write({"poco": {"count": 3, "e_tag": item["e_tag"]}})
    assert (await storage.read(["poco"]))["poco"]["count"] == 2


async def test_a_conflict_in_one_item_writes_none_of_the_batch(engine: AsyncEngine) -> None:
    storage = SqlStorage(engine)
    await storage.write({"a": {"n": 1}, "b": {"n": 1}})
    stale = (await storage.read(["b"]))["b"]["e_tag"]
    await storage.write({"b": {"n": 2}})
    with pytest.raises(KeyError):
        await storage.write({"a": {"n": 9}, "b": {"n": 9, "e_tag": stale}})
    items = await storage.read(["a", "b"])
    assert (items["a"]["n"], items["b"]["n"]) == (1, 2)


async def test_state_survives_a_new_storage_object(engine: AsyncEngine) -> None:
    await SqlStorage(engine).write({"k/ey with ünicode:1": {"nested": {"list": [1, 2, 3]}}})
    item = (await SqlStorage(engine).read(["k/ey with ünicode:1"]))["k/ey with ünicode:1"]
    assert item["nested"] == {"list": [1, 2, 3]}


async def save(writer: SqlStorage, n: int, item: dict[str, Any]) -> int:
    """Write `item` as writer `n`, keeping the eTag it was read with; return n if it won."""
    await writer.write({"conversation": {**item, "writer": n}})
    return n


async def test_of_concurrent_writers_with_the_same_etag_exactly_one_wins(
        engine: AsyncEngine) -> None:
    await SqlStorage(engine).write({"conversation": {"turn": 0}})
    for round_ in range(1, 4):
        writers = [SqlStorage(engine) for _ in range(4)]
        seen = [(await w.read(["conversation"]))["conversation"] for w in writers]
        assert len({s["e_tag"] for s in seen}) == 1

        results = await asyncio.gather(*(save(w, n, {**s, "turn": round_})
                                         for n, (w, s) in enumerate(zip(writers, seen,
                                                                        strict=True))),
                                       return_exceptions=True)
        winners = [r for r in results if isinstance(r, int)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1, results
        assert all(isinstance(e, KeyError) for e in losers), losers
        stored = (await SqlStorage(engine).read(["conversation"]))["conversation"]
        assert (stored["turn"], stored["writer"]) == (round_, winners[0])
        assert stored["e_tag"] != seen[0]["e_tag"]
