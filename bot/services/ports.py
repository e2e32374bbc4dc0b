"""The ports the services need from the outside world; storage and the channel implement them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from bot.domain.addresses import ConversationAddress
from bot.domain.audit import AuditEntry
from bot.domain.feedback import Feedback
from bot.domain.organisation import Organisation


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


class UnitOfWork(Protocol):
    """One database transaction: everything in it commits together or not at all."""

    addresses: AddressBook
    organisation: OrganisationStore
    feedback: FeedbackStore
    audit: AuditLog

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
