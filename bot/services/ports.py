"""The ports the services need from the outside world; storage and the channel implement them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.audit import AuditEntry
from bot.domain.board_pack import PackCounts
from bot.domain.breakers import Breaker, GivenUp, ProbeWaits
from bot.domain.campaigns import Campaign, CampaignRequest, CampaignState
from bot.domain.digest import Delivered, Digest
from bot.domain.duplicates import Original, ToMatch
from bot.domain.feedback import Feedback
from bot.domain.ideas import HistoryEntry, IdeaChange, IdeaDetail, IdeaSubmission, IdeaSummary
from bot.domain.initiatives import Initiative, InitiativeRequest
from bot.domain.intake import Draft
from bot.domain.legacy import ImportedIdea
from bot.domain.listing import IdeaQuery
from bot.domain.messages import CardMessage
from bot.domain.organisation import Organisation
from bot.domain.outbox import (
    BatchProgress,
    Delivery,
    OutgoingMessage,
    Recipient,
    SendsElsewhere,
    SentActivity,
)
from bot.domain.personal_data import Scrubber
from bot.domain.profile import Profile
from bot.domain.reminders import JobState, Mark, Reading
from bot.domain.similar import (
    Audience,
    Found,
    IndexedText,
    Match,
    MatchKind,
    Position,
    Ranked,
    Stamp,
    Thresholds,
)
from bot.domain.sla import IdeaPromise, Promise
from bot.domain.sla_counts import SlaGroup
from bot.domain.summary import Summary
from bot.domain.supporters import Standing
from bot.domain.trail import Trail
from bot.domain.visibility import Findability


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class AddressBook(Protocol):
    async def remember(self, address: ConversationAddress, seen_at: datetime) -> bool:
        """Record or refresh an address; True when the conversation was not known before."""
        ...

    async def mark_removed(self, conversation_id: str, at: datetime) -> None:
        """The bot was uninstalled from this conversation: do not send there until it is back."""
        ...

    async def personal_address(self, object_id: str) -> ConversationAddress | None:
        """The most recently seen reachable 1:1 chat with this person, if any."""
        ...

    async def address(self, conversation_id: str) -> ConversationAddress | None:
        """The stored address of a conversation the bot may still send to, if any."""
        ...

    async def people_with_app(self) -> list[str]:
        """The Entra object ids of everyone with a 1:1 chat with the bot not removed (what a
        Teams admin's pre-install produces), each once."""
        ...

    async def latest_in_tenant(self, tenant_id: str | None) -> ConversationAddress | None:
        """The most recently seen address in a tenant: its service URL and bot id serve to
        open new 1:1 chats there."""
        ...

    async def addresses_for(
        self, recipients: Iterable[Recipient]
    ) -> dict[Recipient, ConversationAddress]:
        """For each recipient, what `address` (one with a conversation id) or
        `personal_address` (a person) would answer, in one go; those with none are left out."""
        ...

    async def channels(self, limit: int) -> list[str]:
        """The conversation ids of the team channels the bot is installed in, the most
        recently heard from first, at most `limit`."""
        ...


class OrganisationStore(Protocol):
    async def revision(self) -> int:
        """A number that changes whenever the organisation does (0 before the first load)."""
        ...

    async def load(self) -> Organisation | None:
        """The organisation as last loaded, or None before the first load."""
        ...

    async def replace(self, organisation: Organisation, at: datetime) -> int:
        """Make `organisation` the current one; return its new revision."""
        ...


class FeedbackStore(Protocol):
    async def add(self, author_object_id: str, feedback: Feedback, card_id: str | None,
                  at: datetime) -> int | None:
        """Store feedback once per form; return its id, or None if that form was already sent."""
        ...


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None: ...


class Outbox(Protocol):
    """Queueing messages inside a change's transaction: they are sent only if it commits."""

    async def enqueue(self, message: OutgoingMessage, now: datetime) -> bool:
        """Queue `message` unless its de-duplication key is queued already; True if queued."""
        ...

    async def enqueue_all(self, messages: list[OutgoingMessage], now: datetime) -> int:
        """Queue several messages at once, each unless its key is queued already."""
        ...

    async def replace_cards(self, replacements: dict[str, OutgoingMessage],
                            now: datetime) -> set[str]:
        """Replace queued or sent cards, keyed by the card each replaces; the keys of the
        cards that were found and replaced."""
        ...

    async def first_sends(self, keys: list[str]) -> dict[str, datetime]:
        """Which of `keys` were queued as first sends (not replacements), and when."""
        ...

    async def cancel_batch(self, batch: str, at: datetime) -> int:
        """Call off the messages of `batch` not yet sent nor in flight; how many."""
        ...

    async def give_up_conversation(self, conversation_id: str, reason: str) -> frozenset[int]:
        """Give up every message not sent to the conversation, with `reason`; their ids."""
        ...

    async def batch_progress(self, batch: str) -> BatchProgress:
        """How many of the messages of `batch` stand where."""
        ...

    async def sent_counts(self, batches: list[str]) -> dict[str, int]:
        """How many messages of each of `batches` were sent."""
        ...

    async def unreachable_in(self, batch: str) -> list[tuple[Recipient, str]]:
        """The recipients of `batch` given up as unreachable, each with the reason."""
        ...

    async def retry_failed(self, batch: str, now: datetime) -> int:
        """Give the messages of `batch` that were given up a fresh set of attempts, except
        those whose recipient cannot be reached; how many."""
        ...


class Ideas(Protocol):
    async def next_reference(self, year: int) -> str: ...

    async def reference_for_submission(self, submission_key: str) -> str | None:
        """The reference of the idea made from this draft, if it was submitted already."""
        ...

    async def add(self, idea: IdeaSubmission, first: HistoryEntry) -> IdeaDetail:
        """Store a new idea and the first entry of its history; the idea as stored."""
        ...

    async def add_history(self, idea_id: int, entry: HistoryEntry,
                          internal_note: str | None = None,
                          notice_key: str | None = None) -> None: ...

    async def summaries_of(self, object_id: str, offset: int,
                           limit: int) -> tuple[list[IdeaSummary], int]: ...

    async def of_contributor(self, object_id: str, reference: str) -> IdeaDetail | None:
        """The idea with its history, only if this person contributed it."""
        ...

    async def by_id(self, idea_id: int) -> IdeaDetail | None: ...

    async def by_reference(self, reference: str) -> IdeaDetail | None: ...

    async def change(self, idea: IdeaDetail, at: datetime,
                     change: IdeaChange) -> IdeaDetail | None:
        """Apply `change` unless the idea changed since it was read; the changed idea, or
        None if it had changed."""
        ...

    async def count(self, query: IdeaQuery) -> int:
        """How many ideas `query` holds."""
        ...

    async def listed(self, query: IdeaQuery, offset: int, limit: int) -> list[IdeaSummary]:
        """`limit` of the ideas `query` holds, from `offset`, in its order."""
        ...

    async def set_findability(self, idea_id: int, before: Findability,
                              after: Findability) -> bool:
        """Who may find the idea by searching, and its public title, now `after`, unless its
        setting is no longer `before` (False: somebody changed it meanwhile)."""
        ...


class IdeaMatches(Protocol):
    """The similar ideas found for each idea after it was saved, for its assessors' cards."""

    async def due(self, limit: int) -> list[ToMatch]:
        """At most `limit` undecided ideas whose matches are not found yet, newest first."""
        ...

    async def claim(self, idea_id: int, at: datetime) -> bool:
        """Mark the idea's matches found, if nobody has and it is still undecided; False
        otherwise. The idea stays locked until the transaction ends."""
        ...

    async def store(self, idea_id: int, found: Sequence[Match]) -> None:
        """Keep `found` as the idea's matches, in place of any found before."""
        ...

    async def found_for(self, idea_id: int) -> tuple[Match, ...]:
        """The idea's matches, best first, each as it is now."""
        ...

    async def original(self, reference: str) -> Original | None:
        """The idea `reference` as the original a duplicate may name, or None."""
        ...


class Campaigns(Protocol):
    """The PMO's campaigns."""

    async def keys_from(self, prefix: str) -> list[str]:
        """The keys of the campaigns whose key starts with `prefix`."""
        ...

    async def add(self, request: CampaignRequest, key: str, created_by: str,
                  at: datetime) -> Campaign:
        """Keep a checked request as a new draft campaign under `key`."""
        ...

    async def by_id(self, campaign_id: int) -> Campaign | None: ...

    async def listed(self) -> list[Campaign]:
        """Every campaign, the latest to open first."""
        ...

    async def replace(self, campaign_id: int, request: CampaignRequest,
                      states: Iterable[CampaignState]) -> Campaign | None:
        """Put a checked request in the campaign's place while it is in one of `states`; the
        campaign as changed, or None if it was in none of them."""
        ...

    async def move(self, campaign_id: int, to: CampaignState, states: Iterable[CampaignState],
                   *, sent_at: datetime | None = None, sent_by: str | None = None,
                   recipients: int | None = None) -> bool:
        """Move the campaign to `to` if it is in one of `states`, recording `sent_at`,
        `sent_by` and `recipients` when given; False if it was in none of them."""
        ...

    async def ideas_received(self) -> dict[str, int]:
        """How many ideas each campaign key tags."""
        ...

    async def opt_out(self, object_id: str, at: datetime) -> bool:
        """Stop campaign calls to this person; True if they had not stopped them before."""
        ...

    async def opt_in(self, object_id: str) -> bool:
        """Send this person campaign calls again; True if they had stopped them."""
        ...

    async def opted_out_count(self) -> int: ...

    async def opted_out(self) -> set[str]:
        """The Entra object ids of everyone who stopped campaign calls."""
        ...

    async def by_key(self, key: str) -> Campaign | None: ...

    async def taking_ideas(self, day: date) -> list[Campaign]:
        """The campaigns an idea submitted on `day` (UK) may answer (Campaign.takes_ideas)."""
        ...


class BoardPackCounts(Protocol):
    """The monthly board pack's counts, each an aggregate of the database (storage/board_pack)."""

    async def portfolio_names(self) -> dict[str, str]:
        """Every portfolio's name by key, the retired ones' too."""
        ...

    async def counts(self, month: date, scope: Sequence[str] | None) -> PackCounts:
        """The pack's counts for the month beginning `month`, of the portfolios in `scope`
        (None: every portfolio)."""
        ...


class Digests(Protocol):
    """The workforce digests, and the deliveries they tell."""

    async def last_sent(self) -> Digest | None:
        """The digest sent last (its window ends where the next begins), if any."""
        ...

    async def delivered(self, since: datetime, until: datetime, limit: int,
                        departments: Mapping[str, str]) -> tuple[list[Delivered], int]:
        """The latest `limit` ideas delivered in the window and still delivered, credited
        as their contributors agreed (`departments`: names by key), and how many there are."""
        ...

    async def add(self, covers_from: datetime, covers_to: datetime,
                  entries: list[Delivered], total: int, created_by: str,
                  at: datetime) -> Digest:
        """Keep a prepared digest as a draft."""
        ...

    async def by_id(self, digest_id: int) -> Digest | None: ...

    async def mark_sent(self, digest_id: int, sent_by: str, at: datetime,
                        recipients: int) -> bool:
        """Record the draft as sent; False if it was sent already."""
        ...


class CampaignTimeline(Protocol):
    """Campaigns over time: scheduling a call, and what the campaign pass and the progress
    watcher read and claim. Each claim is conditional: False when another pass made it first."""

    async def schedule(self, campaign_id: int, at: datetime, by: str) -> bool:
        """Schedule an unsent draft or scheduled campaign's call for `at`."""
        ...

    async def unschedule(self, campaign_id: int) -> bool:
        """Put a scheduled campaign back to a draft."""
        ...

    async def follow_progress(self, campaign_id: int, object_id: str) -> None: ...

    async def scheduled_by(self, now: datetime) -> list[Campaign]:
        """The scheduled campaigns whose moment is `now` or earlier."""
        ...

    async def next_scheduled(self) -> datetime | None:
        """The earliest moment of a call still scheduled, if any."""
        ...

    async def closing(self, today: date) -> list[Campaign]:
        """The open campaigns whose closing day is before `today`."""
        ...

    async def close(self, campaign_id: int, at: datetime) -> bool: ...

    async def to_remind(self, today: date) -> list[Campaign]:
        """The open campaigns owed a reminder around `today` (bot.domain.campaign_schedule)."""
        ...

    async def reminded(self, campaign_id: int, at: datetime) -> bool: ...

    async def responders(self, key: str) -> set[str]:
        """Who sent an idea answering the campaign `key`."""
        ...

    async def ideas_by_portfolio(self, key: str) -> list[tuple[str, int]]:
        """How many ideas answered the campaign `key`, by portfolio key."""
        ...

    async def followed(self) -> list[tuple[Campaign, str]]:
        """Sent campaigns whose progress card is still to be drawn final, with its follower."""
        ...

    async def claim_redraw(self, campaign_id: int, now: datetime, every: timedelta, *,
                           final: bool) -> bool:
        """Claim the next redraw of the progress card, at most one per `every`."""
        ...

    async def follow_again(self, campaign_id: int) -> None: ...


class JobLedger(Protocol):
    """What the scheduler's jobs read, and the marks of what its passes have done."""

    async def state(self, reading: Reading, organisation: Organisation) -> JobState: ...

    async def claim(self, marks: list[Mark], at: datetime) -> frozenset[Mark]:
        """Record the marks no pass has recorded yet; those this call recorded."""
        ...


class Drafts(Protocol):
    async def get(self, object_id: str) -> tuple[str, Draft, datetime] | None:
        """(draft id, draft, last change) of the person's draft, if they have one."""
        ...

    async def claim(self, object_id: str) -> None:
        """Hold the person's draft (if any) until the transaction ends: another transaction
        claiming it waits until this one has committed or rolled back."""
        ...

    async def put(self, object_id: str, draft_id: str, draft: Draft, at: datetime) -> None: ...

    async def delete(self, object_id: str) -> None: ...


class Supporters(Protocol):
    """Colleagues who support an idea rather than submit their own."""

    async def hold_supportable(self, idea_id: int) -> bool:
        """Whether colleagues may support the idea (shared, not withdrawn), holding its row
        until the transaction ends."""
        ...

    async def add(self, idea_id: int, object_id: str, name: str | None, comment: str,
                  at: datetime) -> bool:
        """Record a supporter; False if they were one already."""
        ...

    async def of(self, idea_id: int) -> list[str]:
        """The Entra object ids of the idea's supporters."""
        ...


    async def standing(self, object_id: str,
                       idea_ids: Collection[int]) -> dict[int, Standing]:
        """Of `idea_ids`, those the person contributed or supports already."""
        ...


class Profiles(Protocol):
    async def get(self, object_id: str) -> Profile | None: ...

    async def put(self, object_id: str, profile: Profile, at: datetime) -> None: ...


class OutboxQueue(Protocol):
    """The worker's side of the outbox: claim due messages, record what became of them."""

    async def claim(self, owner: str, now: datetime, limit: int,
                    lease: timedelta) -> list[Delivery]: ...

    async def renew(self, delivery_id: int, owner: str, until: datetime) -> bool:
        """Extend the lease on a claimed message about to be sent; False if it is no longer
        `owner`'s (another worker claimed it after the lease ran out)."""
        ...

    async def sent(self, delivery_id: int, owner: str, at: datetime, conversation_id: str,
                   activity_id: str | None) -> None: ...

    async def retry(self, delivery_id: int, owner: str, not_before: datetime,
                    error: str | None, *, count_attempt: bool = True) -> None: ...

    async def dead(self, delivery_id: int, owner: str, error: str, *,
                   unreachable: bool = False) -> None:
        """Give the message up; `unreachable` when its recipient cannot be reached (they
        blocked or removed the app, or the chat is gone), so that no resend tries again."""
        ...

    async def sent_activity(self, delivery_id: int) -> SentActivity | None:
        """Where an earlier message went (for replacing its card)."""
        ...

    async def sends_elsewhere(self, owner: str, conversations: Collection[str],
                              since: datetime, active_since: datetime) -> SendsElsewhere:
        """Other workers' sends to these conversations since `since`, oldest first, and how
        many other workers have sent anything since `active_since`."""
        ...


class BreakerStore(Protocol):
    """The destinations paused by their breakers (bot.domain.breakers), shared by replicas."""

    async def open_among(self, conversation_ids: Iterable[str]) -> dict[str, Breaker]:
        """The breakers open for any of these conversations."""
        ...

    async def trip(self, conversation_id: str, kind: ConversationKind, reason: str,
                   now: datetime, waits: ProbeWaits) -> tuple[Breaker, bool]:
        """Open the conversation's breaker, or count a refusal on the one open; the breaker,
        and whether this refusal opened it."""
        ...

    async def close(self, conversation_id: str) -> Breaker | None:
        """Close the conversation's breaker; the one that was open, if any."""
        ...

    async def paused(self) -> list[tuple[Breaker, int]]:
        """Every open breaker, longest paused first, with how many messages wait there."""
        ...


class DestinationBreakers(Protocol):
    """The worker's side of the breakers: which destinations are paused, and what a refusal
    or a send that went through there means."""

    async def open_among(self, conversation_ids: Iterable[str]) -> dict[str, Breaker]:
        """The breakers open for any of these conversations (read once a batch)."""
        ...

    async def refused(self, address: ConversationAddress,
                      reason: str) -> Breaker | GivenUp:
        """A send to `address` was refused as closed to the bot (or it is gone): pause it
        (telling the PMO once an opening); its breaker says when a message may next be tried
        there. Given up, with its waiting messages, once it has refused past the ceiling."""
        ...

    async def resumed(self, address: ConversationAddress) -> None:
        """A send to the conversation went through: its waiting messages may go (the PMO
        is told, once an opening)."""
        ...


@dataclass(frozen=True, slots=True)
class SendResult:
    """The Bot Connector's answer: HTTP status (None for a network error or time-out), the
    new activity's id, Retry-After in seconds, and the error it gave."""

    status: int | None
    activity_id: str | None = None
    retry_after: float | None = None
    error: str | None = None


class Messenger(Protocol):
    """Speaking first: the Bot Connector REST API, behind the channel."""

    async def send(self, address: ConversationAddress, message: CardMessage) -> SendResult: ...

    async def replace(self, address: ConversationAddress, activity_id: str,
                      message: CardMessage) -> SendResult: ...

    async def open_personal_chat(
        self, object_id: str, tenant_id: str | None, via: ConversationAddress
    ) -> tuple[SendResult, ConversationAddress | None]:
        """Create (or find) the 1:1 chat with a person, using `via`'s service URL and bot."""
        ...


class Promises(Protocol):
    """The two-month promise's columns on ideas (bot.domain.sla): checked, repaired, counted."""

    async def derived(self, after_id: int, limit: int) -> list[IdeaPromise]:
        """Up to `limit` ideas after `after_id`, in id order, each as its row keeps its
        promise and as derived again from its history and the outbox."""
        ...

    async def put(self, idea_id: int, promise: Promise) -> None:
        """Make the idea's row keep `promise`."""
        ...

    async def counted(self, first: date, last: date, as_at: datetime, *,
                      portfolios: Sequence[str] | None = None, months: Sequence[date] = (),
                      by_portfolio: bool = False) -> list[SlaGroup]:
        """The promise of the ideas (of `portfolios`, or of all) due from `first` to `last`,
        judged as at `as_at` and counted: of them all, or of each of `months` (first days),
        and `by_portfolio` of each portfolio too; only groups with ideas are returned."""
        ...


class Summaries(Protocol):
    """The summary's figures as at a moment (bot.domain.summary), counted by the database."""

    async def portfolio_known(self, key: str) -> bool:
        """Whether `key` is a portfolio the organisation has, or had."""
        ...

    async def summary(self, as_of: datetime, portfolio: str | None = None) -> Summary:
        """The figures as at `as_of`, of `portfolio`'s ideas or everyone's."""
        ...


class LegacyStore(Protocol):
    """What importing the list kept before the bot reads and writes, in bulk (a chunk of rows
    a statement, never a statement a row)."""

    async def imported_references(self) -> dict[str, str]:
        """Every imported idea's reference, by its list ID."""
        ...

    async def people_by_email(self) -> dict[str, str]:
        """The object id of every person with an e-mail address, by the address casefolded;
        a person from the organisation before an imported one with the same address."""
        ...

    async def names(self, kind: str) -> dict[str, str]:
        """Every `kind` ("categories" or "portfolios"), retired or not: name by key."""
        ...

    async def add_retired(self, kind: str, named: dict[str, str]) -> None:
        """Add categories or portfolios (name by key) retired: never offered to new ideas."""
        ...

    async def add_people(self, people: dict[str, tuple[str, str | None]]) -> int:
        """Keep imported contributors (name and e-mail by object id) not kept yet, as people
        who are not part of the organisation; how many were new."""
        ...

    async def reserve_references(self, year: int, count: int) -> int:
        """Take `count` numbers of `year`'s references, from the counter new ideas use;
        the first of them."""
        ...

    async def add_ideas(self, ideas: list[ImportedIdea]) -> None:
        """Store imported ideas with their history."""
        ...

    async def adopt(self, people: dict[str, str]) -> dict[str, int]:
        """Give the imported ideas of an imported contributor to the person with the same
        e-mail (object id by e-mail casefolded); how many each person got."""
        ...

    async def awaiting_claim(self) -> bool:
        """Whether any imported idea is still an imported contributor's."""
        ...

    async def looked_up(self, object_id: str) -> bool:
        """Whether Teams was asked who the person is by e-mail already."""
        ...

    async def remember_lookup(self, object_id: str, email: str | None, upn: str | None,
                              at: datetime) -> None:
        """What Teams said of the person's e-mail address and UPN."""
        ...


class Initiatives(Protocol):
    """The PMO's register of known initiatives."""

    async def add(self, request: InitiativeRequest, at: datetime, by: str,
                  source_key: str | None = None) -> Initiative:
        """Keep a checked initiative, active, under the next reference (INI-0001 style);
        `source_key`: its ID in an imported register."""
        ...

    async def by_id(self, initiative_id: int) -> Initiative | None: ...

    async def by_source_keys(self, keys: Collection[str]) -> dict[str, Initiative]:
        """The initiatives imported under any of `keys`, by key."""
        ...

    async def replace(self, initiative_id: int, request: InitiativeRequest, at: datetime,
                      by: str) -> Initiative | None:
        """Put a checked request in the initiative's place; None if there is no such one."""
        ...

    async def set_active(self, initiative_id: int, active: bool, at: datetime,
                         by: str) -> Initiative | None:
        """Retire (or restore) the initiative; None when it was so already, or is not."""
        ...

    async def count(self, active: bool | None = None) -> int:
        """How many initiatives there are (of those active or retired, when given)."""
        ...

    async def listed(self, offset: int, limit: int) -> list[Initiative]:
        """`limit` initiatives from `offset`: the active ones first, each by reference."""
        ...


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """An idea's or initiative's text indexed again: its vector by `model` (None, with no
    vector: the model is off), and its document as it was read, to write it back only if no one
    indexed it meanwhile (seen_digest None: there was none)."""

    kind: MatchKind
    item_id: int
    text: str
    seen_digest: str | None
    seen_model: str | None
    model: str | None = None
    vector: bytes | None = None


class MatchReindex(Protocol):
    """The similar-ideas index brought up to date in bulk (`iip similar reindex`)."""

    async def stale(self, model: str | None) -> list[tuple[MatchKind, int]]:
        """The ideas and active initiatives whose document is missing, differs from their text,
        or was not made by `model` (None: the model is off, any document will do)."""
        ...

    async def documents(self, items: Sequence[tuple[MatchKind, int]]) -> list[IndexedDocument]:
        """The current text of each of `items` with its document as it is now (retired
        initiatives left out); model and vector still to be given."""
        ...

    async def put(self, documents: Sequence[IndexedDocument], at: datetime) -> int:
        """Write each where its document is still as it was read; how many were written."""
        ...


class MemberDirectory(Protocol):
    """What Teams holds about the person of a personal chat, beyond what a message carries."""

    async def member_addresses(
        self, address: ConversationAddress,
    ) -> tuple[str | None, str | None] | None:
        """The person's e-mail address and UPN, as Teams holds them; None when Teams could not
        be asked or did not answer."""
        ...


class MatchDocuments(Protocol):
    """What similar-idea searches rank (one text per idea or initiative), and what is shown of
    what they find."""

    async def put(self, document: IndexedText) -> None:
        """Keep `document`, in place of what was kept for the same idea or initiative."""
        ...

    async def get(self, kind: MatchKind, item_id: int) -> IndexedText | None: ...

    async def stamped_after(self, position: Position | None, limit: int) -> list[Stamp]:
        """The stamps of the documents kept after `position` (all, from None), in the order
        positions follow, at most `limit`."""
        ...

    async def documents(self, keys: Sequence[tuple[MatchKind, int]]) -> list[IndexedText]:
        """The kept documents of these ideas and initiatives, in no order."""
        ...

    async def count(self) -> int:
        """How many documents are kept."""
        ...

    async def unindexed(self, model: str | None,
                        limit: int) -> list[tuple[MatchKind, int, str]]:
        """Ideas (but withdrawn ones) and active initiatives with no document kept, or one
        kept without `model`'s vector (when there is a model), with the text to keep."""
        ...

    async def found(self, ranked: Sequence[Ranked], audience: Audience) -> list[Found]:
        """What `audience` may be shown of the ranked ideas and initiatives, in no order."""
        ...


class TextRanker(Protocol):
    """Each replica's in-memory ranking of the kept documents (bot.matching implements it)."""

    @property
    def model(self) -> str | None:
        """The sentence model ranking now; None while characters alone rank."""
        ...

    @property
    def thresholds(self) -> Thresholds: ...

    @property
    def size(self) -> int:
        """How many documents it has learned."""
        ...

    async def embed(self, texts: Sequence[str]) -> list[bytes] | None:
        """The vectors to keep for `texts`, in order; None while the model is off."""
        ...

    def knows(self, stamp: Stamp) -> bool:
        """Whether the document so stamped is learned already as it is."""
        ...

    async def learn(self, documents: Sequence[IndexedText]) -> None: ...

    async def rank(self, text: str, limit: int,
                   exclude: Collection[tuple[MatchKind, int]] = ()) -> list[Ranked]: ...


class PersonalRecords(Protocol):
    """Everything held about one person, as storage.personal_map declares it."""

    async def scrubber(self, object_id: str, pseudonym: str) -> Scrubber:
        """What finds the person in others' words: the names, contacts and words of their own
        that their rows hold."""
        ...

    async def held(self, object_id: str, scrubber: Scrubber) -> dict[str, object]:
        """The subject access document's sections, as stored."""
        ...

    async def erase(self, object_id: str, pseudonym: str, scrubber: Scrubber,
                    now: datetime) -> dict[str, int]:
        """Erase the person everywhere; how many rows changed, by table (or table.column)."""
        ...


class IdeaTrail(Protocol):
    async def trail(self, reference: str) -> Trail | None:
        """The idea's history and audit entries in time order, or None for no such idea."""
        ...


class RetentionStore(Protocol):
    """Purging what is kept no longer, in bounded batches (each its own transaction); each
    says how many rows it purged, or with `dry_run` would purge, changing nothing."""

    async def purge_drafts(self, before: datetime, batch: int, *, dry_run: bool) -> int: ...

    async def purge_state(self, before: datetime, batch: int, *, dry_run: bool) -> int: ...

    async def purge_feedback(self, before: datetime, batch: int, *, dry_run: bool) -> int: ...

    async def purge_sent_payloads(self, before: datetime, at: datetime, batch: int, *,
                                  dry_run: bool) -> int: ...

    async def purge_outbox_rows(self, before: datetime, batch: int, *,
                                dry_run: bool) -> int: ...

    async def purge_job_marks(self, before: datetime, batch: int, *, dry_run: bool) -> int: ...


class UnitOfWork(Protocol):
    """One database transaction: everything in it commits together or not at all."""

    @property
    def addresses(self) -> AddressBook: ...

    @property
    def organisation(self) -> OrganisationStore: ...

    @property
    def feedback(self) -> FeedbackStore: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def ideas(self) -> Ideas: ...

    @property
    def drafts(self) -> Drafts: ...

    @property
    def idea_matches(self) -> IdeaMatches: ...

    @property
    def jobs(self) -> JobLedger: ...

    @property
    def profiles(self) -> Profiles: ...

    @property
    def supporters(self) -> Supporters: ...

    @property
    def promises(self) -> Promises: ...

    @property
    def campaigns(self) -> Campaigns: ...

    @property
    def digests(self) -> Digests: ...

    @property
    def legacy(self) -> LegacyStore: ...

    @property
    def campaign_timeline(self) -> CampaignTimeline: ...

    @property
    def summaries(self) -> Summaries: ...

    @property
    def board_pack(self) -> BoardPackCounts: ...

    @property
    def match_documents(self) -> MatchDocuments: ...

    @property
    def match_reindex(self) -> MatchReindex: ...

    @property
    def initiatives(self) -> Initiatives: ...

    @property
    def personal(self) -> PersonalRecords: ...

    @property
    def trails(self) -> IdeaTrail: ...

    @property
    def breakers(self) -> BreakerStore: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
