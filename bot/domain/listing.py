"""Staff lists of ideas: which ideas a list holds, in what order, and which page of it to show."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.ideas import IdeaSummary, Status
from bot.domain.text import clean_text

PAGE_SIZE = 10
# Far beyond any real list (at 10 a page), and small enough for any database's offsets.
MAX_PAGE = 100_000
SEARCH_LIMIT = 100
# An idea waits for its business leads while it is assessed, escalated or approved.
ASSESSING = frozenset({Status.BUSINESS_ASSESSMENT, Status.ESCALATED, Status.APPROVED})


@dataclass(frozen=True, slots=True)
class IdeaQuery:
    """Ideas in `statuses` (or any), of `portfolios` (None: every one), whose reference or
    title holds `text` (None: any), not submitted by `not_from` (None: by anyone); the
    longest waiting first, the newest first, or the soonest to revisit first."""

    statuses: frozenset[Status] | None = None
    portfolios: frozenset[str] | None = None
    text: str | None = None
    not_from: str | None = None
    newest_first: bool = False
    soonest_revisit_first: bool = False


def to_triage(not_from: str | None = None) -> IdeaQuery:
    """What awaits the PMO's triage; `not_from`, for a queue: nobody's own idea awaits them."""
    return IdeaQuery(statuses=frozenset({Status.SUBMITTED}), not_from=not_from)


def to_assess(portfolios: frozenset[str], not_from: str | None = None) -> IdeaQuery:
    return IdeaQuery(statuses=ASSESSING, portfolios=portfolios, not_from=not_from)


def deferred_register(portfolios: frozenset[str] | None) -> IdeaQuery:
    """The deferred ideas of `portfolios` (None: all), the soonest to revisit first. Staff's
    own ideas are listed too: the register keeps every deferred idea in sight."""
    return IdeaQuery(statuses=frozenset({Status.DEFERRED}), portfolios=portfolios,
                     soonest_revisit_first=True)


@dataclass(frozen=True, slots=True)
class Window:
    """Page `number` of `pages` (at least one, even of nothing) over `total` ideas."""

    number: int
    pages: int
    total: int
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_number(value: object) -> int:
    """A page asked for in card data, which anyone can forge: a whole number from 1 to
    MAX_PAGE; anything else is the first page, and a larger number MAX_PAGE."""
    if not isinstance(value, int) or isinstance(value, bool):
        return 1
    return min(max(1, value), MAX_PAGE)


def window(requested: object, total: int, size: int = PAGE_SIZE) -> Window:
    """The page to show for a page number from card data: a page that exists is shown; past
    the end, the last; anything else, the first."""
    pages = max(1, -(-total // size))
    return Window(number=min(page_number(requested), pages), pages=pages, total=total,
                  size=size)


@dataclass(frozen=True, slots=True)
class ListPage:
    ideas: list[IdeaSummary]
    window: Window


def search_text(value: object) -> str:
    """What a member of staff looks for: some text, not too long (InvalidText if not)."""
    return clean_text(value, field="find", label="The text to find", limit=SEARCH_LIMIT)
