"""Bot state is read as plain JSON: a stored document can name types, never make the bot run
code, and state saved by the previous release (jsonpickle) still carries on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import jsonpickle
import structlog
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import DialogState, DialogTurnStatus
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from test_storage_dialog_restart import Bot, build_bot

from storage.bot_state import SqlStorage
from storage.engine import make_engine
from storage.tables import bot_state

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bot-state"
CONVERSATION = "Channels.test/conversations/Convo1"   # TestAdapter's conversation, as stored


class Tripwire:
    """A class that notes every instance made of it."""

    made: ClassVar[list[str]] = []

    def __new__(cls, *args: Any, **kwargs: Any) -> Tripwire:
        cls.made.append("instance")
        return super().__new__(cls)


def running_code(marker: Path) -> dict[str, Any]:
    """What jsonpickle reads as a call of os.system: it would create `marker`."""
    return {"py/reduce": [{"py/function": "os.system"}, {"py/tuple": [f"touch {marker}"]}]}


def naming_a_class() -> dict[str, Any]:
    return {"py/object": f"{Tripwire.__module__}.{Tripwire.__qualname__}", "armed": True}


async def store(engine: AsyncEngine, key: str, document: Any) -> None:
    async with engine.begin() as connection:
        await connection.execute(bot_state.insert().values(
            key=key, etag="a" * 32, document=json.dumps(document),
            updated_at=datetime.now(UTC)))


async def stored_document(engine: AsyncEngine, key: str) -> Any:
    async with engine.connect() as connection:
        text = (await connection.execute(
            select(bot_state.c.document).where(bot_state.c.key == key))).scalar_one()
    return json.loads(text)


def adapter_for(bots: list[Bot]) -> TestAdapter:
    async def on_turn(turn) -> None:
        bot = bots[-1]
        dc = await bot.dialogs.create_context(turn)
        result = await dc.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dc.begin_dialog("submit")
        await bot.conversation.save_changes(turn)
        await bot.user.save_changes(turn)

    return TestAdapter(on_turn)


async def test_a_document_that_names_code_to_run_is_never_run(
        engine: AsyncEngine, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    Tripwire.made.clear()
    await store(engine, "call", {"dialogs": running_code(marker)})
    await store(engine, "class", {"dialogs": {"stack": [naming_a_class()]}})
    await SqlStorage(engine).write({"plain": {"count": 1}})

    with structlog.testing.capture_logs() as logs:
        items = await SqlStorage(engine).read(["call", "class", "plain"])

    assert not marker.exists()
    assert Tripwire.made == []
    assert list(items) == ["plain"], "an unreadable item reads as absent"
    unreadable = {entry["key"]: entry["reason"] for entry in logs
                  if entry["event"] == "bot_state.unreadable"}
    assert set(unreadable) == {"call", "class"}
    assert "Tripwire" in unreadable["class"]


async def test_a_conversation_whose_state_names_code_starts_afresh(
        database_url: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    bots = [build_bot(make_engine(database_url))]
    await store(bots[-1].engine, CONVERSATION, {"dialog_state": running_code(marker)})
    adapter = adapter_for(bots)

    await adapter.test("idea", "What is your idea called?")
    await adapter.test("Shared pool cars", "What problem does 'Shared pool cars' solve?")

    assert not marker.exists()
    document = await stored_document(bots[-1].engine, CONVERSATION)
    assert "py/reduce" not in json.dumps(document), "the next save replaced it"
    await bots[-1].engine.dispose()


async def test_a_conversation_saved_by_the_previous_release_carries_on(database_url: str) -> None:
    """The previous release stored jsonpickle's documents; this one reads the SDK types in
    them (enum members and tuples included) without jsonpickle."""
    legacy = json.loads((FIXTURES / "restart-mid-dialog.jsonpickle.json").read_text())
    assert "py/reduce" in json.dumps(legacy)   # enum members, as jsonpickle writes them
    bots = [build_bot(make_engine(database_url))]
    for key, document in legacy.items():
        await store(bots[-1].engine, key, document)
    adapter = adapter_for(bots)

    await adapter.test(
        "Officers wait for vehicles",
        "Thank you. 'Shared pool cars' solves: Officers wait for vehicles. Ideas so far: 1.",
    )
    await adapter.test("another", "What is your idea called?")
    await bots[-1].engine.dispose()


async def test_what_is_written_now_reads_the_same_through_jsonpickle(
        database_url: str) -> None:
    """A replica still on the previous release, mid-way through a rolling upgrade, reads
    what this one writes."""
    bots = [build_bot(make_engine(database_url))]
    adapter = adapter_for(bots)
    await adapter.test("idea", "What is your idea called?")
    raw = json.dumps(await stored_document(bots[-1].engine, CONVERSATION))

    by_previous_release = jsonpickle.decode(raw)["dialog_state"]
    assert isinstance(by_previous_release, DialogState)
    prompt, waterfall = by_previous_release.dialog_stack
    assert (prompt.id, waterfall.id) == ("title", "submit")
    assert prompt.state["options"].prompt.text == "What is your idea called?"
    assert waterfall.state["stepIndex"] == 0
    await bots[-1].engine.dispose()
