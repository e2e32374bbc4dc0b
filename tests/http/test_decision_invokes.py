"""Decisions over HTTP: Teams' `adaptiveCard/action` invokes (the real payload in
tests/fixtures, with value.action = {type: Action.Execute, verb, data} and from.aadObjectId the
person who pressed), answered with the replacement card in the invoke response; the staff
copies of the card replaced in Teams by the outbox (a PUT on the sent activity)."""

from __future__ import annotations

import asyncio
import inspect
import re
from typing import Any

import pytest
from support.bot_server import BotServer, sqlite_only
from support.connector import StandInConnector
from support.decisions import (
    CONTRIBUTOR,
    STRANGER,
    card_invoke,
    chat_of,
    invoke,
    press_data,
    say,
    snapshot,
    submit_idea,
    text_of,
    verbs_of,
)
from support.logs import events
from support.organisation import ADELE, ALEX, ISAIAH, MEGAN
from support.tables import rows

from bot.domain.ideas import IdeaDetail
from bot.domain.lifecycle import Move
from storage import tables

NOT_YOURS = "You are not one of the people who can act on this idea, so nothing changed."


async def press(bot: BotServer, who: str, idea: IdeaDetail, move: Move, **fields: Any
                ) -> dict[str, Any]:
    return await invoke(bot, who, move.value, press_data(idea, move, **fields))


async def current(bot: BotServer, idea: IdeaDetail) -> IdeaDetail:
    return await bot.services.ideas.idea_of(idea.contributor_object_id, idea.reference)


async def until(condition, within: float = 5.0) -> None:
    """Wait for the outbox worker to have done something: `condition()` (maybe awaitable)."""
    async with asyncio.timeout(within):
        while True:
            result = condition()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.02)


def cards_to(connector: StandInConnector, object_id: str, reference: str,
             method: str | None = None) -> list[Any]:
    """What reached `object_id`'s chat about `reference` (not replies to what they typed)."""
    return [r for r in connector.received
            if r.conversation_id == chat_of(object_id) and reference in r.text_seen
            and (method is None or r.method == method) and "/activities/1:" not in r.path]


# The round trip


async def test_a_decision_is_answered_in_the_invoke_and_every_copy_of_the_card_replaced(
    bot: BotServer, connector: StandInConnector
):
    for person in (ALEX, ISAIAH):  # staff who have talked to the bot: their chats are known
        await say(bot, connector, person, "my queue")
    idea = await submit_idea(bot.services, "Digital pocket notebooks")
    # The outbox sends the PMO's triage card to Alex's chat.
    await until(lambda: cards_to(connector, ALEX, idea.reference, "POST"))
    [triage] = cards_to(connector, ALEX, idea.reference, "POST")
    assert set(verbs_of(triage.cards[0])) == {"allocate", "decline_at_triage", "update"}
    [sent] = await rows(bot.engine, tables.outbox,
                        tables.outbox.c.dedupe_key == f"card:{idea.reference}:{ALEX}")
    await until(lambda: _state(bot, sent["id"], "sent"))
    [sent] = await rows(bot.engine, tables.outbox, tables.outbox.c.id == sent["id"])
    assert sent["activity_id"] and sent["sent_conversation_id"] == chat_of(ALEX)

    card = await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="local-policing",
                       message="The Local Policing team will assess it.")

    words = text_of(card)
    assert idea.reference in words and "Status: Business assessment" in words
    assert "approve" in verbs_of(card)  # Alex is also Local Policing's SPOC
    assert card["refresh"]["action"]["verb"] == "refresh"
    assert card["refresh"]["userIds"] == [ALEX, ISAIAH]
    # Alex's triage card is replaced in place in Teams: a new outbox row, PUT over the old.
    [replacement] = await rows(bot.engine, tables.outbox,
                               tables.outbox.c.replaces_id == sent["id"])
    await until(lambda: _state(bot, replacement["id"], "sent"))
    [put] = cards_to(connector, ALEX, idea.reference, "PUT")
    assert put.path == f"/v3/conversations/{chat_of(ALEX)}/activities/{sent['activity_id']}"
    assert "Status: Business assessment" in put.text_seen
    # Isaiah, the deputy, is sent a card of his own; the contributor is told.
    await until(lambda: cards_to(connector, ISAIAH, idea.reference, "POST"))
    [isaiah] = cards_to(connector, ISAIAH, idea.reference, "POST")
    assert "approve" in verbs_of(isaiah.cards[0])
    await until(lambda: _seen(connector, "Your idea is being assessed"))

    card = await press(bot, ISAIAH, await current(bot, idea), Move.APPROVE,
                       root_causes=True, message="We will buy the tablets.")

    assert "Status: Approved" in text_of(card) and verbs_of(card) == ["deliver", "update"]
    await until(lambda: len(cards_to(connector, ALEX, idea.reference, "PUT")) >= 2)
    await until(lambda: cards_to(connector, ISAIAH, idea.reference, "PUT"))
    last_put = cards_to(connector, ALEX, idea.reference, "PUT")[-1]
    assert last_put.path.endswith(f"/activities/{sent['activity_id']}")
    assert "Status: Approved" in last_put.text_seen
    assert "Isaiah" not in str(await rows(bot.engine, tables.outbox,
                                          tables.outbox.c.state == "dead"))
    await until(lambda: _seen(connector, "Good news: your idea is approved"))


async def test_two_spocs_pressing_at_once_over_http_one_decision_counts(
    bot: BotServer, connector: StandInConnector
):
    idea = await submit_idea(bot.services)
    await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="local-policing")
    idea = await current(bot, idea)

    cards = await asyncio.gather(
        press(bot, ALEX, idea, Move.APPROVE, root_causes=True, message="Yes"),
        press(bot, ISAIAH, idea, Move.DEFER, revisit_on="2027-03-01", message="Later"),
    )

    stored = await current(bot, idea)
    decided = [h for h in stored.history if h.action in ("approve", "defer")]
    assert len(decided) == 1 and stored.version == idea.version + 1
    winner, loser = (0, 1) if decided[0].actor == ALEX else (1, 0)
    assert "This card was out of date" in text_of(cards[loser])
    assert ("Alex Wilber approved it" if winner == 0 else "Isaiah Langer deferred it") \
        in text_of(cards[loser])
    assert f"Status: {stored.status.label}" in text_of(cards[winner])


# Who sees what


@sqlite_only
async def test_refresh_gives_the_responsible_their_buttons_and_others_a_read_only_view(
    bot: BotServer
):
    idea = await submit_idea(bot.services)  # Local Policing, awaiting triage
    refresh = {"action": "refresh", "idea": idea.id, "version": idea.version}

    alex = await invoke(bot, ALEX, "refresh", refresh)
    isaiah = await invoke(bot, ISAIAH, "refresh", refresh)
    assert verbs_of(alex) == ["allocate", "decline_at_triage", "update"]
    assert verbs_of(isaiah) == [] and "There is nothing for you to do" in text_of(isaiah)
    assert idea.title in text_of(isaiah)
    for outsider in (MEGAN, ADELE, CONTRIBUTOR, STRANGER):
        card = await invoke(bot, outsider, "refresh", refresh)
        assert idea.title not in text_of(card), outsider
        assert "Only the PMO team and the portfolio's business leads" in text_of(card)

    await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="people-and-wellbeing")
    for spoc in (MEGAN, ADELE):
        card = await invoke(bot, spoc, "refresh", refresh)  # an old card's refresh
        assert "approve" in verbs_of(card) and "Status: Business assessment" in text_of(card)
        assert card["refresh"]["userIds"] == [ALEX, MEGAN, ADELE]
    isaiah = await invoke(bot, ISAIAH, "refresh", refresh)
    assert idea.title not in text_of(isaiah) and verbs_of(isaiah) == []


@sqlite_only
async def test_my_queue_and_triage_list_the_right_ideas_oldest_first(
    bot: BotServer, connector: StandInConnector, clock
):
    ideas = []
    for n, portfolio in enumerate(["local-policing", "crime-and-justice", "local-policing",
                                   "local-policing"]):
        ideas.append(await submit_idea(bot.services, f"Idea number {n}", portfolio=portfolio))
        clock.advance(days=1)
    for idea in (ideas[2], ideas[0], ideas[1]):  # allocated in another order
        await press(bot, ALEX, idea, Move.ALLOCATE, portfolio=idea.portfolio_key)

    [queue] = await say(bot, connector, ISAIAH, "my queue")
    assert "Ideas awaiting your assessment" in queue.text_seen
    assert _references(queue) == [ideas[0].reference, ideas[2].reference]
    [queue] = await say(bot, connector, MEGAN, "queue")
    assert _references(queue) == [ideas[1].reference]
    [triage] = await say(bot, connector, ALEX, "triage")
    assert "Ideas awaiting triage" in triage.text_seen
    assert _references(triage) == [ideas[3].reference]
    [empty] = await say(bot, connector, ADELE, "my queue")
    assert "Nothing is waiting for you" in empty.text_seen
    # In the PMO team and a portfolio's business lead: both parts of the work, one card.
    [both] = await say(bot, connector, ALEX, "my queue")
    assert both.text_seen.index("Ideas awaiting triage") \
        < both.text_seen.index("Ideas awaiting your assessment")
    assert ideas[3].reference in both.text_seen

    for who in (CONTRIBUTOR, STRANGER):
        [refusal] = await say(bot, connector, who, "my queue")
        assert "Only the PMO team and the portfolios' business leads have a queue" \
            in refusal.text_seen
        assert "my ideas" in refusal.text_seen
        [refusal] = await say(bot, connector, who, "triage")
        assert "Only the PMO team triages ideas." in refusal.text_seen
        assert not any(i.reference in refusal.text_seen for i in ideas)
    [refusal] = await say(bot, connector, MEGAN, "triage")
    assert "Only the PMO team triages ideas." in refusal.text_seen


# Forged and broken invokes: a card answer, never an error, nothing changed


def _forged(idea: IdeaDetail) -> list[tuple[str, dict[str, Any], str]]:
    good = press_data(idea, Move.ALLOCATE, portfolio="local-policing", message="Yes")
    return [
        # (what, invoke options, words on the answer card)
        ("no verb", {"verb": None, "data": good}, "can no longer act on"),
        ("empty verb", {"verb": "", "data": good}, "can no longer act on"),
        ("verb a number", {"verb": 7, "data": good}, "can no longer act on"),
        ("verb a list", {"verb": ["allocate"], "data": good}, "can no longer act on"),
        ("unknown verb", {"verb": "delete_everything", "data": good}, "can no longer act on"),
        ("verb with a trailing space", {"verb": "allocate ", "data": good},
         "can no longer act on"),
        ("no data", {"verb": "allocate", "data": None}, "missing what it needs"),
        ("data a list", {"verb": "allocate", "data": [good]}, "missing what it needs"),
        ("data a string", {"verb": "allocate", "data": "idea=1"}, "missing what it needs"),
        ("no idea id", {"verb": "allocate", "data": {**good, "idea": None}},
         "missing what it needs"),
        ("idea id a string", {"verb": "allocate", "data": {**good, "idea": str(idea.id)}},
         "missing what it needs"),
        ("idea id a float", {"verb": "allocate", "data": {**good, "idea": idea.id + 0.0}},
         "missing what it needs"),
        ("idea id true", {"verb": "allocate", "data": {**good, "idea": True}},
         "missing what it needs"),
        ("idea id huge", {"verb": "allocate", "data": {**good, "idea": 10**40}},
         "could not be found"),
        ("idea id past int64", {"verb": "allocate", "data": {**good, "idea": 2**63}},
         "could not be found"),
        ("idea id past int32", {"verb": "allocate", "data": {**good, "idea": 2**31}},
         "could not be found"),
        ("idea that does not exist", {"verb": "allocate", "data": {**good, "idea": 4242}},
         "could not be found"),
        ("no version", {"verb": "allocate", "data": {**good, "version": None}},
         "missing what it needs"),
        ("version a string", {"verb": "allocate", "data": {**good, "version": "1"}},
         "missing what it needs"),
        ("version from the future", {"verb": "allocate",
                                     "data": {**good, "version": idea.version + 1}},
         "does not match this idea"),
        ("version negative", {"verb": "allocate", "data": {**good, "version": -5}},
         "This card was out of date"),
        ("verb and data disagree", {"verb": "reallocate", "data": good},
         "cannot be re-allocated"),
        ("empty message", {"verb": "decline_at_triage",
                           "data": {**good, "decline_at_triage.reason": "in_progress",
                                    "decline_at_triage.message": ""}},
         "The message to the contributor is empty"),
        ("duplicate of itself", {"verb": "decline_at_triage",
                                 "data": {**good, "decline_at_triage.reason": "duplicate",
                                          "decline_at_triage.duplicate_of": idea.reference,
                                          "decline_at_triage.message": "Dup"}},
         "cannot be a duplicate of itself"),
        ("portfolio a list", {"verb": "allocate",
                              "data": {**good, "allocate.portfolio": ["local-policing"]}},
         "Please choose the portfolio"),
        ("someone else's identity in the data",
         {"verb": "allocate", "data": {**good, "actor": ALEX, "object_id": ALEX,
                                       "aadObjectId": ALEX, "from": {"aadObjectId": ALEX}},
          "who": MEGAN}, NOT_YOURS),
        ("a stranger", {"verb": "allocate", "data": good, "who": STRANGER}, NOT_YOURS),
        ("the contributor", {"verb": "allocate", "data": good, "who": CONTRIBUTOR},
         NOT_YOURS),
        ("no Entra identity", {"verb": "allocate", "data": {**good, "actor": ALEX},
                               "who": None}, "I could not tell who sent this"),
        ("refresh with no idea", {"verb": "refresh", "data": {"action": "refresh"}},
         "could not be found"),
        ("refresh of an idea id as text", {"verb": "refresh", "data": {"idea": "1"}},
         "could not be found"),
        ("refresh of a huge idea id", {"verb": "refresh", "data": {"idea": 2**80}},
         "could not be found"),
    ]


async def test_forged_invokes_get_a_card_and_change_nothing(
    bot: BotServer, connector: StandInConnector, logs: list[dict[str, Any]]
):
    idea = await submit_idea(bot.services)
    before = await snapshot(bot.engine)
    # Invokes remember the sender's chat address; nothing else may be written.
    for what, case, expected in _forged(idea):
        logged = len(logs)
        card = await invoke(bot, case.get("who", ALEX), case["verb"], case["data"])
        assert expected in text_of(card), (what, text_of(card))
        assert card.get("fallbackText"), what
        after = await snapshot(bot.engine)
        assert (after.ideas, after.history) == (before.ideas, before.history), what
        assert _queued(after) == _queued(before), what  # (the worker may send meanwhile)
        assert [e for e in after.audit if e["action"].startswith("idea.")] == [
            e for e in before.audit if e["action"].startswith("idea.")], what
        warnings = [e for e in logs[logged:] if e.get("log_level") in ("warning", "error")]
        assert len(warnings) == 1, (what, warnings)
    assert not events(logs, "turn.failed")
    # And a proper press still works.
    card = await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="local-policing")
    assert "Status: Business assessment" in text_of(card)


@sqlite_only
@pytest.mark.parametrize("value", [
    None, "allocate", [], {}, {"action": None}, {"action": "allocate"}, {"action": []},
    {"action": 42}, {"action": {"type": "Action.Submit", "verb": "allocate", "data": {}}},
    {"action": {"verb": "allocate", "data": {"idea": 1, "version": 1}}},
], ids=repr)
async def test_a_malformed_invoke_value_gets_the_sdk_error_answer_never_a_crash(
    bot: BotServer, value: Any, logs: list[dict[str, Any]]
):
    idea = await submit_idea(bot.services)
    before = await snapshot(bot.engine)
    activity = card_invoke("allocate", {}, ALEX)
    if value is None:
        del activity["value"]
    else:
        activity["value"] = value

    response = await bot.post(activity)

    assert response.status == 400, (response.status, await response.text())
    body = await response.json()
    assert body["statusCode"] == 400 and body["type"] == "application/vnd.microsoft.error"
    assert body["value"]["code"] in ("BadRequest", "NotSupported") and body["value"]["message"]
    assert [e["event"] for e in logs if e.get("log_level") == "warning"] == [
        "card_verb.refused"]
    after = await snapshot(bot.engine)
    assert (after.ideas, after.history) == (before.ideas, before.history)
    assert (await current(bot, idea)).version == idea.version


# Helpers


async def _state(bot: BotServer, row_id: int, state: str) -> bool:
    [row] = await rows(bot.engine, tables.outbox, tables.outbox.c.id == row_id)
    return row["state"] == state


def _queued(snap: Any) -> list[tuple[Any, ...]]:
    """What the outbox holds to send, whatever its delivery state."""
    return [(r["id"], r["dedupe_key"], r["card"], r["replaces_id"]) for r in snap.outbox]


def _seen(connector: StandInConnector, words: str) -> bool:
    return any(words in r.text_seen for r in connector.received)


def _references(reply: Any) -> list[str]:
    return re.findall(r"IIP-\d{4}-\d{4}", reply.text_seen)
