"""The unit of work: one connection, one transaction, the repositories that share it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from storage.addresses import SqlAddressBook
from storage.audit import SqlAuditLog
from storage.board_pack import SqlBoardPack
from storage.breakers import SqlBreakers
from storage.campaign_timeline import SqlCampaignTimeline
from storage.campaigns import SqlCampaigns
from storage.digests import SqlDigests
from storage.engine import connect
from storage.feedback import SqlFeedbackStore
from storage.idea_matches import SqlIdeaMatches
from storage.idea_trail import SqlIdeaTrail
from storage.ideas import SqlDrafts, SqlIdeas, SqlProfiles
from storage.initiatives import SqlInitiatives
from storage.jobs import SqlJobLedger
from storage.legacy import SqlLegacyStore
from storage.match_documents import SqlMatchDocuments
from storage.match_reindex import SqlMatchReindex
from storage.organisation import SqlOrganisationStore
from storage.outbox import SqlOutbox
from storage.personal_records import SqlPersonalRecords
from storage.promises import SqlPromises
from storage.summaries import SqlSummaries
from storage.supporters import SqlSupporters


class SqlUnitOfWork:
    """`async with` opens a transaction; `commit()` keeps its work, leaving without it undoes."""

    addresses: SqlAddressBook
    organisation: SqlOrganisationStore
    feedback: SqlFeedbackStore
    audit: SqlAuditLog
    outbox: SqlOutbox
    ideas: SqlIdeas
    drafts: SqlDrafts
    idea_matches: SqlIdeaMatches
    profiles: SqlProfiles
    promises: SqlPromises
    jobs: SqlJobLedger
    campaigns: SqlCampaigns
    digests: SqlDigests
    legacy: SqlLegacyStore
    campaign_timeline: SqlCampaignTimeline
    summaries: SqlSummaries
    board_pack: SqlBoardPack
    match_documents: SqlMatchDocuments
    supporters: SqlSupporters
    initiatives: SqlInitiatives
    match_reindex: SqlMatchReindex
    personal: SqlPersonalRecords
    trails: SqlIdeaTrail
    breakers: SqlBreakers

    def __init__(self, engine: AsyncEngine,
                 on_commit: Callable[[], None] | None = None) -> None:
        self._engine = engine
        self._on_commit = on_commit
        self._connecting: AbstractAsyncContextManager[AsyncConnection] | None = None
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None

    async def __aenter__(self) -> Self:
        self._connecting = connect(self._engine)
        self._connection = await self._connecting.__aenter__()
        try:
            self._transaction = await self._connection.begin()
        except BaseException as error:
            await self._connecting.__aexit__(type(error), error, error.__traceback__)
            raise
        self.addresses = SqlAddressBook(self._connection)
        self.organisation = SqlOrganisationStore(self._connection)
        self.feedback = SqlFeedbackStore(self._connection)
        self.audit = SqlAuditLog(self._connection)
        self.outbox = SqlOutbox(self._connection)
        self.ideas = SqlIdeas(self._connection)
        self.drafts = SqlDrafts(self._connection)
        self.idea_matches = SqlIdeaMatches(self._connection)
        self.profiles = SqlProfiles(self._connection)
        self.promises = SqlPromises(self._connection)
        self.jobs = SqlJobLedger(self._connection)
        self.campaigns = SqlCampaigns(self._connection)
        self.digests = SqlDigests(self._connection)
        self.legacy = SqlLegacyStore(self._connection)
        self.campaign_timeline = SqlCampaignTimeline(self._connection)
        self.summaries = SqlSummaries(self._connection)
        self.board_pack = SqlBoardPack(self._connection)
        self.match_documents = SqlMatchDocuments(self._connection)
        self.supporters = SqlSupporters(self._connection)
        self.initiatives = SqlInitiatives(self._connection)
        self.match_reindex = SqlMatchReindex(self._connection)
        self.personal = SqlPersonalRecords(self._connection)
        self.trails = SqlIdeaTrail(self._connection)
        self.breakers = SqlBreakers(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connecting is not None and self._transaction is not None
        try:
            if self._transaction.is_active:
                await self._transaction.rollback()
        finally:
            await self._connecting.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        assert self._transaction is not None
        await self._transaction.commit()
        if self._on_commit is not None and self.outbox.queued:
            self._on_commit()


def unit_of_work_factory(engine: AsyncEngine, on_outbox_commit: Callable[[], None] | None = None):
    """A factory the services call to start each transaction.

    `on_outbox_commit` is called after a commit that queued messages, to wake the worker.
    """

    def new_unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, on_outbox_commit)

    return new_unit_of_work
