"""Finding similar ideas through the real service and index, on SQLite and PostgreSQL.

A submission is found at once, by a second replica too; colleagues never see a private,
hidden or withdrawn idea; ideas from before searching are indexed when the bot starts.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update
from support.organisation import demo_organisation
from support.similar_ideas import BODY_WORN, RADIOS, person, submit

from bot.app import build_services
from bot.domain.similar import Audience, MatchKind, Visibility
from bot.matching.index import MatchIndex
from storage import tables
from storage.engine import connect


@pytest.fixture
async def services(engine, clock):
    services = build_services(engine, clock)
    await services.organisation.replace(demo_organisation(), "test")
    return services


async def set_idea(engine, reference: str, **values) -> None:
    async with connect(engine) as connection:
        await connection.execute(update(tables.ideas)
                                 .where(tables.ideas.c.reference == reference).values(**values))
        await connection.commit()


async def test_a_submission_is_found_at_once_by_every_replica(services, engine, clock):
    body_worn = await submit(services, person(1), BODY_WORN)
    await submit(services, person(2), RADIOS)
    other_replica = build_services(engine, clock)

    for replica in (services, other_replica):
        found = await replica.similar.find(
            "BWV footage upload is slow at end of shift, officers waiting at the dock",
            audience=Audience.STAFF)
        assert [m.reference for m in found][:1] == [body_worn]
        assert found[0].kind is MatchKind.IDEA
        assert found[0].title == BODY_WORN.title


async def test_colleagues_see_shared_ideas_only_under_their_public_title(services, engine):
    reference = await submit(services, person(1), BODY_WORN)
    query = "body worn video footage takes ages to upload at the end of the shift"

    assert await services.similar.find(query, audience=Audience.COLLEAGUES) == []
    assert [m.reference for m in await services.similar.find(query, audience=Audience.STAFF)] \
        == [reference]

    await set_idea(engine, reference, visibility=Visibility.SHARED.value,
                   public_title="Uploading footage")
    [shared] = await services.similar.find(query, audience=Audience.COLLEAGUES)
    assert (shared.reference, shared.title) == (reference, "Uploading footage")

    await set_idea(engine, reference, visibility=Visibility.HIDDEN.value)
    assert await services.similar.find(query, audience=Audience.COLLEAGUES) == []
    await set_idea(engine, reference, visibility=Visibility.SHARED.value, status="withdrawn")
    assert await services.similar.find(query, audience=Audience.STAFF) == []


async def test_text_that_says_too_little_finds_nothing_rather_than_anything(services):
    await submit(services, person(1), BODY_WORN)
    for text in ("", "   ", "video", "IIP-2026-0001", "?!", "\x00\x01"):
        assert await services.similar.find(text, audience=Audience.STAFF) == []


async def test_an_unrelated_text_finds_nothing(services):
    await submit(services, person(1), BODY_WORN)
    assert await services.similar.find("Canteen should sell vegetarian breakfasts on Sundays",
                                       audience=Audience.STAFF) == []


async def test_ideas_from_before_searching_are_indexed_when_the_bot_starts(services, engine,
                                                                           clock):
    reference = await submit(services, person(1), BODY_WORN)
    async with connect(engine) as connection:  # as if submitted before this release
        await connection.execute(tables.match_documents.delete())
        await connection.commit()
    starting = build_services(engine, clock, ranker=MatchIndex(use_model=False))
    query = "body worn video footage upload delays at the end of shift"
    assert await starting.similar.find(query, audience=Audience.STAFF) == []

    await starting.similar.warm_up()

    assert [m.reference for m in await starting.similar.find(query, audience=Audience.STAFF)] \
        == [reference]
    assert await starting.similar.catch_up(100) == 0
