"""Ideas from the contributor's side: drafts, submission, their list, withdrawal."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Protocol

from bot.domain.audit import AuditEntry
from bot.domain.campaigns import Campaign, not_taking_ideas
from bot.domain.duplicates import Original
from bot.domain.errors import Incomplete, NotAllowed, NotFound, OutOfDate
from bot.domain.ideas import (
    LONDON,
    HistoryEntry,
    IdeaDetail,
    IdeaSubmission,
    IdeaSummary,
    Status,
    cannot_withdraw,
    uk_day,
    update_due,
)
from bot.domain.identity import Caller
from bot.domain.intake import (
    CampaignOption,
    Choices,
    Draft,
    Option,
    missing,
    untag_closed,
    visibility_of,
)
from bot.domain.lifecycle import Decision, Move, Party, change_for, followers_of, rule_for
from bot.domain.messages import CardMessage
from bot.domain.organisation import Organisation
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.domain.profile import Profile
from bot.domain.similar import MatchKind, query_of
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.services.similar import SimilarIdeas
from bot.services.staff_cards import IdeaCardView, update_staff_cards
from bot.services.supporters import tell_supporters

PAGE_SIZE = 5


@dataclass(frozen=True, slots=True)
class StoredDraft:
    object_id: str
    draft_id: str
    draft: Draft
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Submitted:
    reference: str
    title: str
    update_due: date
    first_time: bool = True
    # Why the campaign the draft answered was left off (it stopped taking ideas meanwhile).
    campaign_dropped: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    ideas: list[IdeaSummary]
    number: int
    pages: int
    total: int = field(default=0)


class IdeaViews(Protocol):
    """The cards the service queues for staff; the cards package provides them."""

    idea_card: IdeaCardView

    def withdrawn(self, idea: IdeaDetail, contributor_name: str,
                  reason: str | None) -> CardMessage: ...

    def supporter_notice(self, idea: IdeaDetail, title: str, decision: Decision,
                         organisation: Organisation,
                         duplicate: Original | None) -> CardMessage:
        """A supporter's notice of the move: `title`, the idea's as colleagues see it."""
        ...


class IdeaService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, views: IdeaViews,
                 similar: SimilarIdeas, organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._views = views
        self._similar = similar
        self._organisation = organisation or OrganisationCache()

    async def choices(self) -> Choices:
        """The categories, portfolios and campaigns taking ideas people choose from now."""
        async with self._uow() as uow:
            return await self._choices(uow)

    async def campaign(self, key: str) -> Campaign | None:
        """The campaign of that key, whatever its state (None: there is none)."""
        async with self._uow() as uow:
            return await uow.campaigns.by_key(key)

    def today(self) -> date:
        """The UK day it is now: campaigns take ideas by it."""
        return uk_day(self._clock.now())

    async def _choices(self, uow: UnitOfWork) -> Choices:
        organisation = await self._organisation.read(uow)
        return choices_of(organisation, await uow.campaigns.taking_ideas(self.today()))

    async def draft(self, object_id: str) -> StoredDraft | None:
        """The person's draft, if they have one (one per person)."""
        async with self._uow() as uow:
            stored = await uow.drafts.get(object_id)
        return StoredDraft(object_id, *stored) if stored else None

    async def save_draft(self, stored: StoredDraft, draft: Draft) -> StoredDraft:
        """Keep `draft` in place of `stored`'s."""
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.drafts.put(stored.object_id, stored.draft_id, draft, now)
            await uow.commit()
        return StoredDraft(stored.object_id, stored.draft_id, draft, now)

    async def note_offer(self, stored: StoredDraft, campaign: str | None) -> StoredDraft:
        """Keep which call (None: none) is offering to resume `stored`, leaving the time of its
        last change as it was: the draft itself did not change."""
        if stored.draft.offered_campaign == campaign:
            return stored
        draft = replace(stored.draft, offered_campaign=campaign)
        async with self._uow() as uow:
            await uow.drafts.put(stored.object_id, stored.draft_id, draft, stored.updated_at)
            await uow.commit()
        return replace(stored, draft=draft)

    async def discard(self, stored: StoredDraft) -> None:
        """The person needs the draft no more (a similar idea exists): it goes, unless it was
        replaced meanwhile by another."""
        async with self._uow() as uow:
            await uow.drafts.claim(stored.object_id)
            current = await uow.drafts.get(stored.object_id)
            if current is not None and current[0] == stored.draft_id:
                await uow.drafts.delete(stored.object_id)
                await uow.commit()

    async def new_draft(self, object_id: str, draft: Draft) -> StoredDraft:
        """Start afresh: a new draft replaces any the person had."""
        fresh = StoredDraft(object_id, uuid.uuid4().hex, draft, self._clock.now())
        return await self.save_draft(fresh, draft)

    async def profile(self, object_id: str) -> Profile | None:
        async with self._uow() as uow:
            return await uow.profiles.get(object_id)

    async def save_profile(self, object_id: str, profile: Profile) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.profiles.put(object_id, profile, now)
            await uow.audit.record(AuditEntry(actor=object_id, action="profile.saved",
                                              subject=object_id, at=now))
            await uow.commit()

    async def submit(self, contributor: Caller, draft_id: str,
                     seen_revision: int) -> Submitted:
        """Turn the person's draft into an idea, exactly once per draft.

        The idea, its first history entry, the audit entry and the PMO's triage cards are
        written in one transaction; the draft goes with it. A second confirmation of the same
        draft returns the first one's reference. Raises OutOfDate when the card pressed shows
        an older version of the draft, Incomplete when something is unanswered.
        """
        now = self._clock.now()
        async with self._uow() as uow:
            # First hold the draft: a concurrent confirmation of it waits here until this one
            # has committed, then finds the idea it made instead of making another.
            await uow.drafts.claim(contributor.object_id)
            existing = await uow.ideas.reference_for_submission(draft_id)
            if existing:
                detail = await uow.ideas.of_contributor(contributor.object_id, existing)
                if detail is None:
                    raise NotFound("That idea could not be found.")
                return Submitted(existing, detail.title, update_due(detail.submitted_at),
                                 first_time=False)
            stored = await uow.drafts.get(contributor.object_id)
            if stored is None or stored[0] != draft_id or stored[1].revision != seen_revision:
                raise OutOfDate("This summary is out of date: your idea changed after it was "
                                "shown. Here is the latest version to check.")
            draft = stored[1]
            organisation = await self._organisation.read(uow)
            choices = choices_of(organisation, await uow.campaigns.taking_ideas(uk_day(now)))
            untagged = untag_closed(draft, choices)
            gaps = missing(untagged, choices)
            if gaps:
                raise Incomplete("A few answers are missing or no longer valid.",
                                 [step.value for step in gaps])
            profile = await uow.profiles.get(contributor.object_id) or Profile()
            dropped = None
            if untagged.campaign != draft.campaign:
                # The campaign stopped taking ideas after the check card was shown: the idea
                # goes without it, and the receipt says why.
                dropped = not_taking_ideas(await uow.campaigns.by_key(draft.campaign or ""),
                                           uk_day(now))
                draft = untagged
            # Nothing is missing: the category and the portfolio are chosen.
            assert draft.category is not None and draft.portfolio is not None
            reference = await uow.ideas.next_reference(now.astimezone(LONDON).year)
            idea = await uow.ideas.add(IdeaSubmission(
                reference=reference, contributor_object_id=contributor.object_id,
                contributor_name=contributor.name or None, title=draft.title,
                problem=draft.problem, proposal=draft.proposal, benefit=draft.benefit,
                category_key=draft.category, portfolio_key=draft.portfolio,
                campaign_key=draft.campaign or None, named_publicly=bool(draft.named_publicly),
                submitted_at=now, submission_key=draft_id, profile=profile,
                campaign_answers=draft.campaign_answers, visibility=visibility_of(draft),
            ), HistoryEntry(at=now, actor=contributor.object_id, action="submitted",
                            from_status=None, to_status=Status.SUBMITTED))
            await uow.audit.record(AuditEntry(
                actor=contributor.object_id, action="idea.submitted", subject=reference, at=now,
                detail={"portfolio": draft.portfolio, "category": draft.category,
                        "campaign": draft.campaign or None,
                        "campaign_closed": stored[1].campaign if dropped else None,
                        "visibility": visibility_of(draft).value},
            ))
            # Found by the next search on any replica.
            await self._similar.remember(uow, MatchKind.IDEA, idea.id,
                                         query_of(draft.title, draft.problem))
            if organisation is not None:
                await update_staff_cards(uow, idea, organisation, self._views.idea_card,
                                         contributor.tenant_id, now)
            await uow.drafts.delete(contributor.object_id)
            await uow.commit()
        return Submitted(reference, draft.title, update_due(now), campaign_dropped=dropped)

    async def ideas_of(self, object_id: str, page: int = 1) -> Page:
        """A page of the person's ideas, newest first."""
        page = max(1, page)
        async with self._uow() as uow:
            ideas, total = await uow.ideas.summaries_of(object_id, (page - 1) * PAGE_SIZE,
                                                        PAGE_SIZE)
            pages = max(1, -(-total // PAGE_SIZE))
            if page > pages:  # a page number from forged card data: show the last page
                page = pages
                ideas, total = await uow.ideas.summaries_of(object_id, (page - 1) * PAGE_SIZE,
                                                            PAGE_SIZE)
        return Page(ideas, page, pages, total)

    async def idea_of(self, object_id: str, reference: str) -> IdeaDetail:
        """One of the person's ideas with its history; NotFound if it is not theirs."""
        async with self._uow() as uow:
            idea = await uow.ideas.of_contributor(object_id, reference)
        if idea is None:
            raise NotFound(f"I could not find an idea {reference} of yours.")
        return idea

    async def withdraw(self, contributor: Caller, reference: str,
                       reason: str | None) -> IdeaDetail:
        """Withdraw an idea not yet decided (or deferred); the PMO and the portfolio's SPOCs
        are told."""
        now = self._clock.now()
        async with self._uow() as uow:
            idea = await uow.ideas.of_contributor(contributor.object_id, reference)
            if idea is None:
                raise NotFound(f"I could not find an idea {reference} of yours.")
            try:
                rule = rule_for(idea.status, Move.WITHDRAW, frozenset({Party.CONTRIBUTOR}))
            except NotAllowed:
                raise NotAllowed(cannot_withdraw(idea.summary)) from None
            to = rule.to or idea.status
            moved = await uow.ideas.change(idea, now,
                                           change_for(Decision(Move.WITHDRAW), to, idea))
            if moved is None:
                raise OutOfDate(f"{reference} changed just now. Please look at it again.")
            entry = HistoryEntry(at=now, actor=contributor.object_id, action="withdrawn",
                                 from_status=idea.status, to_status=to, reason=reason)
            await uow.ideas.add_history(idea.id, entry)
            await uow.audit.record(AuditEntry(
                actor=contributor.object_id, action="idea.withdrawn", subject=reference, at=now,
                detail={"from": idea.status.value},
            ))
            withdrawn = replace(moved, history=(*moved.history, entry))
            organisation = await self._organisation.read(uow)
            if organisation is not None:
                card = self._views.withdrawn(withdrawn, contributor.name, reason)
                # Keyed by the version: a withdrawal after a reopen is news again.
                await _tell(uow, followers_of(idea, organisation), contributor.tenant_id,
                            MessageKind.STATUS, f"withdrawn:{reference}:v{withdrawn.version}",
                            card, now)
                # Under the key of every supporter's notice of a move, as a decision's.
                await tell_supporters(uow, withdrawn, lambda: self._views.supporter_notice(
                    withdrawn, withdrawn.title_for_colleagues, Decision(Move.WITHDRAW),
                    organisation, None), f"notice:{reference}:v{withdrawn.version}",
                    contributor.tenant_id, now)
                await update_staff_cards(uow, withdrawn, organisation, self._views.idea_card,
                                         contributor.tenant_id, now)
            await uow.commit()
        return withdrawn


def choices_of(organisation: Organisation | None,
               campaigns: Sequence[Campaign] = ()) -> Choices:
    """What a draft may choose from: the organisation's lists, the campaigns taking ideas."""
    open_calls = tuple(CampaignOption(c.key, c.name, c.questions) for c in campaigns)
    if organisation is None:
        return Choices(categories=(), portfolios=(), campaigns=open_calls)
    return Choices(
        categories=tuple(Option(c.key, c.name) for c in organisation.categories),
        portfolios=tuple(Option(p.key, p.name) for p in organisation.portfolios),
        campaigns=open_calls,
    )


async def _tell(uow: UnitOfWork, people: list[str] | tuple[str, ...], tenant_id: str | None,
                kind: MessageKind, key: str, card: CardMessage, now: datetime) -> None:
    await uow.outbox.enqueue_all([OutgoingMessage(
        recipient=Recipient.person(object_id, tenant_id), kind=kind,
        dedupe_key=f"{key}:{object_id}", message=card,
    ) for object_id in people], now)
