"""The real sentence model, on SQLite and PostgreSQL: an idea submitted again in officers'
shorthand (PCs, comms, sets, tour) is suggested with the model on, where characters alone,
sharing too few letters with it, suggest nothing. Loads the model once (about 5 s)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.organisation import demo_organisation
from support.similar_ideas import idea, person, submit

from bot.app import build_services
from bot.domain.similar import Audience
from bot.matching.index import MatchIndex
from bot.matching.sentences import MiniLM, installed

pytestmark = pytest.mark.model

IDEAS = {
    "body worn": ("Body worn video uploads take too long",
                  "At the end of every shift officers wait at the docking station for footage "
                  "to upload before they can go home."),
    "radios": ("Radio batteries die on nights",
               "Airwave handsets lose their charge half way through a night shift and officers "
               "drive back to swap them."),
    "custody": ("Detainees wait in the van to be booked into custody",
                "Arrested people sit in the cage of the van for an hour before the custody "
                "sergeant can book them in."),
    "checks": ("Vehicle checks from the patrol car",
               "Officers ask the control room to run every number plate and name because the "
               "in-car terminal cannot."),
    "court": ("Court warnings arrive by post",
              "Officers miss court dates because warning letters go to the station and sit in "
              "trays."),
}
# The radios idea again, as a response officer would put it.
SHORTHAND = ("Portable radios lose power overnight\n"
             "Response PCs lose comms around 3am because the sets can't last a full tour.")


@pytest.fixture(scope="module")
def sentence_model() -> Iterator[MiniLM]:
    # The lock installs the model extra: without it the bot would rank by characters alone.
    assert installed(), "the sentence model is not installed (the `model` extra)"
    yield MiniLM()


async def submitted(services) -> dict[str, str]:
    await services.organisation.replace(demo_organisation(), "test")
    references = {}
    for n, (name, (title, problem)) in enumerate(IDEAS.items(), 1):
        references[name] = await submit(services, person(n), idea(title, problem))
    return references


async def test_shorthand_finds_its_original_with_the_model_and_not_by_characters(
        engine, clock, sentence_model):
    ranker = MatchIndex(use_model=True, encoder=sentence_model)
    try:
        services = build_services(engine, clock, ranker=ranker)
        references = await submitted(services)
        found = await services.similar.find(SHORTHAND, audience=Audience.STAFF)
        assert [m.reference for m in found][:1] == [references["radios"]]
        assert ranker.model == sentence_model.name
    finally:
        ranker.close()

    # The same ideas ranked by characters alone: nothing close enough to suggest.
    characters = build_services(engine, clock)
    assert await characters.similar.find(SHORTHAND, audience=Audience.STAFF) == []
