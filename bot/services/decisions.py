"""Triage and decisions: staff move ideas through their lifecycle from card buttons.

Every move is checked against the lifecycle table and the actor's role (from the
organisation's records, keyed by their Entra object id), carries the idea's version so that
only one of two simultaneous presses counts, and is recorded with who, when, from, to, why.
The contributor hears about it, and every staff copy of the idea's card is updated, through
the outbox, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Protocol

import structlog

from bot.domain.audit import AuditEntry
from bot.domain.duplicates import (
    DECLINE_DUPLICATE,
    DeclineDuplicate,
    Original,
    original_refusal,
)
from bot.domain.errors import InvalidText, Malformed, NotAllowed, NotFound, OutOfDate
from bot.domain.handover import REASSIGNED
from bot.domain.ideas import (
    LONDON,
    DeclineReason,
    HistoryEntry,
    IdeaChange,
    IdeaDetail,
    find_reference,
    uk_day,
)
from bot.domain.identity import Caller
from bot.domain.lifecycle import (
    ANSWERED,
    Decision,
    Move,
    Party,
    answerable,
    change_for,
    decline_reason,
    followers_of,
    latest_question,
    revisit_date,
    root_causes,
    rule_for,
)
from bot.domain.messages import CardMessage
from bot.domain.moves import (
    MAX_ID,
    NOTE,
    ROOT_CAUSES,
    Decide,
    Input,
    InputKind,
    Options,
)
from bot.domain.organisation import Organisation
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.domain.similar import MatchKind
from bot.domain.supporters import tells_supporters
from bot.domain.text import Answer, clean_text
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.services.staff_cards import IdeaCardView, update_staff_cards, viewer_of
from bot.services.supporters import tell_supporters

log = structlog.get_logger(__name__)


class DecisionViews(Protocol):
    """The cards decisions produce; the cards package provides them."""

    idea_card: IdeaCardView

    def refused(self, reason: str) -> CardMessage: ...

    def contributor_notice(self, idea: IdeaDetail, decision: Decision,
                           organisation: Organisation,
                           duplicate: Original | None) -> CardMessage: ...

    def supporter_notice(self, idea: IdeaDetail, title: str, decision: Decision,
                         organisation: Organisation,
                         duplicate: Original | None) -> CardMessage:
        """A supporter's notice of the move: `title`, the idea's as colleagues see it."""
        ...

    def recognition(self, idea: IdeaDetail, what_changed: str) -> CardMessage: ...

    def answer_for_staff(self, idea: IdeaDetail, question: str,
                         answer: str) -> CardMessage: ...


class DecisionService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, views: DecisionViews,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._views = views
        self._organisation = organisation or OrganisationCache()

    async def card_for(self, object_id: str, idea_id: int | None) -> CardMessage:
        """The idea's card as this person should see it now (a Teams card refresh)."""
        def refused(why: str, words: str) -> CardMessage:
            log.warning("card.refused", why=why, idea=repr(idea_id)[:32], actor=object_id)
            return self._views.refused(words)

        number = idea_id
        if number is None or not 1 <= number <= MAX_ID:
            return refused("malformed", "That idea could not be found.")
        async with self._uow() as uow:
            idea = await uow.ideas.by_id(number)
            organisation = await self._organisation.read(uow)
        if idea is None or organisation is None:
            return refused("no such idea", "That idea could not be found.")
        viewer = viewer_of(object_id, idea, organisation)
        if not viewer - {Party.CONTRIBUTOR}:
            return refused("not theirs", "Only the PMO team and the portfolio's business leads "
                                         "can see this card.")
        return self._views.idea_card(idea, viewer, organisation)

    def malformed(self, actor: Caller, verb: str, problem: Malformed) -> CardMessage:
        """The answer to a press no card sends (see parse_decide): nothing changes, and the
        card says so."""
        log.warning("decision.refused", why="malformed", move=verb[:32],
                    words=str(problem)[:64], actor=actor.object_id)
        return self._views.refused(str(problem))

    async def decide(self, actor: Caller, request: Decide | DeclineDuplicate) -> CardMessage:
        """Make one move; the answer is the card the actor should now see in place of theirs.

        Nothing changes unless the move is allowed for this actor in the idea's status, the
        card's version is the idea's current one, and every required answer is given. A
        one-press "Decline as duplicate" is the decline the idea's status calls for, checked
        as the Decline form is, naming one of the idea's likely duplicates.
        """
        one_press = isinstance(request, DeclineDuplicate)
        chosen = (DECLINE_DUPLICATE if isinstance(request, DeclineDuplicate)
                  else request.move.value)
        version = request.version

        def refused(why: str, words: str) -> CardMessage:
            log.warning("decision.refused", why=why, move=chosen,
                        idea=request.idea_id, actor=actor.object_id)
            return self._views.refused(words)

        now = self._clock.now()
        async with self._uow() as uow:
            idea = await uow.ideas.by_id(request.idea_id)
            organisation = await self._organisation.read(uow)
            if idea is None or organisation is None:
                return refused("no such idea", "That idea could not be found. Nothing changed.")
            viewer = viewer_of(actor.object_id, idea, organisation)
            # A card's buttons are staff moves: a contributor withdraws from their own chat.
            acting = viewer - {Party.CONTRIBUTOR}
            if not acting:
                return refused("not theirs", "You are not one of the people who can act on "
                                             "this idea, so nothing changed.")

            def as_it_is(idea: IdeaDetail, why: str, notice: str,
                         typed: Mapping[str, str] | None = None) -> CardMessage:
                """The idea's card as it is now, saying why nothing changed."""
                log.warning("decision.refused", why=why, move=chosen, idea=idea.id,
                            actor=actor.object_id)
                return self._views.idea_card(idea, viewer, organisation, notice=notice,
                                             typed=typed)

            if version > idea.version:  # no card ever carried it: forged or broken
                return as_it_is(idea, "version from the future",
                                "That button does not match this idea. Nothing changed; "
                                "here is the idea as it is now.")
            if version != idea.version:
                return as_it_is(idea, "out of date", _latest(idea, organisation))
            # What to put back on the card when an answer is refused: what the person typed
            # (a one-press decline's own answers are not theirs to see in the forms).
            typed = request.root_causes if isinstance(request, DeclineDuplicate) else None
            move = request.as_decide(idea.status) if isinstance(request, DeclineDuplicate) \
                else request
            try:
                rule = rule_for(idea.status, move.move, acting)
                decision = await _decision(uow, move, idea, now, organisation,
                                           one_press=one_press)
            except NotAllowed as refusal:
                return as_it_is(idea, "not allowed", str(refusal))
            except InvalidText as problem:
                return as_it_is(idea, f"invalid {problem.field}", str(problem),
                                typed=move.answers if typed is None else typed)
            to = rule.to or idea.status
            moved = await uow.ideas.change(idea, now, change_for(decision, to, idea))
            if moved is None:
                current = await uow.ideas.by_id(idea.id)
                assert current is not None
                return as_it_is(current, "lost the race", _latest(current, organisation))
            notice_key = await self._tell_contributor(uow, moved, decision, organisation,
                                                      actor, now)
            entry = HistoryEntry(
                at=now, actor=actor.object_id, action=move.move.value, from_status=idea.status,
                to_status=to, reason=decision.why,
                message_to_contributor=decision.message, detail=_detail(decision, idea),
            )
            await uow.ideas.add_history(idea.id, entry, internal_note=decision.note,
                                        notice_key=notice_key)
            # The cards say who made this move and when.
            moved = replace(moved, history=(*moved.history, entry))
            await uow.audit.record(AuditEntry(
                actor=actor.object_id, action=f"idea.{move.move.value}", subject=idea.reference,
                at=now, detail={"from": idea.status.value, "to": to.value,
                                "version": moved.version}
                | ({"one_press": DECLINE_DUPLICATE} if one_press else {}),
            ))
            cards = await update_staff_cards(uow, moved, organisation, self._views.idea_card,
                                             actor.tenant_id, now)
            await uow.commit()
        viewer = viewer_of(actor.object_id, moved, organisation)
        return cards.get(viewer) or self._views.idea_card(moved, viewer, organisation)

    async def answer(self, contributor: Caller, reference: str, text: Answer) -> IdeaDetail:
        """The contributor answers the latest question about their idea. Everyone following
        the idea is told, and every staff copy of its card shows the question and the answer.

        The answer changes the idea's version, so that each staff card is replaced in place
        and a decision pressed on a card without it says what changed meanwhile."""
        answer = clean_text(text, field="answer", label="Your answer", limit=2000)
        now = self._clock.now()
        async with self._uow() as uow:
            idea = await uow.ideas.of_contributor(contributor.object_id, reference)
            if idea is None:
                raise NotFound(f"I could not find an idea {reference} of yours.")
            question = latest_question(idea)
            if question is None:  # an answer card nobody sent: nobody would read the answer
                raise NotAllowed(f"Nobody has asked a question about {reference}, so there is "
                                 "nothing to answer. Nothing was added.")
            if not answerable(idea.status):
                raise NotAllowed(f"{reference} is {idea.summary.status_label.lower()} now, so "
                                 "the question no longer needs an answer. Nothing was added.")
            organisation = await self._organisation.read(uow)
            moved = await uow.ideas.change(idea, now, IdeaChange.of(idea))
            if moved is None:
                raise OutOfDate(f"{reference} changed just now. Please look at it and answer "
                                "again.")
            entry = HistoryEntry(at=now, actor=contributor.object_id, action=ANSWERED,
                                 from_status=idea.status, to_status=idea.status, reason=None,
                                 detail={"answer": answer})
            await uow.ideas.add_history(idea.id, entry)
            moved = replace(moved, history=(*moved.history, entry))
            await uow.audit.record(AuditEntry(actor=contributor.object_id,
                                              action="idea.answered", subject=reference,
                                              at=now, detail={"version": moved.version}))
            if organisation is not None:
                card = self._views.answer_for_staff(moved, question.asked.message_to_contributor
                                                    or "", answer)
                await uow.outbox.enqueue_all([OutgoingMessage(
                    recipient=Recipient.person(object_id, contributor.tenant_id),
                    kind=MessageKind.STATUS, message=card,
                    dedupe_key=f"answer:{reference}:v{moved.version}:{object_id}",
                ) for object_id in followers_of(moved, organisation)
                    if object_id != contributor.object_id], now)  # staff who answered
                await update_staff_cards(uow, moved, organisation, self._views.idea_card,
                                         contributor.tenant_id, now)
            await uow.commit()
        return moved

    async def _tell_contributor(self, uow: UnitOfWork, idea: IdeaDetail, decision: Decision,
                                organisation: Organisation, actor: Caller,
                                now: datetime) -> str:
        duplicate = (await uow.idea_matches.original(decision.duplicate_of)
                     if decision.duplicate_of else None)
        key = f"notice:{idea.reference}:v{idea.version}"
        await uow.outbox.enqueue(OutgoingMessage(
            recipient=Recipient.person(idea.contributor_object_id, actor.tenant_id),
            kind=MessageKind.STATUS, dedupe_key=key,
            message=self._views.contributor_notice(idea, decision, organisation, duplicate),
        ), now)
        # Its supporters follow it too: each their own card, without the contributor's
        # message or answer box, under their own key.
        if tells_supporters(decision.move):
            await tell_supporters(uow, idea, lambda: self._views.supporter_notice(
                idea, idea.title_for_colleagues, decision, organisation, duplicate),
                key, actor.tenant_id, now)
        if (decision.move is Move.DELIVER and idea.named_publicly
                and organisation.news_channel):
            await uow.outbox.enqueue(OutgoingMessage(
                recipient=Recipient.channel(organisation.news_channel, actor.tenant_id),
                kind=MessageKind.NOTICE, dedupe_key=f"recognition:{idea.reference}",
                message=self._views.recognition(idea, decision.what_changed or ""),
            ), now)
        return key


async def _decision(uow: UnitOfWork, request: Decide, idea: IdeaDetail, now: datetime,
                    organisation: Organisation, *, one_press: bool = False) -> Decision:
    """Check the answers the move's spec asks for, in the form's order (the root causes, and
    the note, first); InvalidText names the first one missing or wrong. `one_press`: the
    original must be one of the similar ideas found for the idea."""
    move, spec = request.move, request.move.spec
    problem = implicated = None
    if spec.root_cause:
        problem, implicated = root_causes(*(request.answers.get(answer.name)
                                            for answer in ROOT_CAUSES))
    texts: dict[str, str | None] = {}
    portfolio = reason = duplicate_of = revisit_on = None
    for answer in sorted(spec.inputs, key=lambda answer: answer is not NOTE):
        value = request.answer(answer.name)
        if answer.kind is InputKind.TEXT:
            texts[answer.name] = answer.text(value)
        elif answer.options is Options.PORTFOLIOS:
            portfolio = _portfolio(value, move, idea, organisation, answer)
        elif answer.kind is InputKind.CHOICE:
            reason = decline_reason(
                value, at_triage=answer.options is Options.TRIAGE_DECLINE_REASONS)
        elif answer.kind is InputKind.REFERENCE:
            if reason is DeclineReason.DUPLICATE:
                duplicate_of = await _original(uow, value, idea, answer,
                                               among_matches=one_press)
        else:
            revisit_on = revisit_date(value, uk_day(now))
    return Decision(
        move=move, message=texts.get("message"), note=texts.get("note"), reason=reason,
        duplicate_of=duplicate_of, revisit_on=revisit_on, portfolio=portfolio,
        root_cause_problem=problem, root_cause_implicated=implicated,
        what_changed=texts.get("what_changed"), benefit_seen=texts.get("benefit_seen"),
        reopen_reason=texts.get("reason"),
    )


def _portfolio(value: str | None, move: Move, idea: IdeaDetail, organisation: Organisation,
               answer: Input) -> str:
    """A portfolio of the organisation, other than the idea's own when re-allocating."""
    if value not in {p.key for p in organisation.portfolios}:
        raise InvalidText(answer.name, answer.unusable)
    assert value is not None
    if move is Move.REALLOCATE and value == idea.portfolio_key:
        raise InvalidText(answer.name, "It is already with that portfolio.")
    return value


async def _original(uow: UnitOfWork, value: str | None, idea: IdeaDetail, answer: Input, *,
                    among_matches: bool) -> str:
    """The reference of the idea `idea` duplicates: one that exists, is not the idea itself,
    was not withdrawn and may be named to its contributor; with `among_matches`, one of the
    similar ideas found for it as well."""
    reference = find_reference(value)
    if reference is None:
        raise InvalidText(answer.name, answer.unusable)
    original = (None if reference == idea.reference
                else await uow.idea_matches.original(reference))
    refusal = original_refusal(reference, idea.reference, original)
    if refusal is None and among_matches and reference not in {
            match.reference for match in idea.matches or () if match.kind is MatchKind.IDEA}:
        refusal = (f"{reference} is not one of the similar ideas found for {idea.reference}. "
                   "To name it as the original, use Decline and give its reference.")
    if refusal is not None:
        raise InvalidText(answer.name, refusal)
    return reference


def _detail(decision: Decision, idea: IdeaDetail) -> dict[str, object] | None:
    detail: dict[str, object] = {}
    if decision.portfolio:
        detail |= {"from_portfolio": idea.portfolio_key, "to_portfolio": decision.portfolio}
    if decision.duplicate_of:
        detail["duplicate_of"] = decision.duplicate_of
    if decision.revisit_on:
        detail["revisit_on"] = decision.revisit_on.isoformat()
    if decision.what_changed:
        detail["what_changed"] = decision.what_changed
    if decision.benefit_seen:
        detail["benefit_seen"] = decision.benefit_seen
    return detail or None


# History entries that changed the idea (and its version) without being a staff move.
_OTHER_CHANGES = {"submitted": "submitted it", "withdrawn": "withdrew it",
                  ANSWERED: "answered the question about it",
                  REASSIGNED: "moved it to another portfolio"}


def _latest(idea: IdeaDetail, organisation: Organisation) -> str:
    """Who last changed the idea, for the person whose card was out of date."""
    last = next((entry for entry in reversed(idea.history)
                 if entry.action in _OTHER_CHANGES or entry.action in set(Move)), None)
    if last is None:
        return "This card was out of date. Nothing changed; here is the idea as it is now."
    person = organisation.person(last.actor)
    if last.action == REASSIGNED:  # a load of the organisation file, not a person
        who = "A change to the organisation file"
    elif person is not None:
        who = person.name
    elif last.actor == idea.contributor_object_id:
        who = idea.contributor_name or "The contributor"
    else:
        who = "Someone"
    what = (Move(last.action).label if last.action in set(Move)
            else _OTHER_CHANGES[last.action])
    when = last.at.astimezone(LONDON).strftime("%H:%M on %d %B")
    return f"This card was out of date: {who} {what} at {when}. Nothing else changed."
