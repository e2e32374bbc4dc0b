"""Triage and decisions for tests: the demo organisation's people, ideas submitted through the
real idea service, decisions as a staff card would send them, and what the database holds."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.errors import Malformed
from bot.domain.ideas import IdeaDetail
from bot.domain.identity import Caller
from bot.domain.intake import Draft, Step
from bot.domain.lifecycle import Move
from bot.domain.messages import CardMessage
from bot.domain.moves import parse_decide
from bot.services.organisation import read_organisation_file
from storage import tables
from support.activities import CARD_EXECUTE, personal_message, teams_payload
from support.cards import walk
from support.organisation import ADELE, ALEX, DEMO_FILE, ISAIAH, MEGAN
from support.tables import rows

# A contributor with no role, and someone the organisation does not know at all.
CONTRIBUTOR = "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"
STRANGER = "c5e99701-2a32-49c1-a660-4629ceeb8c61"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
NAMES = {ALEX: "Alex Wilber", MEGAN: "Megan Bowen", ADELE: "Adele Vance",
         ISAIAH: "Isaiah Langer", CONTRIBUTOR: "Pat Contributor", STRANGER: "Rido"}
ROOT_CAUSES = {"root_cause_problem": "Paper forms are retyped into the crime system.",
               "root_cause_implicated": "The crime recording process and its system."}
IDEA = {"problem": "Paper notebooks are slow to search and easy to lose.",
        "proposal": "Use the tablets officers already carry.",
        "benefit": "About two hours a week for each officer."}


ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def actor(object_id: str) -> Caller:
    return Caller(object_id, NAMES.get(object_id, "Someone"), TENANT)


async def load_demo_organisation(services: Any) -> None:
    await services.organisation.replace(read_organisation_file(DEMO_FILE), "test")


_titles = itertools.count(1)


async def submit_idea(services: Any, title: str | None = None, *,
                      portfolio: str = "local-policing", named_publicly: bool = False,
                      contributor: str = CONTRIBUTOR,
                      private: bool | None = None) -> IdeaDetail:
    """An idea submitted through the real idea service (the PMO's triage card is queued);
    `private`, the check card's choice (None: never offered, so private)."""
    ideas = services.ideas
    stored = await ideas.new_draft(contributor, Draft(
        title=title or f"Idea {next(_titles)}", **IDEA, category="process",
        portfolio=portfolio, named_publicly=named_publicly, step=Step.CHECK, revision=3,
        private=private))
    submitted = await ideas.submit(Caller(contributor, NAMES.get(contributor, ""), TENANT),
                                   stored.draft_id, stored.draft.revision)
    return await ideas.idea_of(contributor, submitted.reference)


def card_inputs(move: Move | str, *, root_causes: bool = False, **fields: Any) -> dict[str, Any]:
    """What the confirm button of `move`'s ShowCard sends: its data is added by the caller;
    the inputs are named "<move>.<field>", the root causes are on the card's body."""
    key = move.value if isinstance(move, Move) else move
    values: dict[str, Any] = {f"{key}.{name}": value for name, value in fields.items()}
    if root_causes:
        values |= ROOT_CAUSES
    return values


def press_data(idea: IdeaDetail, move: Move | str, *, version: Any = None,
               root_causes: bool = False, **fields: Any) -> dict[str, Any]:
    """The invoke's `action.data`: the button's data {action, idea, version} and the inputs."""
    key = move.value if isinstance(move, Move) else move
    return {"action": key, "idea": idea.id,
            "version": idea.version if version is None else version,
            **card_inputs(move, root_causes=root_causes, **fields)}


async def decide(services: Any, who: str, idea: IdeaDetail, move: Move | str, *,
                 version: Any = None, root_causes: bool = False, **fields: Any) -> CardMessage:
    """`who` presses the confirm button of `move` on their card of `idea`."""
    data = press_data(idea, move, version=version, root_causes=root_causes, **fields)
    return await execute(services, actor(who), data["action"], data)


async def execute(services: Any, caller: Caller, verb: Any,
                  data: dict[str, Any]) -> CardMessage:
    """An Action.Execute of a move as the channel passes it on: parsed, then decided, or
    refused as malformed."""
    try:
        request = parse_decide(verb, data)
    except Malformed as problem:
        return services.decisions.malformed(caller, str(verb), problem)
    return await services.decisions.decide(caller, request)


async def deliver_everything(engine) -> None:
    """What the outbox worker records once Teams accepted every pending message."""
    async with engine.begin() as connection:
        await connection.execute(
            update(tables.outbox).where(tables.outbox.c.state == "pending")
            .values(state="sent", sent_conversation_id="a:chat",
                    activity_id="activity-" + tables.outbox.c.id.cast(tables.String)))


async def current(services: Any, idea: IdeaDetail) -> IdeaDetail:
    """The idea as stored now (with its history)."""
    return await services.ideas.idea_of(idea.contributor_object_id, idea.reference)


def text_of(card: dict[str, Any]) -> str:
    """Every string a person reads on the card, ShowCards included."""
    parts: list[str] = []
    for node in walk(card):
        for key in ("text", "title", "label", "value", "placeholder"):
            if isinstance(node.get(key), str):
                parts.append(node[key])
        if node.get("type") == "FactSet":
            parts += [f"{f.get('title')}: {f.get('value')}" for f in node.get("facts", [])]
    return "\n".join(parts)


def verbs_of(card: dict[str, Any]) -> list[str]:
    """The moves the card offers (the confirm buttons inside its ShowCards), in order; not the
    refresh, nor the PMO's choice of who may find the idea (no move of its life)."""
    moves = {move.value for move in Move}
    return [node["verb"] for node in walk(card)
            if node.get("type") == "Action.Execute" and node.get("verb") in moves]


def buttons_of(card: dict[str, Any]) -> list[str]:
    """The titles of the card's own buttons (ShowCard actions)."""
    return [a.get("title", "") for a in card.get("actions") or []]


@dataclass(frozen=True)
class Snapshot:
    ideas: list[dict[str, Any]]
    history: list[dict[str, Any]]
    outbox: list[dict[str, Any]]
    audit: list[dict[str, Any]]

    def new_since(self, before: Snapshot) -> dict[str, list[dict[str, Any]]]:
        return {name: getattr(self, name)[len(getattr(before, name)):]
                for name in ("history", "outbox", "audit")}


async def snapshot(engine: AsyncEngine) -> Snapshot:
    """Every row a decision may write, in primary-key order."""
    return Snapshot(
        ideas=copy.deepcopy(await rows(engine, tables.ideas)),
        history=await rows(engine, tables.idea_history),
        outbox=await rows(engine, tables.outbox),
        audit=await rows(engine, tables.audit_log),
    )


def notices_to(snap: Snapshot, object_id: str, prefix: str = "notice:") -> list[dict[str, Any]]:
    return [r for r in snap.outbox if r["object_id"] == object_id
            and r["dedupe_key"].startswith(prefix)]


def card_invoke(verb: Any, data: Any, object_id: str | None, *, name: str = "Someone",
                action_type: str = "Action.Execute", conversation: str | None = None
                ) -> dict[str, Any]:
    """The real Teams `adaptiveCard/action` invoke (tests/fixtures), pressed by `object_id`:
    value.action = {type, verb, data} as Teams sends it for an Action.Execute."""
    activity = teams_payload(CARD_EXECUTE)
    action: dict[str, Any] = {"type": action_type, "title": "Confirm", "data": data}
    if verb is not None:
        action["verb"] = verb
    activity["value"] = {"action": action, "trigger": "manual"}
    sender = activity["from"]
    sender["name"] = name
    if object_id is None:
        sender.pop("aadObjectId", None)
    else:
        sender["aadObjectId"] = object_id
        sender["id"] = f"29:{object_id}"
    activity["conversation"]["id"] = conversation or chat_of(object_id or "nobody")
    activity["channelData"]["tenant"]["id"] = TENANT
    activity["conversation"]["tenantId"] = TENANT
    return activity


async def invoke(bot: Any, who: str | None, verb: Any, data: Any,
                 **options: Any) -> dict[str, Any]:
    """Press a card's Action.Execute as `who`; the card Teams puts in place of the pressed one."""
    activity = card_invoke(verb, data, who, name=actor(who).name if who else "Someone",
                           **options)
    response = await bot.post(activity)
    assert response.status == 200, (response.status, await response.text())
    assert response.content_type == "application/json"
    body = await response.json()
    assert body["statusCode"] == 200 and body["type"] == ADAPTIVE_CARD, body
    card = body["value"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    return card


def execute_button(card: dict[str, Any], title: str) -> tuple[str, dict[str, Any]]:
    """The verb and data of the card's Action.Execute button titled `title`."""
    found = [node for node in walk(card)
             if node.get("type") == "Action.Execute" and node.get("title") == title]
    assert len(found) == 1, f"{len(found)} {title!r} buttons: {text_of(card)[:300]}"
    return found[0]["verb"], copy.deepcopy(found[0].get("data") or {})


def execute_titles(card: dict[str, Any]) -> list[str]:
    """The titles of every Action.Execute button on the card, in order."""
    return [node.get("title", "") for node in walk(card) if node.get("type") == "Action.Execute"]


_activity_ids = itertools.count(1)


def chat_of(object_id: str) -> str:
    """The 1:1 chat of `object_id` with the bot, in these tests."""
    return f"a:chat-with-{object_id}"


async def say(bot: Any, connector: Any, object_id: str, text: str) -> list[Any]:
    """`object_id` types `text` in their 1:1 chat (the real personal message payload); the
    bot's replies to it (the welcome card of a first message left out)."""
    activity = personal_message(text)
    activity["id"] = f"1:typed-{next(_activity_ids)}"
    activity["from"] = {**activity["from"], "id": f"29:{object_id}",
                        "name": NAMES.get(object_id, "Someone"), "aadObjectId": object_id}
    activity["conversation"] = {**activity["conversation"], "id": chat_of(object_id)}
    activity["channelData"] = {"tenant": {"id": TENANT}}
    response = await bot.post(activity)
    assert response.status == 200, await response.text()
    suffix = f"/activities/{activity['id']}"
    return [r for r in connector.received
            if r.conversation_id == chat_of(object_id) and r.path.endswith(suffix)
            and "welcome to the Improvement" not in r.text_seen]
