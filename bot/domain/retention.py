"""How long the portal keeps what it no longer needs, and what a retention run removed.

Drafts and conversation state (where a person is in a dialog) are purged after a period
without change. A sent message keeps its row (the activity id that a later card update needs,
and the outcome the two-month promise is derived from) but loses its card, summary and text
after a shorter period; a staff card of an idea still open keeps everything, since it is put
over in place each time the idea moves. Rows are deleted altogether after a longer period
(see OUTBOX_ROWS_DAYS). Feedback about the bot goes after some months, and the scheduler's
old marks after some more (see JOB_MARKS_DAYS). The audit log is the force's record and is
never purged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from bot.domain.ideas import add_months

DRAFTS_DAYS = 90
SENT_DAYS = 30
# Outbox rows (payload long gone) are deleted after 13 months: the board pack looks back a
# year, and an operator may ask what became of a message within it. A status notice that an
# idea's history names is kept (its outcome is what `iip sla check` derives the promise from),
# and so is a staff card of an idea still open.
OUTBOX_ROWS_DAYS = 400
FEEDBACK_MONTHS = 24
# The scheduler's marks of what its passes did: a pass reads only today's and the latest of
# each idea, which are always kept; older ones are history after three months.
JOB_MARKS_DAYS = 90
# Rows changed in one transaction: a first run on a large table holds no lock for long.
BATCH = 1000


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    drafts_days: int = DRAFTS_DAYS
    sent_days: int = SENT_DAYS
    outbox_rows_days: int = OUTBOX_ROWS_DAYS
    feedback_months: int = FEEDBACK_MONTHS
    job_marks_days: int = JOB_MARKS_DAYS
    batch: int = BATCH

    def cutoffs(self, now: datetime) -> Cutoffs:
        """What is older than each of these moments is purged in a run at `now`."""
        day = now.astimezone(UTC).date()
        feedback_day = add_months(day, -self.feedback_months)
        return Cutoffs(
            drafts=now - timedelta(days=self.drafts_days),
            sent_payloads=now - timedelta(days=self.sent_days),
            outbox_rows=now - timedelta(days=max(self.outbox_rows_days, self.sent_days)),
            feedback=now.astimezone(UTC).replace(
                year=feedback_day.year, month=feedback_day.month, day=feedback_day.day),
            job_marks=now - timedelta(days=self.job_marks_days),
        )


@dataclass(frozen=True, slots=True)
class Cutoffs:
    drafts: datetime  # drafts and conversation state last changed before this
    sent_payloads: datetime  # sent messages' cards, sent before this
    outbox_rows: datetime  # finished outbox rows, queued before this
    feedback: datetime  # feedback given before this
    job_marks: datetime  # the scheduler's marks recorded before this (but each latest)


@dataclass(frozen=True, slots=True)
class RetentionCounts:
    """What one run purged (or, dry, would purge)."""

    drafts: int = 0
    conversation_state: int = 0
    sent_payloads: int = 0
    outbox_rows: int = 0
    feedback: int = 0
    job_marks: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
