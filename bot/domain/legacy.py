"""The SharePoint list the force kept before the bot, read and checked row by row before any of
it is imported (`iip import sharepoint`).

Every row is checked and every problem is collected with its row and column, so that the whole
file can be put right in one go. The reading is bounded: the file's size, the number of rows,
the length of each field and of each row are capped (below), and each pattern runs in time
linear in its (capped) text. Dates are UK local time (Europe/London) unless they name an
offset: a time that happened twice when the clocks went back is read as the first (summer
time); a time that never happened when they went forward is read as the clock still showed it
(GMT), an hour before the summer time that followed.
"""

from __future__ import annotations

import csv
import hashlib
import re
import tomllib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.domain.errors import InvalidText
from bot.domain.ideas import (
    LONDON,
    DeclineReason,
    HistoryEntry,
    Status,
    find_reference,
    update_due,
)
from bot.domain.moments import EARLIEST_YEAR, LATEST_YEAR, quoted
from bot.domain.profile import (
    FUNCTIONS,
    GRADES,
    NOT_RECORDED,
    PREFER_NOT,
    PREFER_NOT_LABEL,
    ROLE_TYPES,
    Profile,
)
from bot.domain.similar import Visibility
from bot.domain.text import clean_text

# The caps. A SharePoint export of the force's list is a few hundred kilobytes; these leave
# room for a hundred thousand full rows (86 MB of them took 293 MB to check) and no more.
MAX_FILE_BYTES = 128 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 100
MAX_ROW_CHARS = 128 * 1024  # every field of a row together
LONG_TEXT_LIMIT = 32_000  # Problem, Proposal, Benefits
TITLE_LIMIT = 1_000  # the widened column; the live limit is intake's (120)
LIVE_TITLE_LIMIT = 120
NAME_LIMIT = 200
EMAIL_LIMIT = 320
ID_LIMIT = 40
PROFILE_LIMIT = 64
DATE_TEXT_LIMIT = 40
MAX_MAP_BYTES = 64 * 1024

# Who the history says made the imported moves.
ACTOR = "import:sharepoint"
# Imported contributors' object ids start so: an Entra object id is a GUID, never this.
IMPORTED_PERSON_PREFIX = "imported:"
# The retired category or portfolio for a row that names none.
NOT_RECORDED_NAME = "Not recorded"


class Column(StrEnum):
    """The list's columns, by their default headers (a map file may rename any)."""

    ID = "ID"
    TITLE = "Title"
    PROBLEM = "Problem"
    PROPOSAL = "Proposal"
    BENEFITS = "Benefits"
    CATEGORY = "Category"
    PORTFOLIO = "Portfolio"
    CAMPAIGN = "Campaign"
    STATUS = "Status"
    DUPLICATE_OF = "Duplicate Of"
    REVISIT_DATE = "Revisit Date"
    CREATED = "Created"
    CREATED_BY = "Created By"
    CREATED_BY_EMAIL = "Created By Email"
    FIRST_RESPONSE = "First Response"
    DECISION_DATE = "Decision Date"
    DEPARTMENT = "Department"
    FUNCTION = "Function"
    LOCATION = "Location"
    RANK_OR_GRADE = "Rank or Grade"
    ROLE_TYPE = "Role Type"


# Columns a row cannot be imported without; the others may be missing from the file.
REQUIRED_COLUMNS = (Column.ID, Column.TITLE, Column.STATUS, Column.CREATED)

# The status texts the list was kept with, as `words_of` reduces them (case, spacing and
# punctuation ignored): "Declined - In progress already" and "declined: in progress already"
# are both "declined in progress already".
STATUSES: dict[str, tuple[Status, DeclineReason | None]] = {
    "submitted": (Status.SUBMITTED, None),
    "business assessment": (Status.BUSINESS_ASSESSMENT, None),
    "escalated": (Status.ESCALATED, None),
    "approved": (Status.APPROVED, None),
    "delivered": (Status.DELIVERED, None),
    "deferred": (Status.DEFERRED, None),
    "declined in progress already": (Status.DECLINED, DeclineReason.IN_PROGRESS),
    "declined already exists": (Status.DECLINED, DeclineReason.ALREADY_EXISTS),
    "declined duplicate": (Status.DECLINED, DeclineReason.DUPLICATE),
    "declined not viable": (Status.DECLINED, DeclineReason.NOT_VIABLE),
    "withdrawn": (Status.WITHDRAWN, None),
}

# What the import's history calls the move to each status: the live moves' names, so that a
# report rebuilding past states reads it as it reads theirs.
DECISION_ACTIONS: dict[Status, str] = {
    Status.BUSINESS_ASSESSMENT: "allocate",
    Status.ESCALATED: "escalate",
    Status.APPROVED: "approve",
    Status.DELIVERED: "deliver",
    Status.DEFERRED: "defer",
    Status.DECLINED: "decline",
    Status.WITHDRAWN: "withdrawn",
}

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T,]+(\d{1,2})[:.](\d{2})(?::(\d{2}))?)?")


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a row (or, with no row, with the file), said for the person who
    will put it right."""

    row: int | None  # the record's number, the header being row 1
    column: str | None  # the header as written in the file
    message: str

    def __str__(self) -> str:
        where = "the file" if self.row is None else f"row {self.row}"
        return f"{where}, {self.column}: {self.message}" if self.column else \
            f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class LegacyIdea:
    """One valid row, read into the values an imported idea is made of."""

    row: int
    legacy_id: str
    title: str
    problem: str
    proposal: str
    benefit: str
    category: str  # the name (or key) as the list gives it
    portfolio: str
    campaign: str | None
    status: Status
    decline_reason: DeclineReason | None
    duplicate_of: str | None  # as given: a reference, or another row's ID
    revisit_on: date | None
    created_at: datetime  # timezone-aware
    created_by: str
    email: str | None
    first_response_at: datetime | None
    decided_on: datetime | None  # the list's Decision Date
    profile: Profile

    @property
    def decided_at(self) -> datetime | None:
        """When the history says its decision was made: the Decision Date, or the First
        Response where the list gave none; None for an idea still submitted."""
        if self.status is Status.SUBMITTED:
            return None
        return self.decided_on or self.first_response_at

    @property
    def year(self) -> int:
        """The year of its reference: the UK year it was created in."""
        return self.created_at.astimezone(LONDON).year

    @property
    def due_on(self) -> date:
        """The two-month promise's last day, by the rule live ideas follow."""
        return update_due(self.created_at)


@dataclass(frozen=True, slots=True)
class Rejected:
    """An invalid row as it was in the file, with every reason it was refused."""

    row: int
    values: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(slots=True)
class Checked:
    """The whole file, checked: the valid rows in Created order, every problem, and what is
    allowed but worth a look (notes)."""

    header: tuple[str, ...] = ()
    ideas: list[LegacyIdea] = field(default_factory=list[LegacyIdea])
    problems: list[Problem] = field(default_factory=list[Problem])
    notes: list[Problem] = field(default_factory=list[Problem])
    rejected: list[Rejected] = field(default_factory=list[Rejected])
    rows: int = 0

    @property
    def readable(self) -> bool:
        """Whether the file itself could be read (a problem with no row says it could not)."""
        return all(problem.row is not None for problem in self.problems)


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Which header of the file holds each column: the default header unless mapped."""

    headers: Mapping[Column, str] = field(default_factory=dict[Column, str])

    def header(self, column: Column) -> str:
        return self.headers.get(column, column.value)


def parse_map(text: str) -> ColumnMap:
    """A `--map` file: a [columns] table whose keys are the default headers and whose values
    are the file's own, such as `"Created By Email" = "Author e-mail"`. InvalidText, listing
    every mistake, when it is not one."""
    if len(text) > MAX_MAP_BYTES:
        raise InvalidText("map", "The map file is too long for a list of column names.")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidText("map", f"The map file is not TOML: {error}.") from None
    mistakes: list[str] = []
    unknown = sorted(set(document) - {"columns"})
    if unknown:
        mistakes.append(f"Only a [columns] table is read; {', '.join(map(quoted, unknown))} "
                        "is not known.")
    columns: Any = document.get("columns", {})
    if not isinstance(columns, dict):
        raise InvalidText("map", "[columns] must be a table of column = \"header\".")
    known = {column.value: column for column in Column}
    headers: dict[Column, str] = {}
    for key, value in columns.items():  # pyright: ignore[reportUnknownVariableType]
        name = str(key)  # pyright: ignore[reportUnknownArgumentType]
        if name not in known:
            mistakes.append(f"{quoted(name)} is not a column of the list; the columns are "
                            f"{', '.join(c.value for c in Column)}.")
        elif not isinstance(value, str) or not value.strip():
            mistakes.append(f"{name} must be mapped to a header, as text.")
        else:
            headers[known[name]] = value.strip()
    taken = Counter(headers.values())
    mistakes += [f"{quoted(header)} is mapped to more than one column."
                 for header, times in taken.items() if times > 1]
    if mistakes:
        raise InvalidText("map", " ".join(mistakes))
    return ColumnMap(headers)


def check_rows(lines: Iterable[str], columns: ColumnMap, now: datetime) -> Checked:
    """Read and check every row of the CSV text `lines` (opened without newline translation,
    a byte-order mark already removed): nothing is imported from it unless `problems` is
    empty, or the person asks to skip the rows in `rejected`."""
    checked = Checked()
    records = csv.reader(lines)
    header = read_header(records, checked.problems)
    if header is None:
        return checked
    positions = _positions(header, columns, checked)
    if not checked.readable:
        return checked
    checked.header = tuple(header)
    read: list[tuple[int, list[str], LegacyIdea | None, list[Problem]]] = []
    for number, values in numbered_records(records, checked.problems):
        row_problems: list[Problem] = []
        idea = _row(number, values, len(header), positions, columns, row_problems,
                    checked.notes, now)
        read.append((number, values, idea, row_problems))
    checked.rows = len(read)
    _refuse_duplicate_ids(read, positions, columns)
    for number, values, idea, row_problems in read:
        if row_problems:
            checked.problems += row_problems
            checked.rejected.append(Rejected(number, tuple(values),
                                             tuple(p.message for p in row_problems)))
        elif idea is not None:
            checked.ideas.append(idea)
    checked.ideas.sort(key=lambda idea: (idea.created_at, idea.row))
    return checked


def read_header(records: Iterator[list[str]], problems: list[Problem]) -> list[str] | None:
    """A CSV file's first record, its header; None, with why added to `problems` as the
    file's, when it cannot be read or the file is empty."""
    try:
        header = next(records, None)
    except csv.Error as error:
        problems.append(Problem(None, None, f"the header cannot be read ({error})."))
        return None
    if header is None:
        problems.append(Problem(None, None, "it is empty: it has no header."))
    return header


def numbered_records(records: Iterator[list[str]], problems: list[Problem],
                     max_rows: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """The records after the header with their row numbers (the header being row 1, as a
    spreadsheet numbers them), blank lines skipped, until `max_rows` (MAX_ROWS unless given)
    or an unreadable record ends the reading, which is then a problem of the file."""
    limit = MAX_ROWS if max_rows is None else max_rows
    number = 1
    while True:
        number += 1
        try:
            values = next(records)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(Problem(None, None, f"row {number} cannot be read "
                                                f"({error}); nothing after it was read."))
            return
        if number - 1 > limit:
            problems.append(Problem(None, None, f"it has more than {limit:,} rows; "
                                                "split it and import each part."))
            return
        if not any(value.strip() for value in values):
            continue  # a blank line between records (or a row of empty cells)
        yield number, values


def _positions(header: Sequence[str], columns: ColumnMap,
               checked: Checked) -> dict[Column, int]:
    """Where each column is in the header; problems of the file for what is missing."""
    if len(header) > MAX_COLUMNS:
        checked.problems.append(Problem(None, None, f"the header has {len(header):,} columns; "
                                                    f"a list export has at most {MAX_COLUMNS}."))
        return {}
    where = {name.strip(): index for index, name in reversed(list(enumerate(header)))}
    positions = {column: where[columns.header(column)] for column in Column
                 if columns.header(column) in where}
    missing = [columns.header(column) for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        checked.problems.append(Problem(
            None, None, f"the header has no {', '.join(map(repr, missing))} column: a list "
                        "export names them in its first row (or give --map to say which of "
                        "its columns they are)."))
    times = Counter(name.strip() for name in header)
    repeated = sorted(columns.header(column) for column in positions
                      if times[columns.header(column)] > 1)
    if repeated:
        checked.problems.append(Problem(None, None, f"the header names "
                                        f"{', '.join(map(repr, repeated))} more than once."))
    return positions


def _row(number: int, values: list[str], width: int, positions: Mapping[Column, int],
         columns: ColumnMap, problems: list[Problem], notes: list[Problem],
         now: datetime) -> LegacyIdea | None:
    """One record read into an idea, or None with its problems added to `problems`."""
    if len(values) > width and any(value.strip() for value in values[width:]):
        problems.append(Problem(number, None, f"it has {len(values)} values but the header "
                                              f"names {width} columns."))
        return None
    if sum(len(value) for value in values) > MAX_ROW_CHARS:
        problems.append(Problem(number, None, f"it is over {MAX_ROW_CHARS:,} characters "
                                              "long, far more than an idea holds."))
        return None
    reader = _Row(number, values, positions, columns, problems)
    legacy_id = reader.text(Column.ID, ID_LIMIT, required=True)
    title = reader.text(Column.TITLE, TITLE_LIMIT, required=True)
    status = reader.status()
    created = reader.moment(Column.CREATED, required=True)
    first_response = reader.moment(Column.FIRST_RESPONSE)
    decided = reader.moment(Column.DECISION_DATE)
    revisit = reader.moment(Column.REVISIT_DATE)
    if created is not None:
        first_response = reader.not_before(Column.FIRST_RESPONSE, first_response, created)
        decided = reader.not_before(Column.DECISION_DATE, decided, created)
        _check_order(reader, created, first_response, decided, now)
    texts = {column: reader.text(column, LONG_TEXT_LIMIT)
             for column in (Column.PROBLEM, Column.PROPOSAL, Column.BENEFITS)}
    names = {column: reader.text(column, NAME_LIMIT)
             for column in (Column.CATEGORY, Column.PORTFOLIO, Column.CAMPAIGN,
                            Column.CREATED_BY)}
    for column in (Column.CATEGORY, Column.PORTFOLIO, Column.CAMPAIGN):
        if names[column] and not slug(names[column]):
            reader.problem(column, f"{quoted(names[column])} has no letter or digit to make "
                                   "a key of.")
    duplicate_of, email, profile = (reader.text(Column.DUPLICATE_OF, ID_LIMIT), reader.email(),
                                    reader.profile())
    if problems or status is None or created is None:
        return None
    idea = LegacyIdea(
        row=number, legacy_id=legacy_id, title=title, problem=texts[Column.PROBLEM],
        proposal=texts[Column.PROPOSAL], benefit=texts[Column.BENEFITS],
        category=names[Column.CATEGORY] or NOT_RECORDED_NAME,
        portfolio=names[Column.PORTFOLIO] or NOT_RECORDED_NAME,
        campaign=names[Column.CAMPAIGN] or None, status=status[0], decline_reason=status[1],
        duplicate_of=duplicate_of or None,
        revisit_on=revisit.astimezone(LONDON).date() if revisit else None,
        created_at=created, created_by=names[Column.CREATED_BY], email=email,
        first_response_at=first_response, decided_on=decided, profile=profile,
    )
    _note(idea, columns, notes)
    return idea


def _check_order(reader: _Row, created: datetime, first_response: datetime | None,
                 decided: datetime | None, now: datetime) -> None:
    if created > now:
        reader.problem(Column.CREATED, "it is in the future.")
    for column, moment in ((Column.FIRST_RESPONSE, first_response),
                           (Column.DECISION_DATE, decided)):
        if moment is not None and moment < created:
            reader.problem(column, f"it is before the idea was created "
                                   f"({created.astimezone(LONDON):%d/%m/%Y %H:%M}).")
        elif moment is not None and moment > now:
            reader.problem(column, "it is in the future.")


def _note(idea: LegacyIdea, columns: ColumnMap, notes: list[Problem]) -> None:
    """What is allowed in a row but should be looked at."""
    if len(idea.title) > LIVE_TITLE_LIMIT:
        notes.append(Problem(idea.row, columns.header(Column.TITLE),
                             f"{len(idea.title):,} characters, longer than the "
                             f"{LIVE_TITLE_LIMIT} a new idea may have: kept whole."))
    if idea.status is Status.DEFERRED and idea.revisit_on is None:
        notes.append(Problem(idea.row, columns.header(Column.REVISIT_DATE),
                             "deferred without a revisit date: imported without one."))
    if idea.status is not Status.SUBMITTED and idea.decided_at is None:
        notes.append(Problem(idea.row, columns.header(Column.DECISION_DATE),
                             f"{idea.status.label.lower()} with neither a decision date nor a "
                             "first response: the history dates the decision at Created."))
    if idea.status is Status.SUBMITTED and idea.decided_on is not None:
        notes.append(Problem(idea.row, columns.header(Column.DECISION_DATE),
                             "a decision date on an idea still submitted: not used."))


def _refuse_duplicate_ids(read: list[tuple[int, list[str], LegacyIdea | None, list[Problem]]],
                          positions: Mapping[Column, int], columns: ColumnMap) -> None:
    """Every row whose ID another row also has is refused, whatever else is wrong with
    either: which of them is the item the list meant cannot be told."""
    position = positions[Column.ID]

    def legacy_id(values: list[str]) -> str:
        return values[position].strip() if position < len(values) else ""

    rows_of: dict[str, list[int]] = defaultdict(list)
    for number, values, _idea, _problems in read:
        if legacy_id(values):
            rows_of[legacy_id(values)].append(number)
    for number, values, _idea, row_problems in read:
        same = rows_of.get(legacy_id(values), [])
        if len(same) > 1:
            rest = ", ".join(str(n) for n in same if n != number)
            row_problems.append(Problem(number, columns.header(Column.ID),
                                        f"ID {quoted(legacy_id(values))} is on row {rest} "
                                        "too; every item of the list has its own."))


class _Row:
    """One record's fields, read by column, each problem added with its row and column."""

    def __init__(self, number: int, values: list[str], positions: Mapping[Column, int],
                 columns: ColumnMap, problems: list[Problem]) -> None:
        self._number, self._values, self._positions = number, values, positions
        self._columns, self._problems = columns, problems
        self._days_only: set[Column] = set()  # dates given without a time

    def not_before(self, column: Column, moment: datetime | None,
                   created: datetime) -> datetime | None:
        """A date without a time on the day the idea was created means some time that day
        after it: the earliest it can be, the creation itself."""
        if moment is not None and column in self._days_only and moment < created \
                and moment.astimezone(LONDON).date() == created.astimezone(LONDON).date():
            return created
        return moment

    def problem(self, column: Column, message: str) -> None:
        self._problems.append(Problem(self._number, self._columns.header(column), message))

    def raw(self, column: Column) -> str:
        position = self._positions.get(column)
        if position is None or position >= len(self._values):
            return ""
        return self._values[position]

    def text(self, column: Column, limit: int, required: bool = False) -> str:
        value = self.raw(column)
        if len(value) > limit:
            self.problem(column, f"{len(value):,} characters long; at most {limit:,} are "
                                 "taken.")
            return ""
        try:
            text = clean_text(value, field=column.value, label=column.value, limit=limit,
                              required=False)
        except InvalidText:
            self.problem(column, "it holds hidden control characters; remove them and "
                                 "export again.")
            return ""
        if required and not text:
            self.problem(column, "it is empty; every idea needs one.")
        # The row's own string when cleaning changed nothing: the file's values are kept for
        # the rejects, and one copy of a hundred thousand rows is enough.
        return value if text == value else text

    def status(self) -> tuple[Status, DeclineReason | None] | None:
        value = self.raw(Column.STATUS)
        found = STATUSES.get(words_of(value[:NAME_LIMIT]))
        if found is None:
            known = ", ".join(_STATUS_SPELLINGS[words] for words in STATUSES)
            given = value.strip()
            self.problem(Column.STATUS, f"{quoted(given)} is not one of the list's statuses "
                                        f"({known})." if given else
                         f"it is empty; it must be one of the list's statuses ({known}).")
        return found

    def moment(self, column: Column, required: bool = False) -> datetime | None:
        value = self.raw(column).strip()
        if not value:
            if required:
                self.problem(column, "it is empty; every idea needs one.")
            return None
        when = parse_when(value)
        if when is None:
            self.problem(column, f"{quoted(value)} is not a date: write it like 31/01/2025 "
                                 "14:05, 31/01/2025 or 2025-01-31T14:05.")
            return None
        moment, timed = when
        if not timed:
            self._days_only.add(column)
        return moment

    def email(self) -> str | None:
        value = self.raw(Column.CREATED_BY_EMAIL).strip()
        if not value:
            return None
        if len(value) > EMAIL_LIMIT or not looks_like_email(value):
            self.problem(Column.CREATED_BY_EMAIL, f"{quoted(value)} is not an e-mail address.")
            return None
        return value

    def profile(self) -> Profile:
        return Profile(
            department=self._answer(Column.DEPARTMENT, _CHOICES[()]),
            function=self._answer(Column.FUNCTION, _CHOICES[FUNCTIONS]),
            location=self._answer(Column.LOCATION, _CHOICES[()]),
            grade=self._answer(Column.RANK_OR_GRADE, _CHOICES[GRADES]),
            role_type=self._answer(Column.ROLE_TYPE, _CHOICES[ROLE_TYPES]),
        )

    def _answer(self, column: Column, choices: Mapping[str, str]) -> str:
        """A diversity answer: "not recorded" when empty; one of the live choices when it
        names one (by key or label: `choices` is the key by either's words); otherwise the
        list's own text."""
        text = self.text(column, PROFILE_LIMIT)
        if not text:
            return NOT_RECORDED
        return choices.get(words_of(text), text)


_STATUS_SPELLINGS = {
    "submitted": "Submitted", "business assessment": "Business assessment",
    "escalated": "Escalated", "approved": "Approved", "delivered": "Delivered",
    "deferred": "Deferred", "declined in progress already": "Declined (in progress already)",
    "declined already exists": "Declined (already exists)",
    "declined duplicate": "Declined (duplicate)",
    "declined not viable": "Declined (not viable)", "withdrawn": "Withdrawn",
}


def words_of(text: str) -> str:
    """`text` in lower case, every run of other characters than letters and digits one
    space: how spellings are compared."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_WORD.sub(" ", folded).strip()


def _choices(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The key of each live choice by the words of its key and of its label, and "prefer not
    to say" by its label's."""
    found = {words_of(PREFER_NOT_LABEL): PREFER_NOT}
    for key, label in pairs:
        found[words_of(key)] = found[words_of(label)] = key
    return found


_CHOICES = {pairs: _choices(pairs) for pairs in ((), FUNCTIONS, GRADES, ROLE_TYPES)}


def parse_when(text: str) -> tuple[datetime, bool] | None:
    """A list's date or date and time as a timezone-aware moment, and whether it gave a time
    (a date alone is its midnight); None if it is not one. UK form (31/01/2025 14:05,
    31/01/2025) or ISO 8601; without an offset, UK local time (see the module's note on the
    clock changes)."""
    text = text.strip()
    if len(text) > DATE_TEXT_LIMIT:
        return None
    match = _UK_DATE.fullmatch(text)
    try:
        if match is not None:
            day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups())
            moment, timed = datetime(year, month, day, hour, minute, second), bool(match[4])
        else:
            moment, timed = datetime.fromisoformat(text), len(text) > len("2025-01-31")
    except ValueError:
        return None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return None
    return (moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment), timed


def looks_like_email(text: str) -> bool:
    """One @ between a name and a dotted domain, with no spaces: enough to match people by,
    not a full check (none is needed to compare addresses)."""
    local, at, domain = text.partition("@")
    return bool(local and at and "@" not in domain and "." in domain.strip(".")
                and not any(character.isspace() for character in text))


def slug(name: str) -> str:
    """The key an imported category or portfolio gets from its name: lower-case letters,
    digits and hyphens, at most 40 (the organisation file's keys); empty if it has none."""
    return _NOT_WORD.sub("-", words_of(name)).strip("-")[:40].strip("-")


def imported_person_id(email: str | None, legacy_id: str) -> str:
    """The object id of a contributor the bot does not know, kept as an imported person: by
    e-mail (the same person in every row and every import), or, with none, the row's own.
    The prefix can never be an Entra object id, which is a GUID."""
    source = f"email:{email.casefold()}" if email else f"item:{legacy_id}"
    return IMPORTED_PERSON_PREFIX + hashlib.sha256(source.encode()).hexdigest()[:40]


def is_imported_person(object_id: str) -> bool:
    return object_id.startswith(IMPORTED_PERSON_PREFIX)


def duplicate_reference(given: str, reference_of: Mapping[str, str]) -> str | None:
    """The reference a row's Duplicate Of names: another item's ID (of this file, or imported
    before), or a reference written out; None if it names neither."""
    return reference_of.get(given.strip()) or find_reference(given)


@dataclass(frozen=True, slots=True)
class ImportedIdea:
    """A valid row with what the import gave it: its reference, its contributor (a person the
    bot knows, or an imported one), the keys of its category and portfolio."""

    source: LegacyIdea
    reference: str
    contributor_object_id: str
    category_key: str
    portfolio_key: str
    campaign_key: str | None
    duplicate_of: str | None
    # Who may find it by searching: the import's choice (private unless told otherwise: its
    # contributor was never asked).
    visibility: Visibility = Visibility.PRIVATE

    @property
    def submission_key(self) -> str:
        """Its stand-in for a draft key (unique like one, as list IDs are)."""
        return f"sharepoint:{self.source.legacy_id}"

    @property
    def updated_at(self) -> datetime:
        return self.history[-1].at

    @property
    def history(self) -> tuple[HistoryEntry, ...]:
        """Submitted at Created; then the move to its status at its decision (Decision Date,
        else First Response, else Created), by the import: what a report rebuilding past
        states reads, as it reads a live idea's."""
        idea = self.source
        submitted = HistoryEntry(at=idea.created_at, actor=ACTOR, action="submitted",
                                 from_status=None, to_status=Status.SUBMITTED)
        if idea.status is Status.SUBMITTED:
            return (submitted,)
        detail: dict[str, object] = {"legacy_id": idea.legacy_id}
        if idea.decline_reason is not None:
            detail["decline_reason"] = idea.decline_reason.value
        if self.duplicate_of is not None:
            detail["duplicate_of"] = self.duplicate_of
        if idea.revisit_on is not None:
            detail["revisit_on"] = idea.revisit_on.isoformat()
        if idea.decided_at is None:
            detail["date_not_recorded"] = True
        decided = HistoryEntry(at=idea.decided_at or idea.created_at, actor=ACTOR,
                               action=DECISION_ACTIONS[idea.status],
                               from_status=Status.SUBMITTED, to_status=idea.status,
                               detail=detail)
        return submitted, decided
