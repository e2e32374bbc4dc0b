"""Checking the two-month promise's columns against the promise derived again from each
idea's history and the outbox (bot.domain.sla.promise_of), and repairing them.

The columns are kept up to date as things happen; this finds where they were not (an idea
a replica on older code submitted, reopened or answered, or a notice sent again by hand
after it was given up on), a batch of ideas at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.audit import SYSTEM, AuditEntry
from bot.domain.sla import IdeaPromise
from bot.services.ports import Clock, UnitOfWorkFactory

BATCH = 500
ACTOR = f"{SYSTEM}:iip sla check"


@dataclass(frozen=True, slots=True)
class Checked:
    ideas: int
    differences: list[IdeaPromise]  # each as its row kept it, and as derived
    repaired: bool


class PromiseCheck:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, batch: int = BATCH) -> None:
        self._uow = uow
        self._clock = clock
        self._batch = batch

    async def run(self, *, repair: bool = False) -> Checked:
        """Compare every idea's columns with its derived promise; with `repair`, make each
        that differs agree (audited), a batch to a transaction."""
        count, after = 0, 0
        differences: list[IdeaPromise] = []
        while True:
            async with self._uow() as uow:
                ideas = await uow.promises.derived(after, self._batch)
                if not ideas:
                    break
                wrong = [idea for idea in ideas if not idea.recorded.agrees_with(idea.promise)]
                if repair and wrong:
                    now = self._clock.now()
                    for idea in wrong:
                        await uow.promises.put(idea.idea_id, idea.promise)
                        await uow.audit.record(_repaired(idea, now))
                    await uow.commit()
            count += len(ideas)
            after = ideas[-1].idea_id
            differences += wrong
        return Checked(count, differences, repair)


def _repaired(idea: IdeaPromise, now: datetime) -> AuditEntry:
    def at(moment: datetime | None) -> str | None:
        return None if moment is None else moment.isoformat()

    was, now_is = idea.recorded, idea.promise
    return AuditEntry(
        actor=ACTOR, action="idea.promise_repaired", subject=idea.reference, at=now,
        detail={"due_was": was.due.isoformat() if was.due else None,
                "due": now_is.due.isoformat(),
                "first_response_was": at(was.first_response.at if was.first_response
                                         else None),
                "first_response": at(now_is.first_response.at if now_is.first_response
                                     else None),
                "reachable": now_is.first_response.reachable if now_is.first_response
                else None},
    )
