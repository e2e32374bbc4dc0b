"""`search` over HTTP, between distinct people: a contributor shares one idea and keeps another
private on the check card; a colleague's search finds only the shared one, never its
contributor's name; the PMO hides it from their card, and the search stops finding it. A
SPOC's press and a stale card change nothing."""

from __future__ import annotations

import re
from typing import Any

from support.bot_server import BotServer
from support.cards import walk
from support.chat import Person, Reply, answer_to_the_check
from support.connector import StandInConnector
from support.decisions import STRANGER, invoke, text_of
from support.organisation import ALEX, MEGAN
from support.tables import rows

from bot.domain.visibility import CHOICE_INPUT
from storage import tables

SHARED_IDEA = {"title": "Digital pocket notebooks on response tablets",
               "problem": "Paper pocket notebooks are slow to search and easy to lose."}
PRIVATE_IDEA = {"title": "Pocket notebooks for custody sergeants at Leeds",
                "problem": "Custody sergeants keep paper pocket notebooks of every handover."}
SEARCH = "search pocket notebooks on tablets"


def references(text: str) -> list[str]:
    return re.findall(r"IIP-\d{4}-\d{4}", text)


async def submit(person: Person, check: Reply) -> str:
    receipt = await person.one_press(check, "Submit idea")
    if "Before you submit" in receipt:
        receipt = await person.one_press(receipt, "They are needed: submit")
    assert "Thank you: your idea is in" in receipt, receipt.text
    [reference] = references(receipt.text)
    return reference


async def idea_id(bot: BotServer, reference: str) -> int:
    [row] = await rows(bot.engine, tables.ideas, tables.ideas.c.reference == reference)
    return row["id"]


def confirm_of(card: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The verb and data of the PMO's "Confirm: who may find it", inside its ShowCard."""
    [found] = [node for node in walk(card) if node.get("type") == "Action.Execute"
               and node.get("title") == "Confirm: who may find it"]
    return found["verb"], dict(found["data"])


async def test_a_colleague_finds_only_what_was_shared_and_never_who_shared_it(
        bot: BotServer, connector: StandInConnector):
    pat = Person(bot, connector, name="Pat Contributor")
    rido = Person(bot, connector, object_id=STRANGER, name="Rido")

    shared_check = await answer_to_the_check(pat, SHARED_IDEA)
    assert "Colleagues can find it" in shared_check and "never your name" in shared_check
    shared = await submit(pat, shared_check)
    private_check = await answer_to_the_check(pat, PRIVATE_IDEA)
    kept = await pat.one("keep it private")
    assert "Kept private" in kept and "Colleagues can find it" not in kept
    # The card from before the choice is out of date: it cannot send the idea shared.
    stale = await pat.one_press(private_check, "Submit idea")
    assert "out of date" in stale.text and "Kept private" in stale.text
    private = await submit(pat, stale)

    found = await rido.one(SEARCH)
    assert shared in found.text and private not in found.text
    assert SHARED_IDEA["title"] in found.text
    for name in ("Pat", "Contributor", "Megan"):
        assert name not in found.text
    by_reference = await rido.one(f"search {private}")
    assert not set(references(by_reference.text)) - {private}
    assert PRIVATE_IDEA["title"] not in by_reference.text
    assert "no idea" in by_reference.text
    assert SHARED_IDEA["title"] in (await rido.one(f"search {shared}")).text
    hint = await rido.one("search bwv")
    assert "a few more words" in hint.text and not references(hint.text)

    # The PMO hides the shared idea from their card; a SPOC's press and a stale card do not.
    number = await idea_id(bot, shared)
    card = await invoke(bot, ALEX, "refresh", {"action": "refresh", "idea": number})
    assert "Who may find it by searching: shared" in text_of(card)
    verb, data = confirm_of(card)
    refused = await invoke(bot, MEGAN, verb, {**data, CHOICE_INPUT: "hidden"})
    assert "Only the PMO team" in text_of(refused)
    assert shared in (await rido.one(SEARCH)).text
    hidden = await invoke(bot, ALEX, verb, {**data, CHOICE_INPUT: "hidden"})
    assert "Saved." in text_of(hidden)
    assert "Who may find it by searching: hidden" in text_of(hidden)
    again = await invoke(bot, ALEX, verb, {**data, CHOICE_INPUT: "shared"})
    assert "out of date" in text_of(again)

    after = await rido.one(SEARCH)
    assert shared not in after.text and private not in after.text
    assert [(row["reference"], row["visibility"]) for row in await rows(
        bot.engine, tables.ideas)] == [(shared, "hidden"), (private, "private")]
    trail = await rows(bot.engine, tables.audit_log,
                       tables.audit_log.c.action == "idea.visibility")
    assert [(a["actor"], a["subject"], a["detail"]["to"]) for a in trail] == [
        (ALEX, shared, "hidden")]


async def test_the_welcome_button_asks_for_the_words_and_the_card_searches(
        bot: BotServer, connector: StandInConnector):
    pat = Person(bot, connector, name="Pat Contributor")
    rido = Person(bot, connector, object_id=STRANGER, name="Rido")
    shared = await submit(pat, await answer_to_the_check(pat, SHARED_IDEA))

    await rido.say("hello")  # the welcome, which Person leaves out of its replies
    [welcome] = [r for r in connector.sent_to(rido.conversation_id)
                 if "welcome to the Improvement" in r.text_seen]
    asked = await rido.one_press(Reply(welcome), "Search earlier ideas")
    assert "Search earlier ideas" in asked and "never who suggested" in asked
    too_short = await rido.one_press(asked, "Search", text="bwv")
    assert "a few more words" in too_short
    assert too_short.inputs["text"] == "bwv"  # kept, to add to
    found = await rido.one_press(too_short, "Search", text="pocket notebooks on tablets")
    assert shared in found.text and "Pat" not in found.text
    again = await rido.one_press(found, "Search again")
    assert "Search earlier ideas" in again
