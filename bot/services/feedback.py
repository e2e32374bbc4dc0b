"""Feedback on the bot, kept for the PMO."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.audit import AuditEntry
from bot.domain.errors import AlreadyReceived
from bot.domain.feedback import Feedback, FeedbackForm, parse_feedback
from bot.domain.identity import Caller
from bot.domain.messages import CardMessage
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.ports import Clock, UnitOfWorkFactory

FeedbackCard = Callable[[Feedback, str], CardMessage]


class FeedbackService:
    """Stores feedback and tells the PMO team, through the outbox, in one transaction."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, card_for_pmo: FeedbackCard) -> None:
        self._uow = uow
        self._clock = clock
        self._card_for_pmo = card_for_pmo

    async def submit(self, author: Caller, answers: FeedbackForm,
                     card_id: str | None) -> Feedback:
        """Validate and store the answers of the form `card_id`, and queue them for the PMO.

        Raises InvalidText (nothing stored) when an answer is wrong, and AlreadyReceived when
        this form's answers are already stored.
        """
        feedback = parse_feedback(answers)
        now = self._clock.now()
        async with self._uow() as uow:
            feedback_id = await uow.feedback.add(author.object_id, feedback, card_id, now)
            if feedback_id is None:
                raise AlreadyReceived("Thank you: this feedback has already reached us.")
            await uow.audit.record(AuditEntry(
                actor=author.object_id, action="feedback.submitted",
                subject=f"feedback {feedback_id}", at=now,
                detail={"rating": feedback.rating.value if feedback.rating else None},
            ))
            organisation = await uow.organisation.load()
            card = self._card_for_pmo(feedback, author.name)
            await uow.outbox.enqueue_all([
                OutgoingMessage(
                    recipient=Recipient.person(member, author.tenant_id),
                    kind=MessageKind.FEEDBACK,
                    dedupe_key=f"feedback:{feedback_id}:{member}",
                    message=card,
                )
                for member in (organisation.pmo if organisation else ())
            ], now)
            await uow.commit()
        return feedback
