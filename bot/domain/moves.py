"""One entry per move: what it is called, what its form asks, what the contributor is told.

Who may make a move, and from which statuses, is the transition table's
(bot.domain.lifecycle); everything else a move means is its `MoveSpec` in `SPECS`. The staff
card's form (cards.decisions) and the parser of its confirm button (`parse_decide`) are both
derived from these entries, so a new move is one entry here and its rows in the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.domain.asked import Asked
from bot.domain.errors import InvalidText, Malformed
from bot.domain.text import clean_text

# The ids a card may carry: the ideas table's integer key (a PostgreSQL `integer`).
MAX_ID = 2**31 - 1
MESSAGE_LIMIT = 2000
NOTE_LIMIT = 2000
ROOT_CAUSE_LIMIT = 1000
# Far longer than any card lets a person type: text past this many times an input's limit is
# not a person's answer, and is refused unread.
FAR_BEYOND = 4
# The most characters a choice, a date or a reference may have (a portfolio key, a reason, a
# day, a reference and a few words around it).
CHOICE_LIMIT = 200

MISSING = "That button is missing what it needs. Nothing changed."
UNKNOWN = "That button is not one I know. Nothing changed."
NO_SUCH_IDEA = "That idea could not be found. Nothing changed."


class Move(StrEnum):
    ALLOCATE = "allocate"
    DECLINE_AT_TRIAGE = "decline_at_triage"
    APPROVE = "approve"
    DECLINE = "decline"
    DEFER = "defer"
    ESCALATE = "escalate"
    REALLOCATE = "reallocate"
    ASK = "ask"
    UPDATE = "update"
    DELIVER = "deliver"
    REVISIT = "revisit"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"

    @property
    def spec(self) -> MoveSpec:
        return SPECS[self]

    @property
    def label(self) -> str:
        """What the person who made it did, as a history line says it ("approved it")."""
        return SPECS[self].did


class InputKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"
    REFERENCE = "reference"  # another idea's reference, typed


class Options(StrEnum):
    """Where a choice's options come from."""

    PORTFOLIOS = "portfolios"  # the organisation's, by key
    DECLINE_REASONS = "decline_reasons"
    TRIAGE_DECLINE_REASONS = "triage_decline_reasons"  # the few a triage decline may give


@dataclass(frozen=True, slots=True)
class Input:
    """One answer a move's form asks for. On the card its id is "<move>.<name>"."""

    name: str
    kind: InputKind
    label: str  # the card's question
    noun: str  # how the bot's own messages name it ("The internal note")
    required: bool = False
    limit: int | None = None  # text: the most characters, on the card and when checked
    card_error: str | None = None  # what the card says when a required one is left out
    # What the bot says when it is left out or cannot be used (otherwise clean_text's words).
    when_missing: str | None = None
    multiline: bool = False
    placeholder: str | None = None
    options: Options | None = None
    starts_as_current: bool = False  # a choice that starts as the idea's own value

    @property
    def unusable(self) -> str:
        """What the bot says when this answer cannot be used: not text, or for a choice, a
        date or a reference, not one it knows."""
        return self.when_missing or f"{self.noun} must be text."

    @property
    def bound(self) -> int:
        """The most characters a card could send for this input: more is refused unread."""
        if self.kind is InputKind.TEXT and self.limit is not None:
            return FAR_BEYOND * self.limit
        return CHOICE_LIMIT

    def far_too_long(self, length: int) -> str:
        """The answer when more than `bound` characters are sent for this input."""
        if self.kind is InputKind.TEXT and self.limit is not None:
            return (f"{self.noun} is {length:,} characters long; the limit is "
                    f"{self.limit:,}. Nothing changed.")
        return self.unusable

    def text(self, value: object) -> str | None:
        """A text answer, cleaned and checked; None when left empty (and allowed to be)."""
        if self.required and self.when_missing and (not isinstance(value, str)
                                                    or not value.strip()):
            raise InvalidText(self.name, self.when_missing)
        return clean_text(value, field=self.name, label=self.noun, limit=self.limit or 0,
                          required=self.required) or None


def message_input(*, required: bool) -> Input:
    return Input("message", InputKind.TEXT, "Message to the contributor, in plain words",
                 "The message to the contributor", required=required, limit=MESSAGE_LIMIT,
                 card_error="Please write a message to the contributor.", multiline=True)


MESSAGE = message_input(required=True)
OPTIONAL_MESSAGE = message_input(required=False)
NOTE = Input("note", InputKind.TEXT, "Internal note (not shown to the contributor)",
             "The internal note", limit=NOTE_LIMIT, multiline=True)
# On the card's body, shared by every move that decides (ids without a move's prefix).
ROOT_CAUSES = (
    Input("root_cause_problem", InputKind.TEXT, "What is the problem behind the idea?",
          "The problem behind the idea", required=True, limit=ROOT_CAUSE_LIMIT,
          multiline=True,
          when_missing="Please answer both root-cause questions before you approve, decline "
                       "or escalate."),
    Input("root_cause_implicated", InputKind.TEXT,
          "Which processes, systems or issues are implicated?",
          "The processes, systems or issues implicated", required=True,
          limit=ROOT_CAUSE_LIMIT, multiline=True,
          when_missing="Please answer both root-cause questions before you approve, decline "
                       "or escalate."),
)


def portfolio_input(*, starts_as_current: bool) -> Input:
    return Input("portfolio", InputKind.CHOICE, "Portfolio", "The portfolio", required=True,
                 card_error="Please choose a portfolio.",
                 when_missing="Please choose the portfolio to allocate it to.",
                 options=Options.PORTFOLIOS, starts_as_current=starts_as_current)


def decline_inputs(options: Options) -> tuple[Input, ...]:
    return (
        Input("reason", InputKind.CHOICE, "Why is it declined?", "The reason", required=True,
              card_error="Please choose a reason.",
              when_missing="Please choose why it is declined.", options=options),
        Input("duplicate_of", InputKind.REFERENCE,
              "If a duplicate: the original idea's reference", "The original idea",
              limit=20, placeholder="IIP-2026-0042",
              when_missing="Please give the reference of the original idea, such as "
                           "IIP-2026-0042."),
    )


@dataclass(frozen=True, slots=True)
class Notice:
    """What the contributor is told: a title and a line, which may name {portfolio},
    {revisit} (the day) and {reason} (the decline reason)."""

    title: str
    text: str
    answer: bool = False  # the notice carries a form to answer it


@dataclass(frozen=True, slots=True)
class MoveSpec:
    past: str  # "cannot be approved"
    did: str  # "Alex approved it"
    inputs: tuple[Input, ...] = ()
    button: str | None = None  # None: not a button on the staff card
    # Said at the top of its form: the only sign of which move is open when it was chosen
    # from the "..." menu.
    what_happens: str = ""
    root_cause: bool = False  # both root-cause questions must be answered first
    notice: Notice | None = None


_REASONS = decline_inputs(Options.DECLINE_REASONS)
# Why the PMO reopens an idea: for the staff only (the contributor is told in plain words).
REOPEN_REASON = Input("reason", InputKind.TEXT, "Why is it reopened? (only the staff see this)",
                      "The reason to reopen it", required=True, limit=NOTE_LIMIT,
                      card_error="Please say why it is reopened.",
                      when_missing="Please say why it is reopened (only the staff see it).",
                      multiline=True)
_DECLINED = Notice("Your idea was declined", "It was declined: {reason}.")

# In the order of the staff card's buttons: decisions first, then talking to the
# contributor, re-allocating last. Teams shows six buttons and folds the rest under "...": an
# assessment card has seven moves, so the one folded away is the rarest (Re-allocate).
SPECS: dict[Move, MoveSpec] = {
    Move.ALLOCATE: MoveSpec(
        "allocated", "allocated it", (portfolio_input(starts_as_current=True),
                                      OPTIONAL_MESSAGE, NOTE),
        "Allocate", "Pass it to the portfolio that will assess it. The contributor is told.",
        notice=Notice("Your idea is being assessed", "The PMO team has passed it to "
                      "{portfolio}, whose business lead will assess it.")),
    Move.DECLINE_AT_TRIAGE: MoveSpec(
        "declined at triage", "declined it at triage",
        (*decline_inputs(Options.TRIAGE_DECLINE_REASONS), MESSAGE, NOTE), "Decline at triage",
        "Close it at triage. The contributor is told why, with your message.",
        notice=_DECLINED),
    Move.APPROVE: MoveSpec(
        "approved", "approved it", (MESSAGE, NOTE), "Approve",
        "Approve it. The contributor is told, with your message.", root_cause=True,
        notice=Notice("Good news: your idea is approved", "It will be taken forward.")),
    Move.DECLINE: MoveSpec(
        "declined", "declined it", (*_REASONS, MESSAGE, NOTE), "Decline",
        "Decline it. The contributor is told why, with your message.", root_cause=True,
        notice=_DECLINED),
    Move.DEFER: MoveSpec(
        "deferred", "deferred it",
        (Input("revisit_on", InputKind.DATE, "Look at it again on", "The revisit date",
               required=True,
               card_error="Please choose a day after today, at most three years ahead.",
               when_missing="Please choose the date to look at this idea again."),
         MESSAGE, NOTE), "Defer",
        "Keep it for later. The contributor is told when it will be looked at again.",
        notice=Notice("Your idea is deferred",
                      "It is kept, not lost, and will be looked at again on {revisit}.")),
    Move.ESCALATE: MoveSpec(
        "escalated", "escalated it to change governance", (MESSAGE, NOTE), "Escalate",
        "Pass it to change governance to plan its delivery, timeline and budget. The "
        "contributor is told.", root_cause=True,
        notice=Notice("Your idea has been escalated", "It is worth doing but needs the "
                      "force's change governance to plan its delivery, timeline and budget.")),
    Move.DELIVER: MoveSpec(
        "marked delivered", "marked it delivered",
        (Input("what_changed", InputKind.TEXT, "What changed", "What changed", required=True,
               limit=1000, card_error="Please say what changed.", multiline=True),
         Input("benefit_seen", InputKind.TEXT, "The benefit seen so far", "The benefit seen",
               limit=1000, multiline=True),
         OPTIONAL_MESSAGE, NOTE), "Mark delivered",
        "Mark it delivered. The contributor is thanked and, if they agreed, named in the news "
        "channel.",
        notice=Notice("You said, we did: thank you",
                      "Your idea has been delivered. Thank you for making things better.")),
    Move.REVISIT: MoveSpec(
        "revisited", "brought it back for assessment", (OPTIONAL_MESSAGE, NOTE), "Revisit now",
        "Bring it back for assessment now. The contributor is told.",
        notice=Notice("Your idea is being looked at again", "{portfolio} is assessing it "
                      "again.")),
    Move.REOPEN: MoveSpec(
        # Its reason is the internal note: no second one.
        "reopened", "reopened it",
        (REOPEN_REASON, OPTIONAL_MESSAGE), "Reopen",
        "Reopen it for triage. The contributor is told it is being looked at again (with "
        "your message, if you write one), not your reason.",
        notice=Notice("Your idea has been reopened", "The PMO team will look at it again.")),
    Move.ASK: MoveSpec(
        "questioned", "asked the contributor a question", (MESSAGE, NOTE), "Ask a question",
        "Ask the contributor a question; they can answer on their card. The status stays as "
        "it is.",
        notice=Notice("A question about your idea", "The business lead assessing it asks:",
                      answer=True)),
    Move.UPDATE: MoveSpec(
        "updated", "sent the contributor an update", (MESSAGE, NOTE), "Send an update",
        "Send the contributor an update. The status stays as it is.",
        notice=Notice("An update on your idea", "The team looking at it sends this update.")),
    Move.REALLOCATE: MoveSpec(
        "re-allocated", "re-allocated it", (portfolio_input(starts_as_current=False),
                                            OPTIONAL_MESSAGE, NOTE),
        "Re-allocate", "Move it to another portfolio to assess. The contributor is told.",
        notice=Notice("Your idea has moved", "It is now with {portfolio} for assessment.")),
    # The contributor's own, from their chat: no button on a staff card.
    Move.WITHDRAW: MoveSpec("withdrawn", "withdrew it"),
}
BUTTON_ORDER = [move for move, spec in SPECS.items() if spec.button]


def input_id(move: Move, answer: Input) -> str:
    """The id of `answer`'s input on `move`'s form."""
    return f"{move.value}.{answer.name}"


@dataclass(frozen=True, slots=True)
class Decide(Asked):
    """A press of a move's confirm button on a staff card: the idea and version the card
    showed, and the answers its form sent, by input id, each as text."""

    idea_id: int  # 1..MAX_ID
    version: int  # 0..MAX_ID + 1: below 1 is older, above MAX_ID newer, than any version
    move: Move
    answers: Mapping[str, str]

    def answer(self, name: str) -> str | None:
        """The answer to the move's own input `name`, if one was sent."""
        return self.answers.get(f"{self.move.value}.{name}")


def parse_decide(verb: object, data: Mapping[str, object]) -> Decide:
    """The press an Action.Execute's verb and data describe; Malformed, with the words to
    show, for anything no card sends. Only the move's own inputs (and the root-cause answers,
    for a move that needs them) are read: anything else in the data is ignored."""
    idea_id, version = whole_number(data.get("idea")), whole_number(data.get("version"))
    if idea_id is None or version is None:
        raise Malformed(MISSING)
    if not isinstance(verb, str) or verb not in SPECS:
        raise Malformed(UNKNOWN)
    move = Move(verb)
    if not 1 <= idea_id <= MAX_ID:
        raise Malformed(NO_SUCH_IDEA)
    spec = SPECS[move]
    wanted = [(input_id(move, i), i) for i in spec.inputs]
    if spec.root_cause:
        wanted += [(i.name, i) for i in ROOT_CAUSES]
    answers: dict[str, str] = {}
    for key, answer in wanted:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Malformed(answer.unusable)
        if len(value) > answer.bound:
            raise Malformed(answer.far_too_long(len(value)))
        answers[key] = value
    return Decide(idea_id, min(max(version, 0), MAX_ID + 1), move, MappingProxyType(answers))


def whole_number(value: object) -> int | None:
    """A whole number as JSON carries it (a boolean is not one, though Python says so)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def record_id(value: object) -> int | None:
    """A database key as a card carries it (an idea's, a campaign's, a digest's): a whole
    number within the 32-bit column, or None. A larger one would reach the database only to be
    refused there."""
    number = whole_number(value)
    return number if number is not None and 1 <= number <= MAX_ID else None
