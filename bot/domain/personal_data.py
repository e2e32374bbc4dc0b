"""A person's data: how each kind the portal holds is given to them (a subject access request)
and how it is erased, while every idea, its history and every count reports make stay whole.

Erasure keeps the person's Entra object id as the pseudonymous key that ties their ideas
together; their name becomes a pseudonym made from it, everything they wrote or were sent a
tombstone, and their diversity answers "prefer not to say".
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, cast

from bot.domain.errors import InvalidText
from bot.domain.legacy import is_imported_person
from bot.domain.moments import quoted
from bot.domain.organisation import is_object_id, normalise_object_id
from bot.domain.profile import PREFER_NOT

# The shape of the subject access document: raised whenever a section changes meaning.
EXPORT_VERSION = 1
TOMBSTONE = "[erased]"
PSEUDONYM_PREFIX = "Erased person "
# A name or contact shorter than this is not searched for in others' words: "Al" would take
# every "Also" with it.
SHORTEST_SEARCHED = 3
# Words of the person's own (a comment) are found in others' texts by their first characters,
# which survive a card that cuts them short; shorter words are erased where they are kept only.
OWN_WORDS_FOUND_BY = 24
SHORTEST_OWN_WORDS = 8


class Handling(StrEnum):
    """What a column holding personal data is to the person, which says how it is exported
    and how it is erased."""

    IDENTIFIES = "identifies"
    NAME = "name"
    CONTACT = "contact"
    ANSWER = "answer"
    CONSENT = "consent"
    OWN_TEXT = "own_text"
    SENT_TO_THEM = "sent_to_them"
    MENTIONS = "mentions"
    DERIVED = "derived"
    STATE = "state"
    KEPT = "kept"

    @property
    def exported(self) -> str:
        return _EXPORTED[self]

    @property
    def erased(self) -> str:
        return _ERASED[self]


_EXPORTED = {
    Handling.IDENTIFIES: "finds their rows; exported with them",
    Handling.NAME: "exported with their rows",
    Handling.CONTACT: "exported with their rows",
    Handling.ANSWER: "exported with their rows (their profile, the snapshot on each idea)",
    Handling.CONSENT: "exported with their rows",
    Handling.OWN_TEXT: "exported with their rows",
    Handling.SENT_TO_THEM: "every message to them, the whole card",
    Handling.MENTIONS: "listed under mentions where it names them",
    Handling.DERIVED: "not exported: made from the text beside it",
    Handling.STATE: "exported with their rows",
    Handling.KEPT: "exported with their rows",
}

_ERASED = {
    Handling.IDENTIFIES: "kept: the pseudonymous key of their ideas",
    Handling.NAME: "replaced with the pseudonym",
    Handling.CONTACT: "cleared",
    Handling.ANSWER: "replaced with \"prefer not to say\"",
    Handling.CONSENT: "withdrawn (false)",
    Handling.OWN_TEXT: "replaced with the tombstone",
    Handling.SENT_TO_THEM: "replaced with the tombstone in what was sent to them (what was "
                           "not sent yet is called off); scrubbed as a mention in the rest",
    Handling.MENTIONS: "their name and e-mail replaced with the pseudonym, a text quoting "
                       "their own words with the tombstone",
    Handling.DERIVED: "made again (or left to be) when the text beside it is scrubbed",
    Handling.STATE: "deleted with its row",
    Handling.KEPT: "kept as it is: it says nothing of them once the rest is gone",
}

# What each kind of column becomes on the person's own rows (None: cleared).
ERASED_VALUE: Mapping[Handling, object] = {
    Handling.CONTACT: None,
    Handling.ANSWER: PREFER_NOT,
    Handling.CONSENT: False,
    Handling.OWN_TEXT: TOMBSTONE,
    Handling.SENT_TO_THEM: TOMBSTONE,
}
# A card column's tombstone: still a JSON object, as the column requires.
TOMBSTONE_CARD: Mapping[str, object] = {"erased": True}


def person_id(text: str) -> str:
    """The object id a request names: an Entra object id (a GUID), or an imported
    contributor's; InvalidText for anything else."""
    value = normalise_object_id(text)
    if is_object_id(value) or (is_imported_person(value) and len(value) <= 64):
        return value
    raise InvalidText("aad_id", f"{quoted(text)} is not an Entra object id: give the person's "
                                "object id, a GUID such as 7faf8ab2-3d56-4244-b585-20c8a42ed2b8.")


def pseudonym_of(object_id: str) -> str:
    """The name an erased person goes by from then on: the same for every run, so erasing
    twice changes nothing, and no more telling than the object id the rows keep."""
    digest = hashlib.sha256(object_id.strip().lower().encode()).hexdigest()
    return PSEUDONYM_PREFIX + digest[:8].upper()


@dataclass(frozen=True, slots=True)
class Scrubber:
    """Takes a person out of the words of others: their names become the pseudonym, their
    contacts the tombstone, and a text quoting words of their own is the tombstone whole."""

    pseudonym: str
    names: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    own_words: tuple[str, ...] = ()
    # Their names someone else has too: searching for them would erase that person as well.
    shared: tuple[str, ...] = ()

    @classmethod
    def of(cls, pseudonym: str, names: Iterable[str | None], contacts: Iterable[str | None],
           own_texts: Iterable[str | None], others: Iterable[str] = ()) -> Scrubber:
        """Only what can be told apart from ordinary words and from other people is searched
        for: nothing short, no name of someone else's (`others`), and never the pseudonym or
        the tombstone a previous erasure left."""
        left = {pseudonym.casefold(), TOMBSTONE.casefold()}
        taken = {name.strip().casefold() for name in others}

        def kept(values: Iterable[str | None], shortest: int) -> tuple[str, ...]:
            found = {v.strip() for v in values if v and len(v.strip()) >= shortest}
            found = {v for v in found if v.casefold() not in left}
            return tuple(sorted(found, key=lambda v: (-len(v), v)))

        fragments = [" ".join(text.split())[:OWN_WORDS_FOUND_BY] for text in own_texts if text]
        named = kept(names, SHORTEST_SEARCHED)
        return cls(pseudonym, tuple(n for n in named if n.casefold() not in taken),
                   kept(contacts, SHORTEST_SEARCHED), kept(fragments, SHORTEST_OWN_WORDS),
                   tuple(n for n in named if n.casefold() in taken))

    @property
    def empty(self) -> bool:
        return not (self.names or self.contacts or self.own_words)

    def needles(self) -> tuple[str, ...]:
        """What a database search looks for, as plain text and as a JSON document writes it
        (non-ASCII and quotes escaped), each lower-cased too."""
        found: set[str] = set()
        for value in (*self.names, *self.contacts, *self.own_words):
            for form in (value, json.dumps(value)[1:-1]):
                found |= {form, form.lower()}
        return tuple(sorted(found))

    def text(self, value: str) -> str:
        """`value` without the person in it."""
        folded = " ".join(value.split()).casefold()
        if any(words.casefold() in folded for words in self.own_words):
            return TOMBSTONE
        for name in self.names:
            value = re.sub(re.escape(name), lambda _: self.pseudonym, value,
                           flags=re.IGNORECASE)
        for contact in self.contacts:
            value = re.sub(re.escape(contact), lambda _: TOMBSTONE, value, flags=re.IGNORECASE)
        return value

    def document(self, value: object) -> object:
        """A JSON value with every text in it scrubbed (keys are the card's, left alone)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.document(each) for each in cast("list[object]", value)]
        if isinstance(value, dict):
            return {key: self.document(each)
                    for key, each in cast("dict[str, object]", value).items()}
        return value


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure changed: rows by table (and column where it scrubbed words)."""

    pseudonym: str
    changed: dict[str, int] = field(default_factory=dict[str, int])
    # Their names left in others' words, because someone else has them too: for review.
    shared_names: tuple[str, ...] = ()

    @property
    def nothing(self) -> bool:
        return not any(self.changed.values())


def jsonable(value: Any) -> Any:
    """A stored value as a JSON document holds it: moments and days in ISO 8601, bytes in
    base64, a JSON column as it is."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in cast("dict[object, object]", value).items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in cast("list[object]", value)]
    return value


def subject_access_document(object_id: str, made_at: datetime,
                            sections: Mapping[str, object]) -> dict[str, Any]:
    """Everything held about a person as one JSON document: its version and when it was made
    first, then each section as storage found it."""
    return {"version": EXPORT_VERSION, "made_at": made_at.isoformat(),
            "aad_object_id": object_id, **{name: jsonable(held)
                                           for name, held in sections.items()}}
