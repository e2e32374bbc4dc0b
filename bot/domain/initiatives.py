"""The PMO's register of known initiatives: change work under way and capabilities that exist,
searched beside ideas so that "in progress already" and "already exists" show before anyone
submits an idea the force has already.

Each field's rule lives here once, for the form card and for an imported register alike; a
refusal lists every problem, each said for the person who will put it right. References
(INI-0001) are given by the store.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple
from urllib.parse import urlsplit

from bot.domain.errors import DomainError, InvalidText
from bot.domain.legacy import Problem, numbered_records, read_header, slug, words_of
from bot.domain.moments import quoted
from bot.domain.similar import query_of
from bot.domain.text import clean_text

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 2000
CONTACT_LIMIT = 200
LINK_LIMIT = 500
SOURCE_KEY_LIMIT = 64
# A register is a few hundred entries; this leaves room for far more, and no more.
MAX_ROWS = 20_000
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_COLUMNS = 100
# A text this far past its limit is no register's: it is not read further.
_READ_MARGIN = 4
REFERENCE_PREFIX = "INI-"

# Where a check tells what is wrong: (the field, the message).
_Complaint = Callable[[str, str], None]


class Stage(StrEnum):
    """Where a known initiative stands: change work under way, or a capability that exists."""

    UNDER_WAY = "under_way"
    EXISTS = "exists"

    @property
    def label(self) -> str:
        return _LABELS[self]


# As people writing an idea read them beside a match (bot.domain.similar says them so too).
_LABELS = {Stage.UNDER_WAY: "Under way", Stage.EXISTS: "Exists already"}

# The words a register may use for each stage, as `words_of` reduces them (case, spacing and
# punctuation ignored): "In progress", "in-progress" and "IN PROGRESS" are one.
STAGE_WORDS: dict[str, Stage] = {
    **dict.fromkeys(("under way", "underway", "in progress", "progressing", "in flight",
                     "ongoing", "in development", "being delivered", "in delivery",
                     "being built", "planned", "pilot", "piloting", "trial", "in trial"),
                    Stage.UNDER_WAY),
    **dict.fromkeys(("exists", "exist", "existing", "already exists", "live", "in place",
                     "in use", "in service", "available", "delivered", "complete",
                     "completed", "done", "business as usual", "bau"), Stage.EXISTS),
}


class InvalidInitiative(DomainError):
    """An initiative cannot be kept as given; `problems` names every mistake, kindly."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class InitiativeForm:
    """An initiative as the PMO gave it, as text: from the form card, or a register's row.
    `stage`: a Stage's value or words such as "In progress"; `portfolio`: a portfolio's key
    or name, or nothing."""

    title: str = ""
    description: str = ""
    stage: str = ""
    portfolio: str = ""
    contact: str = ""
    link: str = ""


@dataclass(frozen=True, slots=True)
class InitiativeRequest:
    """A checked initiative: what the store keeps."""

    title: str
    description: str
    stage: Stage
    portfolio_key: str | None = None
    contact: str | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Initiative:
    """An initiative as kept. A retired one (`active` False) stays on record and is no longer
    matched."""

    id: int
    reference: str
    title: str
    description: str
    stage: Stage
    portfolio_key: str | None
    contact: str | None
    link: str | None
    active: bool
    source_key: str | None
    created_at: datetime
    updated_at: datetime
    updated_by: str

    @property
    def request(self) -> InitiativeRequest:
        return InitiativeRequest(title=self.title, description=self.description,
                                 stage=self.stage, portfolio_key=self.portfolio_key,
                                 contact=self.contact, link=self.link)

    @property
    def searched_text(self) -> str:
        """What it is matched on, as an idea is on its title and problem."""
        return query_of(self.title, self.description)


def format_reference(number: int) -> str:
    return f"{REFERENCE_PREFIX}{number:04d}"


def form_of(initiative: Initiative) -> InitiativeForm:
    """The form filled in with `initiative` as it is, for Edit."""
    return InitiativeForm(title=initiative.title, description=initiative.description,
                          stage=initiative.stage.value, portfolio=initiative.portfolio_key or "",
                          contact=initiative.contact or "", link=initiative.link or "")


def check_form(form: InitiativeForm, portfolios: Mapping[str, str]) -> InitiativeRequest:
    """The initiative the form asks for, its text cleaned, or InvalidInitiative listing every
    rule it breaks. `portfolios`: the organisation's portfolios, name by key."""
    problems: list[str] = []
    request = _checked(form, portfolios, lambda _field, message: problems.append(message))
    if problems or request is None:
        raise InvalidInitiative(problems)
    return request


def parse_stage(text: str) -> Stage | None:
    """The stage `text` names (a value, or words such as "In progress" or "Live"); None if
    it names none."""
    return STAGE_WORDS.get(words_of(text[:100]))


def _checked(form: InitiativeForm, portfolios: Mapping[str, str],
             problem: _Complaint) -> InitiativeRequest | None:
    """The checked request, or None with each problem told to `problem` (field, message)."""

    def text(value: str, name: str, label: str, limit: int, required: bool) -> str:
        try:
            return clean_text(value, field=name, label=label, limit=limit, required=required)
        except InvalidText as error:
            problem(name, str(error))
            return ""

    title = text(form.title, "title", "The title", TITLE_LIMIT, True)
    description = text(form.description, "description", "The description", DESCRIPTION_LIMIT,
                       True)
    stage = _stage(form.stage, problem)
    portfolio = _portfolio(form.portfolio, portfolios, problem)
    contact = text(form.contact, "contact", "The contact", CONTACT_LIMIT, False)
    link = _link(form.link, problem)
    if not title or not description or stage is None or portfolio is None or link is None:
        return None
    return InitiativeRequest(title=title, description=description, stage=stage,
                             portfolio_key=portfolio or None, contact=contact or None,
                             link=link or None)


def _stage(text: str, problem: _Complaint) -> Stage | None:
    if not text.strip():
        problem("stage", "Please say whether it is under way or exists already.")
        return None
    stage = parse_stage(text)
    if stage is None:
        problem("stage", f"{quoted(text.strip()[:60])} is not a stage: write Under way (or In "
                         "progress) for change work, or Exists (or Live) for a capability "
                         "the force has.")
    return stage


def _portfolio(text: str, portfolios: Mapping[str, str], problem: _Complaint) -> str | None:
    """The key of the portfolio `text` names by key or name ("" for none); None when it
    names none the organisation has."""
    given = text.strip()
    if not given:
        return ""
    if given in portfolios:
        return given
    by_words = {slug(key): key for key in portfolios} | {slug(name): key
                                                        for key, name in portfolios.items()}
    found = by_words.get(slug(given[:200]))
    if found is not None:
        return found
    known = ", ".join(sorted(portfolios.values())) or "none yet: the organisation is not loaded"
    problem("portfolio", f"There is no portfolio {quoted(given[:60])}; the portfolios are "
                         f"{known}.")
    return None


def _link(text: str, problem: _Complaint) -> str | None:
    """The link cleaned ("" for none); None when it is not a secure web address."""
    link = text.strip()
    if not link:
        return ""
    if len(link) > LINK_LIMIT:
        problem("link", f"The link is {len(link):,} characters long; the limit is "
                        f"{LINK_LIMIT:,}.")
        return None
    try:
        parts = urlsplit(link)
        secure = (parts.scheme.lower() == "https" and bool(parts.hostname)
                  and not any(c.isspace() or ord(c) < 32 for c in link))
    except ValueError:
        secure = False
    if not secure:
        problem("link", "The link must be a secure web address starting with https://, such "
                        "as https://intranet.example.police.uk/projects/bwv.")
        return None
    return link


# Reading a register exported to CSV (`iip initiatives import`).

class Column(StrEnum):
    """A register's columns, by their headers (case and spacing aside)."""

    ID = "ID"
    TITLE = "Title"
    DESCRIPTION = "Description"
    STAGE = "Stage"
    PORTFOLIO = "Portfolio"
    CONTACT = "Contact"
    LINK = "Link"


REQUIRED_COLUMNS = (Column.ID, Column.TITLE, Column.DESCRIPTION, Column.STAGE)
_FIELD_COLUMNS = {"title": Column.TITLE, "description": Column.DESCRIPTION,
                  "stage": Column.STAGE, "portfolio": Column.PORTFOLIO,
                  "contact": Column.CONTACT, "link": Column.LINK}


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One valid row: its row number, its ID in the register, and the initiative it holds."""

    row: int
    source_key: str
    initiative: InitiativeRequest


class _Read(NamedTuple):
    number: int
    source_key: str
    problems: list[Problem]
    row: RegisterRow | None


@dataclass(slots=True)
class Register:
    """A register file, checked: its valid rows in file order, and every problem (a problem
    with no row is the file's: nothing of it can be imported)."""

    rows: list[RegisterRow] = field(default_factory=list[RegisterRow])
    problems: list[Problem] = field(default_factory=list[Problem])
    rejected: int = 0

    @property
    def readable(self) -> bool:
        return all(problem.row is not None for problem in self.problems)


def check_register(lines: Iterable[str], portfolios: Mapping[str, str]) -> Register:
    """Read and check every row of a register's CSV text (opened without newline translation,
    the byte-order mark removed): headers Title, Description, Stage, Portfolio, Contact, Link
    and ID, in any order and case; every row needs an ID of its own, by which importing again
    updates it rather than adding it twice."""
    register = Register()
    records = csv.reader(lines)
    header = read_header(records, register.problems)
    if header is None:
        return register
    positions = _positions(header, register)
    if not register.readable:
        return register
    read: list[_Read] = []
    for number, values in numbered_records(records, register.problems, MAX_ROWS):
        row_problems: list[Problem] = []
        row = _row(number, values, header, positions, portfolios, row_problems)
        position = positions[Column.ID]
        given = values[position].strip() if position < len(values) else ""
        read.append(_Read(number, given, row_problems, row))
    _refuse_repeated_ids(read)
    for _number, _given, row_problems, row in read:
        if row_problems:
            register.problems += row_problems
            register.rejected += 1
        elif row is not None:
            register.rows.append(row)
    return register


def _positions(header: list[str], register: Register) -> dict[Column, int]:
    if len(header) > MAX_COLUMNS:
        register.problems.append(Problem(None, None, f"the header has {len(header):,} "
                                                     f"columns; a register has {len(Column)}."))
        return {}
    by_words = {words_of(column.value): column for column in Column}
    positions: dict[Column, int] = {}
    repeated: list[str] = []
    for index, name in enumerate(header):
        column = by_words.get(words_of(name[:100]))
        if column is not None and column in positions:
            repeated.append(column.value)
        elif column is not None:
            positions[column] = index
    missing = [column.value for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        register.problems.append(Problem(None, None, f"the header has no "
                                         f"{', '.join(map(quoted, missing))} column; a register "
                                         f"names its columns in its first row: "
                                         f"{', '.join(c.value for c in Column)}."))
    if repeated:
        register.problems.append(Problem(None, None, f"the header names "
                                         f"{', '.join(map(quoted, repeated))} more than once."))
    return positions


def _row(number: int, values: list[str], header: list[str], positions: Mapping[Column, int],
         portfolios: Mapping[str, str], problems: list[Problem]) -> RegisterRow | None:
    if len(values) > len(header) and any(value.strip() for value in values[len(header):]):
        problems.append(Problem(number, None, f"it has {len(values)} values but the header "
                                              f"names {len(header)} columns."))
        return None

    def raw(column: Column, limit: int) -> str:
        position = positions.get(column)
        value = values[position] if position is not None and position < len(values) else ""
        if len(value) > limit * _READ_MARGIN:
            problems.append(Problem(number, column.value, f"{len(value):,} characters long; "
                                                          f"at most {limit:,} are taken."))
            return ""
        return value

    source_key = raw(Column.ID, SOURCE_KEY_LIMIT).strip()
    if not source_key:
        problems.append(Problem(number, Column.ID.value, "it is empty; every row needs an ID "
                                "of its own, so that importing again updates it."))
    elif len(source_key) > SOURCE_KEY_LIMIT:
        problems.append(Problem(number, Column.ID.value, f"{len(source_key)} characters long; "
                                                         f"an ID has at most {SOURCE_KEY_LIMIT}."))
    form = InitiativeForm(
        title=raw(Column.TITLE, TITLE_LIMIT), description=raw(Column.DESCRIPTION,
                                                              DESCRIPTION_LIMIT),
        stage=raw(Column.STAGE, 100), portfolio=raw(Column.PORTFOLIO, 200),
        contact=raw(Column.CONTACT, CONTACT_LIMIT), link=raw(Column.LINK, LINK_LIMIT))
    request = _checked(form, portfolios, lambda name, message: problems.append(
        Problem(number, _FIELD_COLUMNS[name].value, message)))
    if problems or request is None:
        return None
    return RegisterRow(number, source_key, request)


def _refuse_repeated_ids(read: list[_Read]) -> None:
    """Every row whose ID another row has too is refused, whatever else is wrong with either:
    which of them the register means cannot be told."""
    rows_of: dict[str, list[int]] = defaultdict(list)
    for entry in read:
        if entry.source_key:
            rows_of[entry.source_key].append(entry.number)
    for entry in read:
        same = rows_of.get(entry.source_key, [])
        if len(same) > 1:
            others = ", ".join(str(n) for n in same if n != entry.number)
            entry.problems.append(Problem(
                entry.number, Column.ID.value, f"ID {quoted(entry.source_key[:60])} is on row "
                f"{others} too; every initiative of the register has its own."))
