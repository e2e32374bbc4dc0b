"""Importing the checked rows of the list kept before the bot (bot.domain.legacy): one
transaction, all or nothing, a chunk of rows a statement, and one audit entry for the run.

References come from the counters new ideas use, in Created order, so that none ever clashes;
contributors are matched by e-mail to the people the bot knows, or kept as imported people;
categories and portfolios the organisation does not have are added retired, keyed by a slug of
their name, for the organisation file to adopt. An item imported before is left as it is, so
importing the same file again changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from bot.domain.audit import AuditEntry
from bot.domain.ideas import format_reference
from bot.domain.legacy import (
    LIVE_TITLE_LIMIT,
    ImportedIdea,
    LegacyIdea,
    duplicate_reference,
    imported_person_id,
    is_imported_person,
    slug,
)
from bot.domain.similar import Visibility
from bot.services.ports import Clock, LegacyStore, UnitOfWorkFactory

# Rows a statement: large enough that a hundred thousand rows take few round trips, small
# enough that each stays well within both databases' limits on bound values.
CHUNK = 1_000


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, on a dry run, would do)."""

    imported: int = 0
    already: int = 0  # items imported before, left as they were
    people_matched: int = 0  # ideas whose contributor the bot knew by e-mail
    people_added: int = 0  # imported contributors kept for the first time
    new_categories: dict[str, str] = field(default_factory=dict[str, str])  # name by key
    new_portfolios: dict[str, str] = field(default_factory=dict[str, str])
    long_titles: list[str] = field(default_factory=list[str])  # references
    unknown_duplicates: list[tuple[str, str]] = field(
        default_factory=list[tuple[str, str]])  # (reference, what Duplicate Of said)
    references: dict[int, tuple[str, str]] = field(
        default_factory=dict[int, tuple[str, str]])  # first and last, by year

    def as_audit(self, source: str, dry_run: bool,
                 visibility: Visibility = Visibility.PRIVATE) -> dict[str, object]:
        return {"source": source, "dry_run": dry_run, "visibility": visibility.value,
                "imported": self.imported,
                "already_imported": self.already, "people_matched": self.people_matched,
                "people_added": self.people_added,
                "categories_added": sorted(self.new_categories),
                "portfolios_added": sorted(self.new_portfolios),
                "long_titles": len(self.long_titles),
                "references": {str(year): list(span)
                               for year, span in sorted(self.references.items())}}


class LegacyImport:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def run(self, rows: Sequence[LegacyIdea], *, source: str, actor: str,
                  dry_run: bool = False,
                  progress: Callable[[int], None] | None = None,
                  visibility: Visibility = Visibility.PRIVATE) -> ImportReport:
        """Import `rows` (checked, in Created order) in one transaction; with `dry_run`, do
        it all and undo it, so the report says exactly what an import would do. `progress`
        is told how many rows each chunk took (and the rows imported before, at once).
        `visibility`: who may find the new ideas by searching (an idea imported before keeps
        its own)."""
        report = ImportReport()
        async with self._uow() as uow:
            store = uow.legacy
            done = await store.imported_references()
            fresh = [row for row in rows if row.legacy_id not in done]
            report.already = len(rows) - len(fresh)
            if progress is not None and report.already:
                progress(report.already)
            ideas = [replace(idea, visibility=visibility)
                     for idea in await _prepared(store, fresh, done, report)]
            for start in range(0, len(ideas), CHUNK):
                chunk = ideas[start:start + CHUNK]
                await store.add_ideas(chunk)
                if progress is not None:
                    progress(len(chunk))
            report.imported = len(ideas)
            if ideas:
                await uow.audit.record(AuditEntry(
                    actor=actor, action="ideas.imported", subject=source,
                    at=self._clock.now(), detail=report.as_audit(source, dry_run, visibility)))
                if not dry_run:
                    await uow.commit()
        return report


async def _prepared(store: LegacyStore, rows: list[LegacyIdea], done: dict[str, str],
                    report: ImportReport) -> list[ImportedIdea]:
    """`rows` with their references, contributors and keys, the people, categories and
    portfolios they need added."""
    if not rows:
        return []
    categories = await _keys(store, "categories", [row.category for row in rows],
                             report.new_categories)
    portfolios = await _keys(store, "portfolios", [row.portfolio for row in rows],
                             report.new_portfolios)
    contributors = await _contributors(store, rows, report)
    numbers: dict[int, int] = {}
    for year, count in sorted(Counter(row.year for row in rows).items()):
        numbers[year] = await store.reserve_references(year, count)
    references: dict[str, str] = {}
    for row in rows:
        references[row.legacy_id] = format_reference(row.year, numbers[row.year])
        numbers[row.year] += 1
    known = done | references
    ideas: list[ImportedIdea] = []
    for row in rows:
        reference = references[row.legacy_id]
        duplicate = duplicate_reference(row.duplicate_of, known) if row.duplicate_of else None
        if row.duplicate_of and duplicate is None:
            report.unknown_duplicates.append((reference, row.duplicate_of))
        if len(row.title) > LIVE_TITLE_LIMIT:
            report.long_titles.append(reference)
        first, _last = report.references.get(row.year, (reference, reference))
        report.references[row.year] = (first, reference)
        ideas.append(ImportedIdea(
            source=row, reference=reference, contributor_object_id=contributors[row.legacy_id],
            category_key=categories[row.category], portfolio_key=portfolios[row.portfolio],
            campaign_key=slug(row.campaign or "") or None,
            duplicate_of=duplicate))
    return ideas


async def _keys(store: LegacyStore, kind: str, given: list[str],
                added: dict[str, str]) -> dict[str, str]:
    """The key of each category or portfolio the rows name: one whose key or name it is
    (case and punctuation aside), else a new retired one keyed by a slug of the name."""
    existing = await store.names(kind)
    by_words = {slug(key): key for key in existing} | {slug(name): key
                                                      for key, name in existing.items()}
    found: dict[str, str] = {}
    for text in dict.fromkeys(given):
        words = slug(text)
        key = by_words.get(words)
        if key is None:
            key = by_words[words] = words
            added[key] = text
        found[text] = key
    await store.add_retired(kind, added)
    return found


async def _contributors(store: LegacyStore, rows: list[LegacyIdea],
                        report: ImportReport) -> dict[str, str]:
    """Each row's contributor: the person the bot knows by the row's e-mail, else an
    imported person (with the list's name and e-mail), added if not kept yet."""
    known = await store.people_by_email()
    found: dict[str, str] = {}
    imported: dict[str, tuple[str, str | None]] = {}
    for row in rows:
        person = known.get(row.email.casefold()) if row.email else None
        if person is not None and not is_imported_person(person):
            report.people_matched += 1
        elif person is None:
            person = imported_person_id(row.email, row.legacy_id)
            imported.setdefault(person, (row.created_by or "Not recorded", row.email))
        found[row.legacy_id] = person
    report.people_added = await store.add_people(imported)
    return found
