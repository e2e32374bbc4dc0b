"""Campaigns: the PMO's themed calls for ideas, their rules and who they are meant to reach.

A campaign is created as a draft; later moves schedule, open, close or cancel it. Every rule a
new campaign must keep lives here, each in one place, and a refusal lists every problem found.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import TypeGuard

from bot.domain.errors import DomainError, InvalidText
from bot.domain.ideas import add_months, day_words
from bot.domain.organisation import is_object_id, normalise_object_id
from bot.domain.text import clean_text

NAME_LIMIT = 80
THEME_LIMIT = 80
# The call card carries the description; Teams refuses a message over about 28 KB, so the
# description stays far below that whatever else the card holds.
DESCRIPTION_LIMIT = 2000
# A call for ideas runs for weeks: one closing beyond this many months is a slip of the year.
HORIZON_MONTHS = 36
QUESTION_LIMIT = 200
MAX_QUESTIONS = 3
IMAGE_URL_LIMIT = 1000
# A file audience names at most this many people (the force is about 12,000), each on a line
# of at most this many characters: reading stays bounded whatever a file holds.
MAX_FILE_LINES = 50_000
MAX_LINE_LENGTH = 200
MAX_FILE_BYTES = MAX_FILE_LINES * (MAX_LINE_LENGTH + 2)
# How many wrong lines of a file are named; the rest are counted.
WRONG_LINES_SHOWN = 10
KEY_LIMIT = 40
_AUDIENCE_TEXT_LIMIT = 400
_CHANNEL = re.compile(r"^19:[A-Za-z0-9._@:-]{1,380}$")
_PORTFOLIO = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_NOT_KEY = re.compile(r"[^a-z0-9]+")
_KEY = re.compile(rf"^[a-z0-9][a-z0-9-]{{0,{KEY_LIMIT - 1}}}$")
_HEADERS = frozenset({"object_id", "objectid", "id", "entra object id", "entra_object_id"})


class CampaignState(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


# Before its call is sent, a campaign may be previewed, edited and sent.
UNSENT_STATES = (CampaignState.DRAFT, CampaignState.SCHEDULED)


class AudienceKind(StrEnum):
    EVERYONE = "everyone"
    CHANNEL = "channel"
    CHANGE_AGENTS = "change-agents"
    PORTFOLIO = "portfolio"
    FILE = "file"


class InvalidCampaign(DomainError):
    """A campaign cannot be created as given; `problems` names every mistake, kindly."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a campaign's call goes to: everyone with the app, one team channel (by its Teams
    conversation id), the change agents, one portfolio's SPOCs and deputies (the bot holds no
    department membership), or the Entra object ids listed in a file (`members`)."""

    kind: AudienceKind
    target: str = ""
    members: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.target}" if self.target else self.kind.value

    def with_members(self, lines: Iterable[str]) -> Audience:
        """This file audience with the ids read from the file's lines (see `object_ids`)."""
        return replace(self, members=object_ids(lines, self.target))


def parse_audience(text: str) -> Audience:
    """`everyone`, `channel:ID`, `change-agents`, `portfolio:KEY` or `file:PATH.csv`.

    A file audience comes back without members: the caller reads the file and adds them with
    `Audience.with_members`."""
    spec = text.strip()
    if len(spec) > _AUDIENCE_TEXT_LIMIT:
        raise InvalidCampaign([f"The audience is {len(spec):,} characters long; it cannot be "
                               f"over {_AUDIENCE_TEXT_LIMIT}."])
    kind_text, _, target = spec.partition(":")
    kind_text, target = kind_text.strip().lower(), target.strip()
    if kind_text in (AudienceKind.EVERYONE, AudienceKind.CHANGE_AGENTS) and not target:
        return Audience(AudienceKind(kind_text))
    if kind_text == AudienceKind.CHANNEL and _CHANNEL.match(target):
        return Audience(AudienceKind.CHANNEL, target)
    if kind_text == AudienceKind.PORTFOLIO and _PORTFOLIO.match(target):
        return Audience(AudienceKind.PORTFOLIO, target)
    if kind_text == AudienceKind.FILE and target.lower().endswith(".csv"):
        return Audience(AudienceKind.FILE, target)
    raise InvalidCampaign([_audience_hint(kind_text, spec)])


def _audience_hint(kind: str, spec: str) -> str:
    shown = spec if len(spec) <= 60 else spec[:57] + "..."
    hints: dict[str, str] = {
        AudienceKind.CHANNEL: " A channel is named by its Teams id, like "
                              "channel:19:abc@thread.tacv2.",
        AudienceKind.PORTFOLIO: " A portfolio is named by its key, like portfolio:crime.",
        AudienceKind.FILE: " A file of Entra object ids must be a .csv file, like "
                           "file:people.csv.",
    }
    why = hints.get(kind, "")
    return (f"The audience {shown!r} is not one the portal knows.{why} Choose everyone, "
            "channel:ID, change-agents, portfolio:KEY or file:PATH.csv.")


def object_ids(lines: Iterable[str], source: str = "the file") -> tuple[str, ...]:
    """The Entra object ids of a CSV file's lines: the first column of each, blank lines and a
    header skipped, repeats kept once. Raise naming the wrong lines (the first few)."""
    found: dict[str, None] = {}
    wrong: list[str] = []
    wrong_count = 0
    for number, line in enumerate(lines, start=1):
        if number > MAX_FILE_LINES:
            raise InvalidCampaign([f"{source} has more than {MAX_FILE_LINES:,} lines; an "
                                   "audience file names at most that many people."])
        if len(line) > MAX_LINE_LENGTH:
            cell, problem = "", f"line {number} is {len(line):,} characters long"
        else:
            cell = line.split(",", 1)[0].strip().strip('"').strip()
            problem = "" if not cell or is_object_id(cell) else (
                f"line {number}: {cell[:60]!r} is not an Entra object id (a GUID)")
        if problem and number == 1 and cell.lower() in _HEADERS:
            continue
        if problem:
            wrong_count += 1
            if len(wrong) < WRONG_LINES_SHOWN:
                wrong.append(problem)
        elif cell:
            found[normalise_object_id(cell)] = None
    if wrong:
        more = wrong_count - len(wrong)
        tail = [f"... and {more:,} more wrong line(s)."] if more else []
        raise InvalidCampaign([f"{source}: {w}." for w in wrong] + tail)
    if not found:
        raise InvalidCampaign([f"{source} names nobody: put one Entra object id on each line."])
    return tuple(found)


@dataclass(frozen=True, slots=True)
class CampaignRequest:
    """What the PMO asks for, as typed: checked by `check_request` before anything is kept."""

    name: str
    theme: str
    description: str
    opens: date
    closes: date
    audience: Audience
    questions: tuple[str, ...] = ()
    image_url: str | None = None
    # Remind the audience two days before it closes (the reminder job comes later).
    remind_before_close: bool = False


@dataclass(frozen=True, slots=True)
class Campaign:
    """A campaign as kept; once sent, when, by whom and to how many recipients."""

    id: int
    key: str
    name: str
    theme: str
    description: str
    questions: tuple[str, ...]
    opens: date
    closes: date
    audience: Audience
    image_url: str | None
    state: CampaignState
    created_by: str
    created_at: datetime
    remind_before_close: bool = False
    sent_at: datetime | None = None
    sent_by: str | None = None
    recipients: int | None = None
    # Scheduled: when its call goes, and who asked; reminded: when the reminder was queued.
    scheduled_at: datetime | None = None
    scheduled_by: str | None = None
    reminded_at: datetime | None = None

    def takes_ideas(self, day: date) -> bool:
        """Whether an idea submitted on `day` (UK) answers this call: it has been sent and
        `day` is within its opening and closing days."""
        return self.state is CampaignState.OPEN and self.opens <= day <= self.closes


def is_campaign_key(value: object) -> TypeGuard[str]:
    """Whether `value` could be a campaign's key (as a call card's button carries it)."""
    return isinstance(value, str) and _KEY.fullmatch(value) is not None


def not_taking_ideas(campaign: Campaign | None, day: date) -> str:
    """Why ideas cannot answer `campaign` on `day` (None: no campaign by that key), in a few
    words for the person who wanted to; the caller says what happens instead."""
    if campaign is None:
        return "That call for ideas is no longer running"
    name = campaign.name
    if campaign.state is CampaignState.CANCELLED:
        return f"The call for ideas on {name} was called off"
    if campaign.state is CampaignState.CLOSED or day > campaign.closes:
        when = f" on {day_words(campaign.closes)}" if campaign.closes < day else ""
        return f"The call for ideas on {name} closed{when}"
    return f"The call for ideas on {name} opens on {day_words(campaign.opens)}"


def check_request(request: CampaignRequest, today: date,
                  portfolios: Collection[str] | None = None) -> CampaignRequest:
    """The request with its text cleaned, or InvalidCampaign listing every rule it breaks.

    `portfolios`: the keys of the organisation's portfolios, when it is loaded."""
    problems: list[str] = []

    def text(value: str, label: str, limit: int) -> str:
        try:
            return clean_text(value, field=label, label=label, limit=limit)
        except InvalidText as error:
            problems.append(str(error))
            return ""

    name = text(request.name, "The campaign's name", NAME_LIMIT)
    theme = text(request.theme, "The theme", THEME_LIMIT)
    description = text(request.description, "The description", DESCRIPTION_LIMIT)
    questions = _check_questions(request.questions, problems)
    if request.opens < today:
        problems.append(f"The campaign would open on {request.opens:%d %B %Y}, which has "
                        "passed. Please choose today or a later day.")
    horizon = add_months(today, HORIZON_MONTHS)
    if request.closes > horizon:
        problems.append(f"The campaign would close on {request.closes:%d %B %Y}, more than "
                        f"three years away. Please choose a day by {horizon:%d %B %Y}.")
    if request.closes < request.opens:
        problems.append(f"The campaign would close on {request.closes:%d %B %Y}, before it "
                        f"opens on {request.opens:%d %B %Y}. Please choose a later closing day.")
    image = _check_image(request.image_url, problems)
    audience = request.audience
    if audience.kind is AudienceKind.FILE and not audience.members:
        problems.append("The audience file names nobody.")
    if (audience.kind is AudienceKind.PORTFOLIO and portfolios is not None
            and audience.target not in portfolios):
        problems.append(f"There is no portfolio {audience.target!r}; the portfolios are "
                        f"{', '.join(sorted(portfolios)) or 'not set up yet'}.")
    if problems:
        raise InvalidCampaign(problems)
    return replace(request, name=name, theme=theme, description=description,
                   questions=questions, image_url=image)


def _check_questions(questions: tuple[str, ...], problems: list[str]) -> tuple[str, ...]:
    if len(questions) > MAX_QUESTIONS:
        problems.append(f"A campaign asks at most {MAX_QUESTIONS} questions of its own; "
                        f"this one has {len(questions)}.")
        return ()
    cleaned: list[str] = []
    for number, question in enumerate(questions, start=1):
        try:
            cleaned.append(clean_text(question, field="question", label=f"Question {number}",
                                      limit=QUESTION_LIMIT))
        except InvalidText as error:
            problems.append(str(error))
    return tuple(cleaned)


def _check_image(url: str | None, problems: list[str]) -> str | None:
    if url is None or not url.strip():
        return None
    url = url.strip()
    if len(url) > IMAGE_URL_LIMIT:
        problems.append(f"The image address is {len(url):,} characters long; the limit is "
                        f"{IMAGE_URL_LIMIT:,}.")
    elif not url.lower().startswith("https://") or len(url) == len("https://") or any(
            c.isspace() for c in url):
        problems.append("The image address must be a secure web address starting with "
                        "https://, so that Teams shows it.")
    return url


def key_for(name: str, taken: Iterable[str]) -> str:
    """A short key for a campaign named `name` (ideas are tagged with it), unlike any taken."""
    base = _NOT_KEY.sub("-", name.lower()).strip("-")[:KEY_LIMIT - 5].strip("-") or "campaign"
    used = set(taken)
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base}-{n}"
    return key
