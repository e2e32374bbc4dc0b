"""Who may find an idea by searching, as the PMO changes it: publish, hide, or give it a public
title in place of its own (a redaction), from the PMO's idea card or the command line.

Pure: the rules and the parsing of the card's press; bot.services.visibility applies them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.asked import Asked
from bot.domain.errors import InvalidText, Malformed
from bot.domain.moves import CHOICE_LIMIT, FAR_BEYOND, MISSING, NO_SUCH_IDEA, record_id
from bot.domain.similar import Visibility
from bot.domain.text import clean_text

# A public title stands in for the idea's own in colleagues' searches: as short as a title.
PUBLIC_TITLE_LIMIT = 200
# The ids of the card's inputs.
CHOICE_INPUT = "visibility.choice"
TITLE_INPUT = "visibility.public_title"

# What each setting means, in the PMO's words.
MEANINGS = {
    Visibility.SHARED: "Colleagues may find it by searching: its reference, title, status and "
                       "outcome, never its contributor's name.",
    Visibility.PRIVATE: "Matched for staff only: its contributor kept it private, or it came "
                        "before searching began.",
    Visibility.HIDDEN: "Hidden by the PMO team: colleagues' searches never find it.",
}
NAMES = {Visibility.SHARED: "Shared", Visibility.PRIVATE: "Private",
         Visibility.HIDDEN: "Hidden"}


@dataclass(frozen=True, slots=True)
class Findability:
    """An idea's setting: who may find it, and the title colleagues see (None: its own)."""

    visibility: Visibility
    public_title: str | None = None

    @property
    def state(self) -> str:
        """A short token of the setting, which a card carries, so that a press on a card
        showing an older setting changes nothing."""
        text = f"{self.visibility.value}\n{self.public_title or ''}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def title_for_colleagues(self, own_title: str) -> str:
        return self.public_title or own_title


@dataclass(frozen=True, slots=True)
class ChangeFindability(Asked):
    """The PMO's confirm on an idea card: the idea, the setting the card showed (`shown`, a
    state token) and the setting chosen (`visibility` None: the card sent none it offers).
    `public_title` is the text as sent ("" or None: the idea's own title)."""

    idea_id: int
    shown: str
    visibility: Visibility | None
    public_title: str | None


def parse_change(data: Mapping[str, object]) -> ChangeFindability:
    """The press the confirm button's data describes; Malformed for anything no card sends."""
    idea_id = record_id(data.get("idea"))
    shown = data.get("shown")
    if idea_id is None or not isinstance(shown, str) or len(shown) > CHOICE_LIMIT:
        raise Malformed(MISSING if data.get("idea") is None else NO_SUCH_IDEA)
    chosen = data.get(CHOICE_INPUT)
    title = data.get(TITLE_INPUT)
    if title is not None and (not isinstance(title, str)
                              or len(title) > FAR_BEYOND * PUBLIC_TITLE_LIMIT):
        raise Malformed("That public title is not one a card sends. Nothing changed.")
    visibility = next((v for v in Visibility if v.value == chosen), None)
    return ChangeFindability(idea_id, shown, visibility, title)


def public_title(text: str | None) -> str | None:
    """A public title as the PMO gives it, cleaned; None for none (its own title is shown).
    InvalidText when it is too long."""
    if text is None or not text.strip():
        return None
    cleaned = clean_text(text, field="public_title", label="The public title",
                         limit=PUBLIC_TITLE_LIMIT)
    return " ".join(cleaned.split())  # one line, as a title is shown


def changed(before: Findability, visibility: Visibility | None,
            title: str | None) -> Findability:
    """The setting after the PMO's change: `visibility` None keeps the one it has. InvalidText
    for a public title that cannot be used."""
    if visibility is None:
        raise InvalidText("visibility", "Please choose who may find it.")
    return Findability(visibility, public_title(title))


def describe(setting: Findability, own_title: str) -> str:
    """The setting in a line, for the PMO's card and the command line."""
    words = MEANINGS[setting.visibility]
    if setting.public_title and setting.visibility is Visibility.SHARED:
        return f"{words} Shown as: {setting.title_for_colleagues(own_title)}"
    return words
