"""A client for the Microsoft 365 Agents Playground's own HTTP and WebSocket API.

It does what a person does in the Playground's chat (install the app, type, press a card's
button) through the requests its web page makes, and reads what the bot sends from the
page's WebSocket stream, without a browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
_STREAM = "/_ws_conversation/v1/conversations/stream"


class PlaygroundClientError(AssertionError):
    """The Playground refused a request, or what a test waited for did not arrive."""


@dataclass(frozen=True)
class User:
    id: str
    name: str
    aad_object_id: str


@dataclass
class BotMessage:
    """One frame of the conversation stream: a message the bot created or updated."""

    action: str
    conversation_id: str
    message_id: str
    raw: dict[str, Any]

    @property
    def text(self) -> str:
        return self.raw.get("text") or ""

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [a.get("content") or {} for a in self.raw.get("attachments") or []
                if a.get("contentType") == ADAPTIVE_CARD]

    @property
    def card(self) -> dict[str, Any]:
        """The message's one Adaptive Card."""
        cards = self.cards
        if len(cards) != 1:
            raise PlaygroundClientError(f"expected one Adaptive Card, found {len(cards)}: {self}")
        return cards[0]

    @property
    def heading(self) -> str:
        """The text of the card's first TextBlock or RichTextBlock."""
        for element in _elements(self.card.get("body") or []):
            if element.get("type") in ("TextBlock", "RichTextBlock"):
                return _element_text(element)
        return ""

    @property
    def text_seen(self) -> str:
        """Every string in the message and its cards, as a person could read them."""
        parts = [self.text]
        for card in self.cards:
            parts += _strings(card)
        return "\n".join(p for p in parts if p)

    @property
    def inputs(self) -> dict[str, dict[str, Any]]:
        """The card's inputs by id."""
        return {e["id"]: e for e in _elements(self.card.get("body") or [])
                if str(e.get("type", "")).startswith("Input.") and "id" in e}

    def action_titled(self, title: str) -> dict[str, Any]:
        """The card action (a button) with this title."""
        actions = list(_actions(self.card))
        for action in actions:
            if action.get("title") == title:
                return action
        titles = [a.get("title") for a in actions]
        raise PlaygroundClientError(f"no button {title!r} on the card; it has {titles}")

    def __str__(self) -> str:
        return f"<{self.action} {self.message_id}: {self.heading or self.text!r}>"


def _elements(items: list[Any]):
    """Every element of a card body, containers opened up (not Action.ShowCard cards)."""
    for item in items:
        if not isinstance(item, dict):
            continue
        yield item
        for key in ("items", "columns"):
            yield from _elements(item.get(key) or [])


def _actions(card: dict[str, Any]):
    yield from card.get("actions") or []
    for element in _elements(card.get("body") or []):
        if element.get("type") == "ActionSet":
            yield from element.get("actions") or []


def _element_text(element: dict[str, Any]) -> str:
    if element.get("type") == "RichTextBlock":
        return "".join(i.get("text", "") if isinstance(i, dict) else str(i)
                       for i in element.get("inlines") or [])
    return element.get("text") or ""


def _strings(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "title", "label", "placeholder", "errorMessage") and isinstance(
                    value, str):
                found.append(value)
            elif key != "fallbackText":
                found += _strings(value)
    elif isinstance(node, list):
        for item in node:
            found += _strings(item)
    return found


@dataclass
class PlaygroundClient:
    """`async with PlaygroundClient(url) as chat:` acts as the Playground's current user.

    Frames from the stream are queued from the moment the client opens; `next_message` takes
    them in order, so open the client before doing anything that makes the bot speak. The
    Playground keeps what the bot sent while no page was connected and replays it to the next
    one: frames stamped before the client opened are dropped unless `history` is True.
    """

    url: str
    timeout: float = 10.0
    history: bool = False
    session: aiohttp.ClientSession = field(init=False)
    config: dict[str, Any] = field(init=False, default_factory=dict)
    _ws: aiohttp.ClientWebSocketResponse | None = field(init=False, default=None)
    _frames: asyncio.Queue[BotMessage] = field(init=False, default_factory=asyncio.Queue)
    _reader: asyncio.Task[None] | None = field(init=False, default=None)
    _opened_ms: float = field(init=False, default=0.0)

    async def __aenter__(self) -> PlaygroundClient:
        self.session = aiohttp.ClientSession(
            base_url=self.url.rstrip("/"), timeout=aiohttp.ClientTimeout(total=self.timeout)
        )
        try:
            self.config = (await self._json("GET", "/_internal/v1/config"))["config"]
            self._opened_ms = time.time() * 1000
            self._ws = await self.session.ws_connect(_STREAM, heartbeat=30)
        except BaseException:
            await self.session.close()
            raise
        self._reader = asyncio.create_task(self._read_stream())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._ws is not None:
            await self._ws.close()
        await self.session.close()

    # Who and where

    @property
    def current_user(self) -> User:
        user = self.config["currentUser"]
        return User(id=user["id"], name=user["name"], aad_object_id=user["aadObjectId"])

    @property
    def personal_chat_id(self) -> str:
        return self.config["personalChat"]["id"]

    # What a person does

    async def install(self, conversation_id: str | None = None) -> None:
        """Open (install) the app in a chat; Teams tells the bot it was added."""
        await self._json("POST", f"/_debug/conversation/{conversation_id or self.personal_chat_id}"
                                 "/installation", {})

    async def say(self, text: str, conversation_id: str | None = None) -> str:
        """Type `text` and send it; the id Teams gives the person's message."""
        conversation = conversation_id or self.personal_chat_id
        answer = await self._json(
            "POST", f"/_conversation/v1/conversations/{conversation}/messages",
            {"from": {"id": self.current_user.id}, "text": text, "textFormat": "plain"},
        )
        return answer["messageId"]

    async def mention(self, text: str, conversation_id: str) -> str:
        """In a channel or group chat, @mention the bot with `text` (Teams only tells a bot of
        the messages that mention it there); the id Teams gives the person's message."""
        bot = self.config["bot"]
        at = f"<at>{bot.get('name') or 'Test Bot'}</at>"
        answer = await self._json(
            "POST", f"/_conversation/v1/conversations/{conversation_id}/messages",
            {"from": {"id": self.current_user.id}, "text": f"{at} {text}", "textFormat": "plain",
             "mentions": [{"mentioned": {"id": bot["id"]}, "text": at}]},
        )
        return answer["messageId"]

    async def press(self, card_message: BotMessage, title: str,
                    inputs: dict[str, Any] | None = None) -> None:
        """Press the Action.Submit button `title` on a card, with what was typed into its inputs.

        As Teams does, the button's data and the inputs travel merged, as strings.
        """
        action = card_message.action_titled(title)
        if action.get("type") != "Action.Submit":
            raise PlaygroundClientError(f"{title!r} is an {action.get('type')}, not a Submit")
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        await self.submit(card_message, {**data, **(inputs or {})})

    async def submit(self, card_message: BotMessage, value: dict[str, Any]) -> None:
        await self._json("POST", "/_conversation/v1/submit", {
            "conversation": {"id": card_message.conversation_id},
            "from": {"id": self.current_user.id},
            "replyToId": card_message.message_id,
            "value": value,
        })

    # What the bot says

    async def next_message(self, within: float | None = None,
                           where: Callable[[BotMessage], bool] | None = None) -> BotMessage:
        """The next frame the bot sends (the next matching `where`, others are skipped)."""
        deadline = asyncio.get_running_loop().time() + (within or self.timeout)
        skipped: list[str] = []
        while True:
            left = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(self._frames.get(), max(left, 0))
            except TimeoutError:
                seen = f"; skipped {', '.join(skipped)}" if skipped else ""
                raise PlaygroundClientError(
                    f"nothing{' matching' if where else ''} arrived from the bot within "
                    f"{within or self.timeout:g}s{seen}"
                ) from None
            if where is None or where(message):
                return message
            skipped.append(str(message))

    async def card_headed(self, heading: str, within: float | None = None) -> BotMessage:
        """The next card whose heading starts with `heading`; earlier frames are skipped."""
        return await self.next_message(within, lambda m: m.heading.startswith(heading))

    async def quiet(self, within: float = 0.3) -> list[BotMessage]:
        """Whatever arrives within `within` seconds (to check the bot said nothing more)."""
        found = []
        with contextlib.suppress(PlaygroundClientError):
            while True:
                found.append(await self.next_message(within))
        return found

    def forget(self) -> None:
        """Drop every frame received so far."""
        while not self._frames.empty():
            self._frames.get_nowait()

    # Plumbing

    async def _json(self, method: str, path: str, body: Any = None) -> Any:
        async with self.session.request(method, path, json=body) as response:
            text = await response.text()
            if response.status >= 300:
                raise PlaygroundClientError(
                    f"{method} {path} answered {response.status}: {text[:300]}"
                )
        return json.loads(text) if text.strip() else None

    async def _read_stream(self) -> None:
        assert self._ws is not None
        async for frame in self._ws:
            if frame.type is not aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            if data.get("action") not in ("createMessage", "updateMessage"):
                continue
            message = data.get("message") or {}
            if not self.history and float(message.get("timestamp") or 0) < self._opened_ms:
                continue
            await self._frames.put(BotMessage(
                action=data["action"], conversation_id=data.get("actionConversationId", ""),
                message_id=str(message.get("messageId", "")), raw=message,
            ))
