"""SqlStorage keeps Microsoft's own storage contract: botbuilder-testing's StorageBaseTests."""

from __future__ import annotations

import pytest
from botbuilder.testing import StorageBaseTests
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.bot_state import SqlStorage

CONTRACT = [
    "return_empty_object_when_reading_unknown_key",
    "handle_null_keys_when_reading",
    "handle_null_keys_when_writing",
    "does_not_raise_when_writing_no_items",
    "create_object",
    "handle_crazy_keys",
    "update_object",
    "delete_object",
    "delete_unknown_object",
    "perform_batch_operations",
    "proceeds_through_waterfall",
]


def test_the_list_is_the_whole_contract() -> None:
    published = {name for name in vars(StorageBaseTests) if not name.startswith("_")}
    assert published == set(CONTRACT)


@pytest.mark.parametrize("case", CONTRACT)
async def test_sql_storage_keeps_the_sdk_storage_contract(engine: AsyncEngine, case: str) -> None:
    assert await getattr(StorageBaseTests, case)(SqlStorage(engine)) is True
