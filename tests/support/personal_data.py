"""A person with one of everything the portal holds about people, made through the real
services where a service makes it, and a scan of every text the database holds for traces of
them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, Text, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.feedback import FeedbackForm
from bot.domain.ideas import IdeaDetail
from bot.domain.identity import Caller
from bot.domain.intake import Draft, Step
from bot.domain.lifecycle import Move
from bot.domain.profile import Profile
from storage import tables
from storage.bot_state import SqlStorage
from support.decisions import IDEA, TENANT, decide, submit_idea
from support.organisation import ALEX, demo_data, organisation_from

PERSON = "5d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d"
NAME = "Quentin Zebedee-Marlowe"
EMAIL = "q.zebedee-marlowe@example.police.uk"
UPN = "qzm1234@example.police.uk"
LOCATION = "Wapshott Lane Station"
FEEDBACK = "Canary feedback: the zebra-crossing form asks the same thing three times."
SUPPORT = "Canary support: we retype the same zebra forms on nights too."
DRAFT_TITLE = "Canary draft: quieter zebra radios"
# What must be gone from every table once the person is erased.
CANARIES = (NAME, EMAIL, UPN, LOCATION, FEEDBACK, SUPPORT, DRAFT_TITLE)
USER_ID = "29:1quentin-teams-user-id"
CHAT = "a:1quentin-personal-chat"
CHANNEL = "19:canary-channel@thread.tacv2"
STATE_KEYS = (f"msteams/conversations/{CHAT}/users/{USER_ID}/",
              f"msteams/conversations/{CHANNEL}/users/{USER_ID}/")
CALLER = Caller(PERSON, NAME, TENANT)


@dataclass(frozen=True)
class Seeded:
    own: IdeaDetail        # the person's idea, allocated with a message naming them
    supported: IdeaDetail  # Alex's idea, which the person supports


async def load_organisation_with_person(services: Any) -> None:
    """The demo organisation, with the person among its people."""
    data = demo_data()
    data["people"].append({"object_id": PERSON, "name": NAME, "email": EMAIL})
    await services.organisation.replace(organisation_from(data), "test")


async def seed_one_of_everything(services: Any, engine: AsyncEngine, clock: Any) -> Seeded:
    await load_organisation_with_person(services)
    await services.conversations.remember(ConversationAddress(
        conversation_id=CHAT, kind=ConversationKind.PERSONAL,
        service_url="https://smba.trafficmanager.net/uk/", tenant_id=TENANT, bot_id="28:bot",
        object_id=PERSON, user_id=USER_ID))
    await services.ideas.save_profile(PERSON, Profile(
        department="local-policing", function="investigation", location=LOCATION,
        grade="sergeant", role_type="officer"))
    stored = await services.ideas.new_draft(PERSON, Draft(
        title="Digital pocket notebooks", **IDEA, category="process",
        portfolio="local-policing", named_publicly=True, step=Step.CHECK, revision=3))
    submitted = await services.ideas.submit(CALLER, stored.draft_id, stored.draft.revision)
    own = await services.ideas.idea_of(PERSON, submitted.reference)
    clock.advance(minutes=5)
    await decide(services, ALEX, own, Move.ALLOCATE, portfolio="local-policing",
                 message=f"Thank you {NAME}: the Local Policing lead will look at it.",
                 note=f"Ask {EMAIL} about the pilot")
    await services.ideas.new_draft(PERSON, Draft(title=DRAFT_TITLE, step=Step.PROBLEM))
    await services.feedback.submit(CALLER, FeedbackForm(comment=FEEDBACK, rating="4",
                                                        may_contact=True), "card-1")
    supported = await submit_idea(services, "Shared pool cars", contributor=ALEX)
    await services.campaigns.stop_calls(CALLER)
    async with engine.begin() as connection:
        await connection.execute(insert(tables.idea_supporters).values(
            idea_id=supported.id, object_id=PERSON, name=NAME, comment=SUPPORT,
            supported_at=own.submitted_at))
        await connection.execute(insert(tables.contributor_lookups).values(
            object_id=PERSON, email=EMAIL, upn=UPN, looked_up_at=own.submitted_at))
    await SqlStorage(engine).write({key: {"dialogs": {"step": "title", "said": NAME}}
                                    for key in STATE_KEYS})
    return Seeded(own, supported)


async def traces(engine: AsyncEngine, canaries: tuple[str, ...] = CANARIES
                 ) -> list[tuple[str, str, str]]:
    """(table, column, canary) for every text of every row of every table holding one of
    `canaries` (case ignored; JSON documents read as their text)."""
    found: list[tuple[str, str, str]] = []
    async with engine.connect() as connection:
        for table in tables.metadata.sorted_tables:
            texts = [column for column in table.columns
                     if isinstance(column.type, String | Text | JSON)
                     and not isinstance(column.type, LargeBinary)]
            if not texts:
                continue
            for row in (await connection.execute(select(*texts))).all():
                for column, value in zip(texts, row, strict=True):
                    if value is None:
                        continue
                    text = (value if isinstance(value, str)
                            else json.dumps(value, ensure_ascii=False)).casefold()
                    found += [(table.name, column.name, canary) for canary in canaries
                              if canary.casefold() in text]
    return found
