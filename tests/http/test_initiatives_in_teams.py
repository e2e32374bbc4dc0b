"""The register of known initiatives over HTTP, with distinct people: a PMO member opens it from
the hub, adds an initiative from the form (a mistake first: the form comes back with every
answer and every problem), and a colleague writing a similar idea is shown it at once, as it
is after an edit, and not while it is retired; the PMO pages the register in place; someone
outside the PMO is refused everything, forged buttons included, and changes nothing; asked for
in a channel, it is offered in private."""

from __future__ import annotations

from dataclasses import replace

from support.bot_server import BotServer
from support.chat import ChannelMember, Person
from support.connector import StandInConnector
from support.decisions import NAMES, execute_button, invoke, text_of
from support.organisation import ALEX, MEGAN
from support.tables import rows

from bot.domain.initiatives import InitiativeForm
from bot.domain.similar import Audience
from cards.initiative_form import CONTACT, DESCRIPTION, LINK, PORTFOLIO, STAGE, TITLE
from storage import tables

ANSWERS = {TITLE: "Body-worn video for every response officer",
           DESCRIPTION: "Every response officer is issued a BWV camera; footage is shared "
                        "with the CPS from one place.",
           STAGE: "under_way", PORTFOLIO: "local-policing", CONTACT: "BWV team",
           LINK: "https://intranet.example.police.uk/projects/bwv"}


def person(bot: BotServer, connector: StandInConnector, object_id: str) -> Person:
    return Person(bot, connector, object_id=object_id, name=NAMES[object_id])


async def found(bot: BotServer, text: str) -> list[str]:
    """What a colleague writing `text` is shown (references, best first)."""
    return [match.reference for match in
            await bot.services.similar.find(text, audience=Audience.COLLEAGUES)]


async def stored(bot: BotServer) -> list[dict]:
    return await rows(bot.engine, tables.initiatives)


async def test_the_pmo_adds_an_initiative_from_the_form_and_a_similar_idea_finds_it(
    bot: BotServer, connector: StandInConnector
):
    alex = person(bot, connector, ALEX)
    hub = await alex.one("pmo")
    register = await alex.one_press(hub, "Initiatives")
    assert "Known initiatives: 0" in register and "The register is empty" in register
    form = await alex.one_press(register, "Add an initiative")
    assert "A new known initiative" in form

    refused = await alex.one_press(form, "Save", **{**ANSWERS, DESCRIPTION: "",
                                                    LINK: "http://intranet/bwv"})
    assert "Please put these right" in refused
    assert "The description is empty" in refused and "secure web address" in refused
    assert refused.inputs[TITLE] == ANSWERS[TITLE]
    assert refused.inputs[PORTFOLIO] == "local-policing"
    assert refused.inputs[LINK] == "http://intranet/bwv"
    assert await stored(bot) == []

    saved = await alex.one_press(refused, "Save", **ANSWERS)
    assert "Added to the register" in saved and "INI-0001" in saved
    assert "Local Policing" in saved and "Under way" in saved
    [row] = await stored(bot)
    assert (row["reference"], row["title"], row["updated_by"], row["active"]) == (
        "INI-0001", ANSWERS[TITLE], ALEX, True)

    writing = "Response officers should all carry body worn video cameras"
    assert await found(bot, writing) == ["INI-0001"]

    edit = await alex.one_press(saved, "Edit")
    assert "Edit INI-0001" in edit and edit.inputs[CONTACT] == "BWV team"
    edited = await alex.one_press(edit, "Save", **{STAGE: "exists"})
    assert "Saved" in edited and "Exists already" in edited
    [match] = await bot.services.similar.find(writing, audience=Audience.COLLEAGUES)
    assert (match.reference, match.status) == ("INI-0001", "Exists already")

    retired = await alex.one_press(edited, "Retire")
    assert "Retired" in retired and "Restore" in retired.buttons
    assert (await stored(bot))[0]["active"] is False
    assert await found(bot, writing) == []
    restored = await alex.one_press(retired, "Restore")
    assert "Restored" in restored and (await stored(bot))[0]["active"] is True
    assert await found(bot, writing) == ["INI-0001"]
    actions = [row["action"] for row in await rows(bot.engine, tables.audit_log)
               if row["action"].startswith("initiative")]
    assert actions == ["initiative.added", "initiative.edited", "initiative.retired",
                       "initiative.restored"]


async def test_the_register_pages_in_place(bot: BotServer, connector: StandInConnector):
    form = InitiativeForm(title="Initiative", description="What it does.", stage="exists")
    for n in range(1, 13):
        await bot.services.initiatives.add(ALEX, replace(form, title=f"Initiative {n}"))
    first = await person(bot, connector, ALEX).one("initiatives")
    assert "Page 1 of 2" in first and "INI-0010" in first and "INI-0011" not in first
    verb, data = execute_button(first.card, "Next")
    second = await invoke(bot, ALEX, verb, data)
    assert "Page 2 of 2" in text_of(second) and "INI-0012" in text_of(second)
    # Someone else pressing the same button gets no page of it.
    assert "This is for the PMO team" in text_of(await invoke(bot, MEGAN, verb, data))


async def test_someone_outside_the_pmo_is_refused_everything_forged_buttons_included(
    bot: BotServer, connector: StandInConnector
):
    added = (await bot.services.initiatives.add(ALEX, InitiativeForm(
        title="ANPR alerts on the MDT", description="Hits reach the car.",
        stage="exists"))).initiative
    before = await stored(bot)
    megan = person(bot, connector, MEGAN)
    for typed in ("initiatives", "new initiative"):
        assert "This is for the PMO team" in await megan.one(typed)
    hub = await megan.one("pmo")
    assert "This is for the PMO team" in hub and "Initiatives" not in hub.buttons
    forged = [{"action": "initiative.save", **ANSWERS},
              {"action": "initiative.save", "initiative": added.id, **ANSWERS},
              {"action": "initiative.retire", "initiative": added.id},
              {"action": "initiative.edit", "initiative": added.id}]
    for value in forged:
        answer = await megan.one_value(value)
        assert "This is for the PMO team" in answer and "ANPR" not in answer
    assert await stored(bot) == before
    # Broken data, even from the PMO, is refused kindly and changes nothing.
    alex = person(bot, connector, ALEX)
    broken = await alex.one_value({"action": "initiative.retire", "initiative": "all"})
    assert "INI-0001" not in broken
    missing = await alex.one_value({"action": "initiative.retire", "initiative": 4242})
    assert "not in the register" in missing
    assert await stored(bot) == before


async def test_asked_for_in_a_channel_the_register_is_offered_in_private(
    bot: BotServer, connector: StandInConnector
):
    member = ChannelMember(bot, connector, object_id=ALEX, name="Alex Wilber")
    reply = await member.one("initiatives")
    assert "Let's do that in private" in reply and "Known initiatives" not in reply
