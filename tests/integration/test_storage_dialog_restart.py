"""A conversation half way through a dialog carries on after the bot restarts."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.core import ConversationState, TurnContext, UserState
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogSet,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt
from botbuilder.schema import Activity, ActivityTypes
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.bot_state import SqlStorage
from storage.engine import make_engine
from storage.tables import bot_state


@dataclass
class Bot:
    """One process's worth of bot: its storage, its state objects and its dialogs."""

    engine: AsyncEngine
    conversation: ConversationState
    user: UserState
    dialogs: DialogSet


def build_bot(engine: AsyncEngine) -> Bot:
    storage = SqlStorage(engine)
    conversation = ConversationState(storage)
    user = UserState(storage)
    profile = user.create_property("profile")

    async def ask_title(step: WaterfallStepContext):
        return await step.prompt("title", PromptOptions(
            prompt=Activity(type=ActivityTypes.message, text="What is your idea called?")))

    async def ask_problem(step: WaterfallStepContext):
        step.values["title"] = step.result
        return await step.prompt("problem", PromptOptions(
            prompt=Activity(type=ActivityTypes.message,
                            text=f"What problem does '{step.result}' solve?")))

    async def finish(step: WaterfallStepContext):
        stored = await profile.get(step.context, dict)
        stored["ideas"] = [*stored.get("ideas", []), step.values["title"]]
        await step.context.send_activity(
            f"Thank you. '{step.values['title']}' solves: {step.result}. "
            f"Ideas so far: {len(stored['ideas'])}.")
        return await step.end_dialog()

    dialogs = DialogSet(conversation.create_property("dialog_state"))
    dialogs.add(TextPrompt("title"))
    dialogs.add(TextPrompt("problem"))
    dialogs.add(WaterfallDialog("submit", [ask_title, ask_problem, finish]))
    return Bot(engine, conversation, user, dialogs)


async def test_a_dialog_resumes_at_the_right_step_after_a_restart(database_url: str) -> None:
    bots = [build_bot(make_engine(database_url))]

    async def on_turn(turn: TurnContext) -> None:
        bot = bots[-1]                      # whichever process is running now
        dc = await bot.dialogs.create_context(turn)
        result = await dc.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dc.begin_dialog("submit")
        await bot.conversation.save_changes(turn)
        await bot.user.save_changes(turn)

    adapter = TestAdapter(on_turn)
    await adapter.test("idea", "What is your idea called?")
    await adapter.test("Shared pool cars", "What problem does 'Shared pool cars' solve?")

    # The bot restarts: nothing in memory survives, only the database.
    await bots[-1].engine.dispose()
    bots.append(build_bot(make_engine(database_url)))

    await adapter.test(
        "Officers wait for vehicles",
        "Thank you. 'Shared pool cars' solves: Officers wait for vehicles. Ideas so far: 1.",
    )
    # The dialog is over; the next message starts a new one, and the user state is kept.
    await adapter.test("another", "What is your idea called?")
    await bots[-1].engine.dispose()
    bots.append(build_bot(make_engine(database_url)))
    await adapter.test("Paperless stops", "What problem does 'Paperless stops' solve?")
    await adapter.test("Forms", "Thank you. 'Paperless stops' solves: Forms. Ideas so far: 2.")
    await bots[-1].engine.dispose()


async def test_without_the_database_the_dialog_would_start_again(database_url: str) -> None:
    # A control: a bot on another, empty database does not know where the conversation was.
    bots = [build_bot(make_engine(database_url))]

    async def on_turn(turn: TurnContext) -> None:
        bot = bots[-1]
        dc = await bot.dialogs.create_context(turn)
        result = await dc.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dc.begin_dialog("submit")
        await bot.conversation.save_changes(turn)

    adapter = TestAdapter(on_turn)
    await adapter.test("idea", "What is your idea called?")
    async with bots[-1].engine.begin() as connection:
        await connection.execute(bot_state.delete())
    await adapter.test("Shared pool cars", "What is your idea called?")
    await bots[-1].engine.dispose()
