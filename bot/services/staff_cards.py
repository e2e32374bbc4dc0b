"""Each member of staff has one card per idea in their chat, kept up to date as the idea moves.

The first card goes out through the outbox under the key `card:<reference>:<object id>`; every
later change replaces that message in place (the outbox PUTs over the sent activity), rendered
for that person: the buttons they may press, or none (none on their own idea, unless the
organisation allows self-decisions).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from bot.domain.ideas import IdeaDetail
from bot.domain.lifecycle import Party, followers_of, parties
from bot.domain.messages import CardMessage
from bot.domain.organisation import Organisation
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.ports import UnitOfWork


class IdeaCardView(Protocol):
    def __call__(self, idea: IdeaDetail, viewer: frozenset[Party], organisation: Organisation,
                 *, notice: str | None = None,
                 typed: Mapping[str, str] | None = None) -> CardMessage: ...


def viewer_of(object_id: str, idea: IdeaDetail, organisation: Organisation) -> frozenset[Party]:
    """What this person is to this idea, from the organisation's records."""
    roles = organisation.roles_of(object_id)
    return parties(object_id, idea.contributor_object_id, idea.portfolio_key, pmo=roles.pmo,
                   assesses=roles.assesses, self_decisions=organisation.allow_self_decisions)


async def update_staff_cards(uow: UnitOfWork, idea: IdeaDetail, organisation: Organisation,
                             card: IdeaCardView, tenant_id: str | None, now: datetime,
                             *, occasion: str | None = None,
                             sent_only: bool = False) -> dict[frozenset[Party], CardMessage]:
    """Send the idea's card to new followers and replace it where it was sent before.

    A replacement is keyed by the idea's version; `occasion` names a redraw at the same
    version (a new supporter), so that it is queued once too.

    Cards are looked for by their exact keys, for everyone who holds a staff role now (a
    prefix search would read the whole outbox, which keeps every message ever sent): someone
    no longer on the staff keeps their old card, whose buttons now refuse them politely.
    People who see the idea alike share one rendering; the renderings are returned, by what
    their viewers are to the idea, for the caller to reuse.

    A replacement is keyed by the idea's version; `occasion` tells apart a redraw at the same
    version (its similar ideas found), which would otherwise count as sent already.
    `sent_only`: only cards sent before are redrawn; nobody is sent a first one."""
    prefix = f"card:{idea.reference}:"
    followers = [] if sent_only else followers_of(idea, organisation)
    candidates = list(dict.fromkeys([*followers_of(idea, organisation),
                                     *_staff(organisation)]))
    sent = await uow.outbox.first_sends([f"{prefix}{oid}" for oid in candidates])
    sent_to = [oid for oid in candidates if f"{prefix}{oid}" in sent]
    views: dict[frozenset[Party], CardMessage] = {}
    replacements: dict[str, OutgoingMessage] = {}
    first_cards: list[OutgoingMessage] = []
    for object_id in dict.fromkeys([*followers, *sent_to]):
        viewer = viewer_of(object_id, idea, organisation)
        if viewer not in views:
            views[viewer] = card(idea, viewer, organisation)
        recipient = Recipient.person(object_id, tenant_id)
        if object_id in sent_to:
            replacements[f"{prefix}{object_id}"] = OutgoingMessage(
                recipient=recipient, kind=MessageKind.STATUS,
                dedupe_key=f"update:{idea.reference}:{object_id}:v{idea.version}"
                           + (f":{occasion}" if occasion else ""),
                message=views[viewer],
            )
        else:
            first_cards.append(OutgoingMessage(
                recipient=recipient, kind=MessageKind.NOTICE, dedupe_key=f"{prefix}{object_id}",
                message=views[viewer],
            ))
    await uow.outbox.replace_cards(replacements, now)
    await uow.outbox.enqueue_all(first_cards, now)
    return views


def _staff(organisation: Organisation) -> list[str]:
    """Everyone who holds a staff role: the PMO, and every portfolio's SPOCs and deputies."""
    return [*organisation.pmo,
            *(oid for p in organisation.portfolios for oid in (*p.spocs, *p.deputies))]


async def bring_up_to_date(uow: UnitOfWork, idea: IdeaDetail, organisation: Organisation,
                           object_id: str, card: IdeaCardView, tenant_id: str | None,
                           now: datetime) -> datetime | None:
    """This person's one card of the idea, as they should see it now: replaced in place where
    it was sent before (the answer is when it was first queued), or sent now (None).

    A replacement is keyed by the idea's version, as a move's is: opening an idea again at
    the same version queues nothing more."""
    key = f"card:{idea.reference}:{object_id}"
    first = (await uow.outbox.first_sends([key])).get(key)
    viewer = viewer_of(object_id, idea, organisation) - {Party.CONTRIBUTOR}
    message = card(idea, viewer, organisation)
    recipient = Recipient.person(object_id, tenant_id)
    if first is None:
        await uow.outbox.enqueue(OutgoingMessage(recipient=recipient, kind=MessageKind.NOTICE,
                                                 dedupe_key=key, message=message), now)
        return None
    await uow.outbox.replace_cards({key: OutgoingMessage(
        recipient=recipient, kind=MessageKind.STATUS,
        dedupe_key=f"update:{idea.reference}:{object_id}:v{idea.version}", message=message,
    )}, now)
    return first
