"""Ideas to find similar ones among: drafts ready to submit, the people who submit them, and
submitting through the real service (which indexes each idea as it is saved)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.domain.identity import Caller
from bot.domain.intake import Draft, Step

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BODY_WORN = Draft(
    title="Body worn video uploads take too long",
    problem="At the end of every shift officers wait at the docking station for footage to "
            "upload before they can go home.",
    proposal="Let cameras upload over the station wifi while officers write up.",
    benefit="Half an hour a shift back.", category="process", portfolio="local-policing",
    named_publicly=False, step=Step.CHECK, revision=8)
RADIOS = replace(BODY_WORN, title="Radio batteries die on nights",
                 problem="Airwave handsets lose their charge half way through a night shift "
                         "and officers drive back to swap them.")


def idea(title: str, problem: str) -> Draft:
    """A draft ready to submit with this title and problem."""
    return replace(BODY_WORN, title=title, problem=problem)


def person(n: int) -> Caller:
    return Caller(f"00000000-0000-4000-8000-{n:012d}", f"Officer {n}", TENANT)


async def submit(services: Any, who: Caller, draft: Draft) -> str:
    """`draft` submitted by `who`: its reference."""
    stored = await services.ideas.new_draft(who.object_id, draft)
    return (await services.ideas.submit(who, stored.draft_id, draft.revision)).reference
