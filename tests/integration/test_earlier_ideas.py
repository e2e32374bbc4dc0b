"""`search` through the real services and index (model off), on SQLite and PostgreSQL: what the
contributor chose and what the PMO changed decide what colleagues find, words or reference;
a redacted title is what they read; too few words are refused, never answered at random."""

from __future__ import annotations

import pytest
from support.decisions import actor, load_demo_organisation, submit_idea
from support.organisation import ALEX

from bot.app import build_services
from bot.domain.errors import InvalidText
from bot.domain.identity import Caller
from bot.domain.similar import Audience, MatchKind, Visibility

BODY_WORN = "Body worn video uploads take too long at the docking station"
WORDS = "body worn video uploads docking station"


@pytest.fixture
async def services(engine, clock):
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    return services


async def found(services, text: str) -> dict[str, str]:
    """What a colleague's search shows: title by reference."""
    searched = await services.search.search(text)
    assert all(m.kind is MatchKind.IDEA for m in searched.matches)
    return {m.reference: m.title for m in searched.matches}


async def test_colleagues_find_shared_ideas_under_their_public_title_and_nothing_else(services):
    shared = await submit_idea(services, BODY_WORN, private=False)
    private = await submit_idea(services, f"{BODY_WORN} on nights", private=True)
    from_before = await submit_idea(services, f"{BODY_WORN} at Leeds", private=None)
    hidden = await submit_idea(services, f"{BODY_WORN} for PCSOs", private=False)
    withdrawn = await submit_idea(services, f"{BODY_WORN} in custody", private=False)
    await services.findability.change(hidden.reference, actor="test",
                                      visibility=Visibility.HIDDEN)
    await services.ideas.withdraw(Caller(withdrawn.contributor_object_id, "", None),
                                  withdrawn.reference, None)
    # The PMO asks the engine as staff: all but the withdrawn one are there to be found.
    staff = await services.similar.find(WORDS, audience=Audience.STAFF, limit=10)
    assert {m.reference for m in staff} == {shared.reference, private.reference,
                                            from_before.reference, hidden.reference}

    assert await found(services, WORDS) == {shared.reference: BODY_WORN}

    await services.findability.change(shared.reference, actor="test",
                                      public_title="Camera footage uploads")
    assert await found(services, WORDS) == {shared.reference: "Camera footage uploads"}
    for reference in (private, from_before, hidden, withdrawn):
        assert await found(services, reference.reference) == {}
    by_reference = await services.search.search(shared.reference.lower())
    assert [(m.reference, m.title, m.status) for m in by_reference.matches] == [
        (shared.reference, "Camera footage uploads", "Submitted")]
    assert by_reference.reference == shared.reference


async def test_publishing_an_idea_from_before_lets_colleagues_find_it(services):
    idea = await submit_idea(services, BODY_WORN, private=None)
    assert await found(services, WORDS) == {}

    card = await services.findability.change_on_card(actor(ALEX), _publish(idea))

    assert "Saved." in str(card.card)
    assert await found(services, WORDS) == {idea.reference: BODY_WORN}


@pytest.mark.parametrize("text", ["", "   ", "bwv", "PNC MDT", "IIP-2026", "?? !!", "42"])
async def test_too_few_words_get_a_hint_rather_than_ideas_at_random(services, text):
    await submit_idea(services, BODY_WORN, private=False)

    with pytest.raises(InvalidText, match="a few more words"):
        await services.search.search(text)


def _publish(idea):
    from bot.domain.visibility import CHOICE_INPUT, Findability, parse_change

    return parse_change({"idea": idea.id, "shown": Findability(idea.visibility).state,
                         CHOICE_INPUT: "shared"})
