"""`iip similar "TEXT"`: the operators' view of similar ideas (every idea whatever its
visibility, and the known initiatives), best first; and `iip similar reindex`, which brings the
index up to date in batches while the bot serves."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from bot.cli_database import with_current_schema, with_engine
from bot.cli_progress import progress_bar
from bot.config import Settings
from bot.domain.similar import MOST_RESULTS, Match, searchable

FORMATS = ("text", "json")
# `iip similar reindex`: the word can never be a search (it says too little to match on).
REINDEX = "reindex"
# A title in the text table is cut here, so that each match stays on one line.
TITLE_SHOWN = 70


def add_commands(commands: Any) -> None:
    """Add `similar TEXT` and `similar reindex` to the `iip` parser's subcommands."""
    from bot.services.similar_reindex import BATCH

    similar = commands.add_parser(
        "similar", help="ideas and initiatives like TEXT, best first (the operators' view: "
                        "every idea, whatever its visibility); `similar reindex` indexes the "
                        "ideas and initiatives the index lacks",
        description="Ideas and known initiatives like TEXT, best first, whatever their "
                    "visibility. `iip similar reindex` indexes every idea and active "
                    "initiative that is missing from the index, or was indexed by another "
                    "model or with the model off; it is safe while the bot serves, and "
                    "carries on where a stopped run left off.")
    similar.add_argument("text", metavar="TEXT", help=f"what to look for, or `{REINDEX}`")
    similar.add_argument("--limit", type=_limit, default=None,
                         help=f"how many matches at most, 1 to {MOST_RESULTS} (default 3)")
    similar.add_argument("--format", choices=FORMATS, default=None,
                         help="text (the default) or json: a list of {reference, title, "
                              "status, kind, score}")
    similar.add_argument("--batch", type=_batch, default=None,
                         help=f"`{REINDEX}` only: documents encoded and written a transaction "
                              f"(default {BATCH})")
    similar.set_defaults(run=_similar)


def _limit(text: str) -> int:
    return _whole_number(text, 1, MOST_RESULTS, "--limit")


def _batch(text: str) -> int:
    from bot.services.similar_reindex import MOST_BATCH

    return _whole_number(text, 1, MOST_BATCH, "--batch")


def _whole_number(text: str, least: int, most: int, option: str) -> int:
    try:
        number = int(text.strip())
    except ValueError:
        number = None
    if number is None or not least <= number <= most:
        raise argparse.ArgumentTypeError(
            f"{text[:20]!r} is not a whole number from {least} to {most:,}; give {option} "
            f"between them.")
    return number


def _similar(settings: Settings, args: argparse.Namespace) -> int:
    if args.text.strip().lower() == REINDEX:
        if args.limit is not None or args.format is not None:
            print(f"iip: --limit and --format are for a search, not `{REINDEX}`.",
                  file=sys.stderr)
            return 2
        return _reindex(settings, args.batch)
    if args.batch is not None:
        print(f"iip: --batch is for `iip similar {REINDEX}`, not a search.", file=sys.stderr)
        return 2
    return _search(settings, args.text, args.limit or 3, args.format or "text")


def _search(settings: Settings, text: str, limit: int, form: str) -> int:
    from bot.app import build_services
    from bot.domain.similar import Audience
    from bot.services.clock import SystemClock

    matches: list[Match] = []
    if searchable(text) is not None:
        async def find(engine: Any) -> list[Match]:
            async with _ranker(settings) as ranker:
                similar = build_services(engine, SystemClock(), ranker=ranker).similar
                return await similar.find(text, audience=Audience.STAFF, limit=limit)

        matches = asyncio.run(with_current_schema(settings, find))
    if form == "json":
        print(json.dumps(as_json(matches), ensure_ascii=False, indent=2))
    elif not matches:
        print("Nothing found." if searchable(text) is not None else
              "Nothing found: the text says too little to match on; give a few words of what "
              "the idea is about.")
    else:
        print(table(matches))
    return 0


def as_json(matches: Sequence[Match]) -> list[dict[str, Any]]:
    """The matches as `--format json` prints them."""
    return [{"reference": m.reference, "title": m.title, "status": m.status,
             "kind": m.kind.value, "score": round(m.score, 3)} for m in matches]


def table(matches: Sequence[Match]) -> str:
    """The matches as a table a person reads, one a line, with a key to the marks."""
    rows = [("reference", "score", "kind", "status", "title")]
    rows += [(m.reference, f"{m.score:.3f}" + ("*" if m.likely_duplicate else " "),
              m.kind.value, m.status, _cut(m.title)) for m in matches]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = ["  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)),
                        row[4]]).rstrip() for row in rows]
    if any(m.likely_duplicate for m in matches):
        lines.append("* a likely duplicate (a score its ranking counts as close)")
    return "\n".join(lines)


def _cut(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_SHOWN else title[:TITLE_SHOWN - 1].rstrip() + "…"


def _reindex(settings: Settings, batch: int | None) -> int:
    from bot.domain.audit import SYSTEM
    from bot.services.clock import SystemClock
    from bot.services.similar_reindex import BATCH, Reindexing
    from storage.migrate import upgrade
    from storage.uow import unit_of_work_factory

    async def work(engine: Any) -> tuple[int, Any, str | None]:
        await upgrade(engine)
        async with _ranker(settings) as ranker:
            reindexing = Reindexing(unit_of_work_factory(engine), SystemClock(), ranker)
            stale = await reindexing.stale()
            with progress_bar(len(stale), "Indexing") as advance:
                done = await reindexing.index(stale, actor=f"{SYSTEM}:iip similar {REINDEX}",
                                              batch=batch or BATCH, progress=advance)
            return len(stale), done, ranker.model

    stale, done, model = asyncio.run(with_engine(settings, work))
    how = f"by {model}" if model else "with the model off (characters only)"
    if not stale:
        print(f"The index is up to date ({how}): nothing to do.")
        return 0
    print(f"Indexed {done.written:,} idea(s) and initiative(s) {how}.")
    if done.left:
        print(f"  {done.left:,} were indexed by the bot meanwhile and left as it wrote them.")
    return 0


@asynccontextmanager
async def _ranker(settings: Settings) -> AsyncIterator[Any]:
    """The ranking as the bot has it: with the sentence model (loaded now) unless it is
    switched off or not installed, and then characters alone."""
    from bot.matching.index import MatchIndex

    ranker = MatchIndex(use_model=settings.similar_model)
    try:
        await ranker.start()
        yield ranker
    finally:
        ranker.close()
