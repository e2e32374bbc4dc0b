"""Feedback on the bot, kept for the PMO."""

from __future__ import annotations

from typing import Any

from bot.domain.audit import AuditEntry
from bot.domain.errors import AlreadyReceived
from bot.domain.feedback import Feedback, parse_feedback
from bot.services.ports import Clock, UnitOfWorkFactory


class FeedbackService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def submit(self, author_object_id: str, answers: dict[str, Any],
                     card_id: str | None) -> Feedback:
        """Validate and store the answers of the form `card_id`.

        Raises InvalidText (nothing stored) when an answer is wrong, and AlreadyReceived when
        this form's answers are already stored.
        """
        feedback = parse_feedback(answers)
        now = self._clock.now()
        async with self._uow() as uow:
            feedback_id = await uow.feedback.add(author_object_id, feedback, card_id, now)
            if feedback_id is None:
                raise AlreadyReceived("Thank you: this feedback has already reached us.")
            await uow.audit.record(AuditEntry(
                actor=author_object_id, action="feedback.submitted",
                subject=f"feedback {feedback_id}", at=now,
                detail={"rating": feedback.rating.value if feedback.rating else None},
            ))
            await uow.commit()
        return feedback
