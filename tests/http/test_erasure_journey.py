"""A person who used the bot through Teams (an idea submitted, another half told, feedback
sent) is exported and erased: the dialog state the SDK keyed by their Teams user id is found
and goes, and no text the database holds names them any more; they can still use the bot."""

from __future__ import annotations

from sqlalchemy import select
from support.bot_server import BotServer
from support.chat import Person, submit_idea
from support.connector import StandInConnector
from support.personal_data import DRAFT_TITLE, FEEDBACK, NAME, PERSON, traces
from support.tables import rows

from bot.domain.personal_data import TOMBSTONE, pseudonym_of
from bot.services.data_protection import DataProtection
from storage import tables
from storage.uow import unit_of_work_factory

HALF_TOLD = DRAFT_TITLE


async def test_a_person_who_used_the_bot_is_exported_then_erased_without_a_trace(
        bot: BotServer, connector: StandInConnector, clock):
    person = Person(bot, connector, object_id=PERSON, name=NAME)
    receipt = await submit_idea(person)
    reference = next(word for word in receipt.text.split() if word.startswith("IIP-"))
    await person.one("new idea")
    await person.one(HALF_TOLD)  # the dialog now waits for the problem
    await person.send_value({"action": "feedback.send", "comment": FEEDBACK, "rating": "3",
                             "may_contact": "true"})
    async with bot.engine.connect() as connection:
        keys = (await connection.execute(select(tables.bot_state.c.key))).scalars().all()
    theirs = [key for key in keys if f"/users/29:{PERSON}/" in key]
    assert theirs, keys  # the SDK keys a person's dialog state by their Teams user id
    assert {canary for _, _, canary in await traces(bot.engine, (NAME, HALF_TOLD, FEEDBACK))
            } == {NAME, HALF_TOLD, FEEDBACK}

    protection = DataProtection(unit_of_work_factory(bot.engine), clock)
    document = await protection.export(PERSON)
    assert [idea["reference"] for idea in document["ideas"]] == [reference]
    assert [state["key"] for state in document["conversation_state"]] == theirs
    assert document["drafts"][0]["draft"]["title"] == HALF_TOLD
    assert document["feedback"][0]["comment"] == FEEDBACK

    await protection.erase(PERSON, "cli:dpo")

    assert await traces(bot.engine, (NAME, HALF_TOLD, FEEDBACK)) == []
    async with bot.engine.connect() as connection:
        left = (await connection.execute(select(tables.bot_state.c.key))).scalars().all()
    assert not set(theirs) & set(left)
    [feedback] = await rows(bot.engine, tables.feedback)
    assert feedback["comment"] == TOMBSTONE
    # They may carry on: their idea is still theirs, under the pseudonym.
    listed = await person.one("my ideas")
    assert reference in listed.text
    [idea] = await rows(bot.engine, tables.ideas, tables.ideas.c.reference == reference)
    assert idea["contributor_name"] == pseudonym_of(PERSON)
