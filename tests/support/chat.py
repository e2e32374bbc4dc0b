"""A person chatting with the bot in Teams: typed messages and card buttons, and what came back.

Every message a Person sends carries its own activity id, so the cards the bot sent in reply
(the bot replies to the activity it answers) are told apart from anything else it sent.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any

from support.activities import CHANNEL_MENTION, card_submit, personal_message, teams_payload
from support.bot_server import BotServer
from support.cards import walk
from support.connector import Received, StandInConnector

MEGAN_ID = "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"  # the real payload's aadObjectId
_activity_ids = itertools.count(1)


@dataclass
class Reply:
    """One message the bot sent: its card(s) and what a person reads in it."""

    received: Received

    @property
    def text(self) -> str:
        return self.received.text_seen

    @property
    def card(self) -> dict[str, Any]:
        [card] = self.received.cards
        return card

    @property
    def inputs(self) -> dict[str, Any]:
        return self.received.inputs

    @property
    def buttons(self) -> dict[str, dict[str, Any]]:
        """Every Action.Submit on the card (select actions included): {title: action}."""
        found: dict[str, dict[str, Any]] = {}
        for node in walk(self.card):
            if node.get("type") == "Action.Submit":
                found.setdefault(node.get("title", ""), node)
        return found

    def data(self, button: str) -> dict[str, Any]:
        assert button in self.buttons, f"no {button!r} button: {list(self.buttons)}"
        return copy.deepcopy(self.buttons[button].get("data") or {})

    def __contains__(self, text: str) -> bool:
        return text in self.text


@dataclass
class Person:
    """Someone in their 1:1 chat with the bot."""

    bot: BotServer
    connector: StandInConnector
    object_id: str = MEGAN_ID
    name: str = "Megan Bowen"
    tenant_id: str = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    conversation_id: str = ""
    seen: list[Reply] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.conversation_id:
            base = personal_message(None)["conversation"]["id"]
            self.conversation_id = (base if self.object_id == MEGAN_ID
                                    else f"a:chat-with-{self.object_id}")

    # What the person does

    async def say(self, text: str | None) -> list[Reply]:
        """Type `text` in the chat; the bot's replies to it."""
        return await self._send(personal_message(text, **self._identity()))

    async def send_value(self, value: dict[str, Any], reply_to: str = "1:card") -> list[Reply]:
        """What Teams sends for an Action.Submit: `value` = the button's data and the inputs."""
        return await self._send(card_submit(value, reply_to=reply_to, **self._identity()))

    async def press(self, reply: Reply, button: str, **inputs: Any) -> list[Reply]:
        """Press `button` on `reply`'s card, its inputs holding what the card shows unless
        `inputs` says otherwise (as Teams merges the inputs into the button's data)."""
        action = reply.buttons.get(button)
        assert action is not None, f"no {button!r} button on the card: {list(reply.buttons)}"
        value: dict[str, Any] = {}
        if action.get("associatedInputs") != "none":
            value = {key: ("" if shown is None else shown) for key, shown in reply.inputs.items()}
            value.update(inputs)
        value.update(copy.deepcopy(action.get("data") or {}))
        return await self.send_value(value)

    async def one(self, text: str) -> Reply:
        """Type `text`; the one card that answers it."""
        return _only(await self.say(text))

    async def one_press(self, reply: Reply, button: str, **inputs: Any) -> Reply:
        return _only(await self.press(reply, button, **inputs))

    async def one_value(self, value: dict[str, Any]) -> Reply:
        return _only(await self.send_value(value))

    @property
    def last(self) -> Reply:
        return self.seen[-1]

    # Plumbing

    def _identity(self) -> dict[str, Any]:
        template = personal_message(None)
        sender = {**template["from"], "name": self.name, "aadObjectId": self.object_id}
        if self.object_id != MEGAN_ID:
            sender["id"] = f"29:{self.object_id}"
        conversation = {**template["conversation"], "id": self.conversation_id}
        return {"from": sender, "conversation": conversation,
                "channelData": {"tenant": {"id": self.tenant_id}},
                "id": f"1:{next(_activity_ids)}"}

    async def _send(self, activity: dict[str, Any]) -> list[Reply]:
        response = await self.bot.post(activity)
        assert response.status == 200, await response.text()
        suffix = f"/activities/{activity['id']}"
        replies = [Reply(r) for r in self.connector.received
                   if r.conversation_id == self.conversation_id and r.status < 300
                   and (r.path.endswith(suffix) or r.body.get("replyToId") == activity["id"])]
        # The welcome card (in a shared conversation, the introduction) greets a first
        # message: not an answer to it.
        replies = [r for r in replies if "welcome to the Improvement" not in r.text
                   and INTRODUCTION not in r.text]
        self.seen.extend(replies)
        return replies


INTRODUCTION = "The Improvement and Innovation Portal is here"


@dataclass
class ChannelMember(Person):
    """Someone in a team channel thread (the real channel-mention payload), mentioning the
    bot: what they type and press there, and what the bot posted in the thread in reply."""

    tenant_id: str = "50612dbb-0237-4969-b378-8d42590f9c00"  # the payload's tenant

    def __post_init__(self) -> None:
        if not self.conversation_id:
            self.conversation_id = teams_payload(CHANNEL_MENTION)["conversation"]["id"]

    async def say(self, text: str | None) -> list[Reply]:
        activity = self._channel_activity()
        activity["text"] = f"<at>ridotest</at> {text}"
        return await self._send(activity)

    async def send_value(self, value: dict[str, Any], reply_to: str = "1:card") -> list[Reply]:
        activity = self._channel_activity()
        del activity["text"]
        activity["value"] = value
        activity["replyToId"] = reply_to
        return await self._send(activity)

    def _channel_activity(self) -> dict[str, Any]:
        activity = teams_payload(CHANNEL_MENTION)
        activity["from"] = {"id": f"29:{self.object_id}", "name": self.name,
                            "aadObjectId": self.object_id}
        activity["conversation"]["id"] = self.conversation_id
        activity["channelData"]["tenant"]["id"] = self.tenant_id
        activity["id"] = f"1:{next(_activity_ids)}"
        return activity


def _only(replies: list[Reply]) -> Reply:
    assert len(replies) == 1, f"expected one reply, got {[r.text[:120] for r in replies]}"
    return replies[0]


def beside_suggestions(replies: list[Reply]) -> Reply:
    """The one question a typed answer brings, once past the similar ideas the answer to the
    problem may show before it."""
    if len(replies) == 2 and "Is it one of these?" in replies[0]:
        return replies[1]
    return _only(replies)


# A complete idea, as typed answers and as card answers.
IDEA = {
    "title": "Digital pocket notebooks",
    "problem": "Paper notebooks are slow to search and easy to lose.",
    "proposal": "Use the tablets officers already carry.",
    "benefit": "About two hours a week for each officer.",
}


async def answer_to_the_check(person: Person, idea: dict[str, str] | None = None, *,
                              category: str = "Technology and digital",
                              portfolio: str = "Local Policing",
                              recognition: str = "yes") -> Reply:
    """Type `new idea` and every answer (skipping the profile if asked): the check card."""
    idea = {**IDEA, **(idea or {})}
    reply = await person.one("new idea")
    if "You have an idea in progress" in reply:
        reply = await person.one_press(reply, "Start afresh")
    for answer in (idea["title"], idea["problem"], idea["proposal"], idea["benefit"],
                   category, portfolio):
        reply = beside_suggestions(await person.say(answer))
    if "About you (optional)" in reply:
        reply = await person.one("skip")
    reply = await person.one(recognition)
    assert "Check your idea" in reply, reply.text
    return reply


async def submit_idea(person: Person, idea: dict[str, str] | None = None) -> Reply:
    """A whole submission by typed answers: the receipt card."""
    check = await answer_to_the_check(person, idea)
    reply = await person.one_press(check, "Submit idea")
    if "Before you submit" in reply:
        reply = await person.one_press(reply, "They are needed: submit")
    assert "Thank you: your idea is in" in reply, reply.text
    return reply


async def seed_idea(bot: BotServer, person: Person, title: str, *,
                    portfolio: str = "local-policing") -> str:
    """An idea of `person`'s, submitted through the idea service (quicker than a whole
    conversation, when the conversation is not what a test is about): its reference."""
    from bot.domain.identity import Caller
    from bot.domain.intake import Draft, Step

    ideas = bot.services.ideas
    stored = await ideas.new_draft(person.object_id, Draft(
        title=title, problem=IDEA["problem"], proposal=IDEA["proposal"],
        benefit=IDEA["benefit"], category="process", portfolio=portfolio,
        named_publicly=False, step=Step.CHECK, revision=7))
    submitted = await ideas.submit(Caller(person.object_id, person.name, person.tenant_id),
                                   stored.draft_id, stored.draft.revision)
    return submitted.reference


def reply_of(card: dict[str, Any]) -> Reply:
    """A card that was not sent through the connector (queued in the outbox, or returned by
    IntakeFlow), to read like one that was."""
    return Reply(Received(method="POST", path="", conversation_id="", headers={}, body={
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                         "content": card}]}))
