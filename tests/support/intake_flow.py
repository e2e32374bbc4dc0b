"""Megan talking to the submission's IntakeFlow directly (no HTTP), with the real idea service
on a database: every step and button can be tried quickly, and what is kept read back."""

from __future__ import annotations

from typing import Any

from bot.domain.identity import Caller
from bot.domain.intake import Draft, Step
from bot.domain.requests import within_intake
from bot.presenters.intake import IntakeFlow, Outcome
from bot.services.bundle import Services
from cards.requests import intake_turn_of
from support.chat import IDEA, MEGAN_ID, Reply, reply_of

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
MEGAN = Caller(object_id=MEGAN_ID, name="Megan Bowen", tenant_id=TENANT)
QUESTION = {
    Step.TITLE: "Give your idea a short title",
    Step.PROBLEM: "What is the problem behind your idea?",
    Step.PROPOSAL: "What do you propose?",
    Step.BENEFIT: "What difference would it make?",
    Step.CATEGORY: "Which category fits best?",
    Step.PORTFOLIO: "Which portfolio or department would own it?",
    Step.PROFILE: "About you (optional)",
    Step.RECOGNITION: "If your idea is delivered, may we name you?",
    Step.CHECK: "Check your idea",
}
ANSWERS = {Step.TITLE: IDEA["title"], Step.PROBLEM: IDEA["problem"],
           Step.PROPOSAL: IDEA["proposal"], Step.BENEFIT: IDEA["benefit"],
           Step.CATEGORY: "technology", Step.PORTFOLIO: "local-policing",
           Step.PROFILE: "skip", Step.RECOGNITION: "yes"}
ORDER = list(QUESTION)


class Chat:
    """Megan, talking to the flow directly."""

    def __init__(self, flow: IntakeFlow, services: Services) -> None:
        self.flow = flow
        self.services = services

    async def begin(self, campaign: str | None = None) -> Reply:
        return self._one(await self.flow.begin(MEGAN, campaign))

    async def say(self, text: str) -> Reply:
        return self._one(await self.flow.handle(MEGAN, within_intake(text)))

    async def press(self, reply: Reply, button: str, **inputs: Any) -> Reply:
        return self._one(await self.outcome(reply, button, **inputs))

    async def outcome(self, reply: Reply, button: str, **inputs: Any) -> Outcome:
        action = reply.buttons[button]
        values = {} if action.get("associatedInputs") == "none" else {
            key: "" if value is None else value for key, value in reply.inputs.items()}
        values.update(inputs)
        values.update(action.get("data") or {})
        return await self.flow.handle(MEGAN, intake_turn_of(values))

    async def draft(self) -> Draft | None:
        stored = await self.services.ideas.draft(MEGAN_ID)
        return stored.draft if stored else None

    @staticmethod
    def _one(outcome: Outcome) -> Reply:
        [card] = outcome.cards
        return reply_of(card.card)
