"""Whatever a person types, `find` answers, on SQLite and PostgreSQL: text that says too little
(empty, a word, only references, emoji, punctuation) finds nothing rather than random ideas;
capitals, typos, control characters, emoji around words and a 100 KB paste find what the words
are about; text in another language or script is no error. Colleagues and staff alike."""

from __future__ import annotations

import pytest
from support.organisation import demo_organisation
from support.similar_ideas import BODY_WORN, RADIOS, idea, person, submit

from bot.app import build_services
from bot.domain.similar import MOST_RESULTS, Audience, Visibility
from storage import tables

CUSTODY = idea("Detainees wait in the van to be booked into custody",
               "Arrested people sit in the cage of the van for an hour before the custody "
               "sergeant can book them in.")


@pytest.fixture
async def ideas(engine, clock) -> tuple[object, dict[str, str]]:
    """Three shared ideas submitted, the model off (characters only): the service and their
    references."""
    services = build_services(engine, clock)
    await services.organisation.replace(demo_organisation(), "test")
    references = {}
    for n, (name, draft) in enumerate((("body worn", BODY_WORN), ("radios", RADIOS),
                                       ("custody", CUSTODY)), 1):
        references[name] = await submit(services, person(n), draft)
    async with engine.begin() as connection:
        await connection.execute(tables.ideas.update().values(
            visibility=Visibility.SHARED.value))
    return services, references


SAYS_TOO_LITTLE = [
    "", " ", "\n\t ", "hi", "BWV", "radio", "a b c d e f", "IIP-2025-0001",
    "IIP-2025-0001 IIP-2026-0002, IIP-2024-0003", "INI-0004 and", "!!! ??? ... ---",
    "🚓🚓🚓 📻🔋", "🚓 📻 🔋 🚨", "\x00\x01\x02\x07\x1b[2J", "12345 67890", "\u200b\u200d\u2060",
]


@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize("text", SAYS_TOO_LITTLE)
async def test_text_that_says_too_little_finds_nothing(ideas, text: str, audience: Audience):
    services, _ = ideas
    assert await services.similar.find(text, audience=audience) == []


FINDS = [
    ("capitals", "BODY WORN VIDEO UPLOADS TAKE TOO LONG AT THE END OF A SHIFT", "body worn"),
    ("lower case", "body worn video uploads take too long at the end of a shift", "body worn"),
    ("typos", "Boddy worn vidoe uplaods tkae to long at the end of shfit", "body worn"),
    ("emoji around words", "📻🔋 Radio batteries die half way through nights 😩", "radios"),
    ("control characters", "Radio\x00 batteries\x07 die\x1b[2J on night\r\nshifts\x7f",
     "radios"),
    ("zero-width and bidi marks", "Radio\u200b batteries\u200d die\u202e on nights\u2066",
     "radios"),
    ("a lone surrogate", "Detainees wait in the van \ud83d for custody", "custody"),
    ("a reference among words", "Like IIP-2025-0001: detainees wait in the van for custody",
     "custody"),
    ("full-width letters", "Ｒａｄｉｏ ｂａｔｔｅｒｉｅｓ die on nights", "radios"),
]


@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize(("case", "text", "expected"), FINDS, ids=[case for case, *_ in FINDS])
async def test_words_are_found_however_they_are_typed(ideas, case: str, text: str,
                                                      expected: str, audience: Audience):
    services, references = ideas
    found = await services.similar.find(text, audience=audience)
    assert found, case
    assert found[0].reference == references[expected], case


async def test_a_100_kb_paste_is_matched_on_what_it_says(ideas):
    services, references = ideas
    complaint = ("Body worn video footage takes too long to upload at the end of a shift, so "
                 "officers wait at the docking station. ")
    text = (complaint * 1_000)[:100_000]
    assert len(text) == 100_000
    found = await services.similar.find(text, audience=Audience.STAFF)
    assert found[0].reference == references["body worn"]

    # Mostly about something else: whatever it finds, it answers.
    text = (complaint + "And another thing about the canteen's opening hours. " * 2_000)
    found = await services.similar.find(text[:100_000], audience=Audience.STAFF)
    assert len(found) <= 3


@pytest.mark.parametrize("text", [
    "Mae batris radio yn marw hanner ffordd drwy shifft nos",  # Welsh
    "Las baterías de la radio se agotan a mitad del turno de noche",  # Spanish
    "Baterie w radiotelefonach padają w połowie nocnej zmiany",  # Polish
    "警察 无线电 电池 夜班 中途 没电",  # Chinese, with spaces
    "警察的无线电电池在夜班中途没电了，警员必须回警局更换电池",  # Chinese, without
    "بطاريات أجهزة الراديو تنفد في منتصف النوبة الليلية",  # Arabic
    "Батареи раций садятся в середине ночной смены",  # Russian
])
async def test_text_in_another_language_is_no_error(ideas, text: str):
    services, _ = ideas
    for audience in Audience:
        found = await services.similar.find(text, audience=audience)
        assert len(found) <= 3
        assert all(0.0 <= match.score <= 1.0 for match in found)


@pytest.mark.parametrize("limit", [-5, 0, 1, 3, MOST_RESULTS, 10_000])
async def test_any_limit_gives_at_least_one_and_at_most_the_most_results(ideas, limit: int):
    services, references = ideas
    found = await services.similar.find("Radio batteries die half way through the night shift",
                                        audience=Audience.STAFF, limit=limit)
    assert 1 <= len(found) <= max(1, min(limit, MOST_RESULTS))
    assert found[0].reference == references["radios"]
