"""The composition root: settings in, a running web application out."""

from __future__ import annotations

import asyncio
import gc
import secrets
from collections.abc import Awaitable, Callable
from datetime import time, timedelta
from typing import Any

import aiohttp
import structlog
from aiohttp import web
from botbuilder.core import PrivateConversationState
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channel.adapter import PortalAdapter, make_adapter
from bot.channel.handler import PortalBot
from bot.channel.http import (
    MAX_BODY_BYTES,
    REPORTS_PATH,
    health_route,
    messages_route,
    metrics_route,
    report_route,
)
from bot.channel.marking import CardMarking
from bot.channel.messenger import BearerTokens, BotConnectorMessenger, ConnectorTokens
from bot.channel.privacy import private_chat_link
from bot.channel.request_log import request_ids
from bot.channel.signing_keys import (
    CHANNEL_METADATA_URL,
    FetchJson,
    SigningKeys,
    fetch_json_with,
)
from bot.config import Settings
from bot.delivery.pacing import Pacer, safe_conversation_windows, safe_tenant_windows
from bot.delivery.worker import DeliveryOptions, DeliveryWorker
from bot.domain.breakers import ProbeWaits
from bot.domain.campaign_schedule import CAMPAIGN_PASS_SECONDS, PROGRESS_EVERY
from bot.domain.duplicates import MATCH_PASS_SECONDS
from bot.domain.ideas import uk_day
from bot.domain.reminders import Timing
from bot.domain.retention import RetentionPolicy
from bot.domain.service_urls import ServiceUrlPolicy
from bot.domain.working_days import QuietHours, WorkingDays
from bot.matching.index import MatchIndex
from bot.metrics import OutboxFigures, PortalMetrics
from bot.presenters.routes import build_presenters
from bot.services.board_packs import BoardPacks
from bot.services.bundle import Services
from bot.services.campaign_pass import CampaignPass, CampaignPassViews
from bot.services.campaign_progress import ProgressWatcher
from bot.services.campaigns import CampaignService, CampaignViews
from bot.services.clock import SystemClock
from bot.services.conversations import ConversationService
from bot.services.decisions import DecisionService
from bot.services.digests import DigestService
from bot.services.feedback import FeedbackService
from bot.services.greeting import GreetingService
from bot.services.ideas import IdeaService
from bot.services.initiatives import InitiativeService
from bot.services.jobs import JobOptions, JobRunner, Scheduler, repeat
from bot.services.legacy_claims import ImportedIdeasClaims
from bot.services.match_pass import FindsSimilar, MatchPass
from bot.services.organisation import OrganisationCache, OrganisationService
from bot.services.outbox_breakers import BreakerNotices, OutboxBreakers
from bot.services.ports import Clock, MemberDirectory, TextRanker
from bot.services.retention import Retention
from bot.services.search import EarlierIdeas
from bot.services.similar import SimilarIdeas
from bot.services.staff_desk import StaffDesk
from bot.services.supporters import SupportService, SupportViews
from bot.services.visibility import IdeaFindability
from cards.campaign_call import call_card
from cards.campaign_progress import live_progress_card
from cards.campaign_summary import closing_summary_card
from cards.decisions import DecisionCards
from cards.digest import digest_card
from cards.feedback import feedback_for_pmo_card
from cards.outbox_alerts import (
    destination_given_up_card,
    destination_paused_card,
    destination_resumed_card,
)
from cards.reminders import ReminderCards
from cards.suggestions import new_supporter_card
from storage.bot_state import SqlStorage
from storage.engine import connect, make_engine
from storage.migrate import upgrade
from storage.outbox import SqlOutboxQueue
from storage.retention import SqlRetention
from storage.uow import unit_of_work_factory

log = structlog.get_logger(__name__)

ENGINE = web.AppKey("engine", AsyncEngine)
SERVICES = web.AppKey("services", Services)
WORKER = web.AppKey("worker", DeliveryWorker)
SESSION = web.AppKey("session", aiohttp.ClientSession)
ADAPTER = web.AppKey("adapter", PortalAdapter)
SIGNING_KEYS = web.AppKey("signing_keys", SigningKeys)
JOBS = web.AppKey("jobs", JobRunner)
CAMPAIGN_PASS = web.AppKey("campaign_pass", CampaignPass)
PROGRESS = web.AppKey("campaign_progress", ProgressWatcher)
MATCH_PASS = web.AppKey("match_pass", MatchPass)
METRICS = web.AppKey("metrics", PortalMetrics)
# How often the scheduler looks whether the day's retention run is due (it runs once a UK day).
RETENTION_LOOK_SECONDS = 3600.0
# Not at start: a replica restarted or scaled out is busy enough, and the day's run can wait.
RETENTION_FIRST_LOOK_SECONDS = 600.0


def build_services(engine: AsyncEngine, clock: Clock,
                   doorbell: asyncio.Event | None = None,
                   directory: Callable[[], MemberDirectory | None] = lambda: None,
                   report_secret: bytes | None = None,
                   ranker: TextRanker | None = None) -> Services:
    """The use cases; `doorbell` is rung after every commit that queued a message;
    `directory`, Teams' member lookup once there is one (none on the command line);
    `report_secret` signs links to board packs (None: a random one, good until the process
    stops); `ranker` ranks similar ideas (None: by characters alone, without the model)."""
    uow = unit_of_work_factory(engine, doorbell.set if doorbell else None)
    cards = DecisionCards(today=lambda: uk_day(clock.now()))
    organisation = OrganisationCache()
    similar = SimilarIdeas(uow, clock, ranker or MatchIndex(use_model=False))
    return Services(
        conversations=ConversationService(uow, clock),
        organisation=OrganisationService(uow, clock, organisation, cards.idea_card),
        feedback=FeedbackService(uow, clock, feedback_for_pmo_card),
        ideas=IdeaService(uow, clock, cards, similar, organisation),
        decisions=DecisionService(uow, clock, cards, organisation),
        staff=StaffDesk(uow, clock, cards.idea_card, organisation),
        campaigns=CampaignService(uow, clock, CampaignViews(call_card, live_progress_card),
                                  organisation),
        digests=DigestService(uow, clock, digest_card, organisation),
        claims=ImportedIdeasClaims(uow, clock, directory),
        greeting=GreetingService(uow, clock, organisation),
        board_packs=BoardPacks(uow, clock, report_secret or secrets.token_bytes(32),
                               organisation),
        similar=similar,
        findability=IdeaFindability(uow, clock, cards, organisation),
        search=EarlierIdeas(uow, similar),
        supporters=SupportService(uow, clock, SupportViews(cards.idea_card, new_supporter_card),
                                  organisation),
        initiatives=InitiativeService(uow, clock, similar, organisation),
    )


def working_days_of_england_and_wales() -> WorkingDays:
    """Monday to Friday less the bank holidays of England and Wales, from the holidays
    package (which works out each year's as it is asked about)."""
    import holidays

    bank_holidays = holidays.country_holidays("GB", subdiv="ENG")
    return WorkingDays(lambda day: day in bank_holidays)


def job_options(settings: Settings) -> JobOptions:
    """The digest's time, the quiet hours and the tenant of `settings`, for the passes."""
    start, end = settings.quiet_hours or (time(0), time(0))
    return JobOptions(
        timing=Timing(working_days_of_england_and_wales(), settings.pmo_digest_at),
        quiet=QuietHours(start, end, settings.quiet_weekends),
        tenant_id=settings.app_tenant_id or None,
    )


def build_jobs(engine: AsyncEngine, settings: Settings, clock: Clock,
               doorbell: asyncio.Event | None = None) -> JobRunner:
    """The scheduler's passes, with the digest's time and the quiet hours of `settings`."""
    cards = DecisionCards(today=lambda: uk_day(clock.now()))
    return JobRunner(unit_of_work_factory(engine, doorbell.set if doorbell else None), clock,
                     ReminderCards(cards.idea_card), job_options(settings))


def build_campaign_pass(engine: AsyncEngine, settings: Settings, clock: Clock,
                        campaigns: CampaignService,
                        doorbell: asyncio.Event | None = None) -> CampaignPass:
    """The campaign pass: scheduled calls, reminders before closing, closing (quiet hours and
    tenant from `settings`)."""
    return CampaignPass(unit_of_work_factory(engine, doorbell.set if doorbell else None), clock,
                        campaigns, CampaignPassViews(
                            reminder=lambda campaign: call_card(campaign, reminder=True),
                            summary=closing_summary_card),
                        job_options(settings))


def build_match_pass(engine: AsyncEngine, settings: Settings, clock: Clock,
                     similar: FindsSimilar, doorbell: asyncio.Event | None = None,
                     ready: Callable[[], bool] = lambda: True) -> MatchPass:
    """The similar-ideas pass: each new idea's matches, found after it was saved, on its
    assessors' cards (the tenant from `settings`); it does nothing until `ready`."""
    cards = DecisionCards(today=lambda: uk_day(clock.now()))
    return MatchPass(unit_of_work_factory(engine, doorbell.set if doorbell else None), clock,
                     similar, cards.idea_card, settings.app_tenant_id or None, ready=ready)


def build_retention(engine: AsyncEngine, settings: Settings, clock: Clock) -> Retention:
    """The daily purge of what is kept no longer, by the periods of `settings`."""
    return Retention(SqlRetention(engine), unit_of_work_factory(engine), clock,
                     RetentionPolicy(drafts_days=settings.retain_drafts_days,
                                     sent_days=settings.retain_sent_days,
                                     outbox_rows_days=settings.retain_outbox_days,
                                     feedback_months=settings.retain_feedback_months,
                                     job_marks_days=settings.retain_job_marks_days))


def service_url_policy(settings: Settings) -> ServiceUrlPolicy:
    """The Bot Connector's hosts; loopback too for a bot without an app id (it sends no
    token), such as the Playground's."""
    return ServiceUrlPolicy(settings.connector_hosts, allow_loopback=settings.anonymous)


def build_worker(engine: AsyncEngine, settings: Settings, clock: Clock,
                 session: aiohttp.ClientSession, doorbell: asyncio.Event | None = None,
                 tokens: BearerTokens | None = None, metrics: PortalMetrics | None = None,
                 probe_waits: ProbeWaits | None = None, **tuning: Any) -> DeliveryWorker:
    """The outbox worker, sending through the Bot Connector REST API at Teams' pace, its
    sends and 429s counted in `metrics` when given, with a breaker per team channel and group
    chat (`probe_waits`: how long a paused one waits).

    `tuning` overrides DeliveryOptions fields (tests use it for a fast backoff)."""
    # A tenant's limit is kept with a margin, never with bursts: see safe_tenant_windows.
    pacer = Pacer(safe_tenant_windows(settings.outbox_tenant_rate),
                  safe_conversation_windows(settings.outbox_conversation_rate))
    options = DeliveryOptions(**{
        "in_flight": settings.outbox_in_flight,
        "batch": max(20, round(settings.outbox_tenant_rate * 2)),
        "lease": timedelta(seconds=settings.outbox_lease_seconds),
        "max_retry_after_seconds": settings.outbox_max_retry_after,
        "default_service_url": settings.teams_service_url,
        "bot_id": f"28:{settings.app_id}" if settings.app_id else None,
        **tuning,
    })
    return DeliveryWorker(
        SqlOutboxQueue(engine), unit_of_work_factory(engine),
        BotConnectorMessenger(session, tokens or ConnectorTokens(settings),
                              service_url_policy(settings), CardMarking(settings.classification),
                              metrics.throttled if metrics else None), clock, pacer,
        options,
        doorbell=doorbell,
        counts=metrics,
        breakers=build_breakers(engine, settings, clock, doorbell, probe_waits),
    )


def build_breakers(engine: AsyncEngine, settings: Settings, clock: Clock,
                   doorbell: asyncio.Event | None = None,
                   probe_waits: ProbeWaits | None = None) -> OutboxBreakers:
    """The breakers per destination, the PMO told through Adaptive Cards; `probe_waits`
    (default: the usual waits, giving up after IIP_OUTBOX_PAUSE_GIVE_UP_DAYS)."""
    waits = probe_waits or ProbeWaits(
        give_up_after=timedelta(days=settings.outbox_pause_give_up_days))
    return OutboxBreakers(unit_of_work_factory(engine, doorbell.set if doorbell else None),
                          clock, BreakerNotices(destination_paused_card, destination_resumed_card,
                                                destination_given_up_card), waits)


async def settle_heap(_app: web.Application) -> None:
    """For a process that serves one app until it stops (`iip serve`): once it has started,
    take everything made so far (modules, the SDK, tables, compiled statements) out of the
    garbage collector's full passes. Each full pass otherwise walks all of it and holds up every
    turn in flight for about 150 ms: most of the slowest 1% of turns. The start-up's garbage is
    collected first; what is alive then lives as long as the process, near enough (a frozen
    object that later becomes garbage in a reference cycle is not freed)."""
    gc.collect()
    gc.freeze()


def outbox_figures(queue: SqlOutboxQueue,
                   clock: Clock) -> Callable[[], Awaitable[OutboxFigures]]:
    """How a scrape reads the outbox: what the health check reads."""
    async def read() -> OutboxFigures:
        backlog = await queue.backlog(clock.now())
        return OutboxFigures(pending=backlog.pending + backlog.sending, dead=backlog.dead,
                             oldest_pending_seconds=backlog.oldest_pending_seconds)

    return read


def metrics_app(engine: AsyncEngine, settings: Settings, clock: Clock,
                metrics: PortalMetrics) -> web.Application:
    """GET /metrics alone, as the bot serves it (IIP_METRICS_TOKEN too), for a process that
    only delivers the outbox (`iip outbox run --metrics-port`)."""
    app = web.Application()
    app.router.add_get("/metrics", metrics_route(metrics,
                                                 outbox_figures(SqlOutboxQueue(engine), clock),
                                                 settings.metrics_token or None))
    return app


def create_app(settings: Settings, *, clock: Clock | None = None, migrate: bool = True,
               fetch_signing_keys: FetchJson | None = None,
               tokens: BearerTokens | None = None) -> web.Application:
    """Wire the bot; the database is upgraded when the app starts, not when it is built.

    Inbound tokens are checked against Microsoft's signing keys, fetched on the app's HTTP
    session (or through `fetch_signing_keys`), and calls to the Bot Connector carry the bot's
    own token (from Entra, or from `tokens`); without an app id, none is needed or sent."""
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    doorbell = asyncio.Event()
    # Teams' member lookup is the messenger, made once the HTTP session is open.
    messengers: list[BotConnectorMessenger] = []
    ranker = MatchIndex(use_model=settings.similar_model)
    services = build_services(engine, clock, doorbell,
                              lambda: messengers[0] if messengers else None,
                              settings.report_secret.encode() or None, ranker)
    # Dialog state (where each person is in a dialog) lives in the database, so that it
    # survives restarts and is shared by replicas; it is kept per person and conversation.
    chat_link = private_chat_link(settings.app_id)
    bot = PortalBot(services, build_presenters(services, chat_link,
                                               f"{settings.public_base_url}{REPORTS_PATH}",
                                               suggestions_wait=settings.suggestions_wait),
                    PrivateConversationState(SqlStorage(engine)), chat_link)

    queue = SqlOutboxQueue(engine)
    tokens = tokens or ConnectorTokens(settings)  # one token cache for replies and the outbox
    metrics = PortalMetrics(CollectorRegistry())
    marking = CardMarking(settings.classification)  # on every card sent, at the edge

    async def check_health() -> dict[str, object]:
        async with connect(engine) as connection:
            await connection.execute(text("SELECT 1"))
        backlog = await queue.backlog(clock.now())
        return {"outbox_oldest_pending_seconds": backlog.oldest_pending_seconds}

    async def connector(app: web.Application):
        """One pooled HTTP session, for replies, the outbox and Microsoft's signing keys; the
        adapter, which replies and fetches keys through it, is built once it is open."""
        async with aiohttp.ClientSession() as session:
            app[SESSION] = session
            keys = SigningKeys(CHANNEL_METADATA_URL,
                               fetch_signing_keys or fetch_json_with(session))
            messenger = BotConnectorMessenger(session, tokens, service_url_policy(settings),
                                              marking, metrics.throttled)
            adapter, authentication = make_adapter(settings, messenger, keys)
            app[SIGNING_KEYS] = keys
            app[ADAPTER] = adapter
            messengers.append(messenger)
            yield
            messengers.clear()
            await authentication.close()

    async def outbox_worker(app: web.Application):
        """Runs beside the web server; stops after the last turn, finishing its sends."""
        if not settings.outbox_worker:
            yield
            return
        worker = build_worker(engine, settings, clock, app[SESSION], doorbell, tokens, metrics)
        app[WORKER] = worker
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        yield
        stop.set()
        await task

    async def scheduler(app: web.Application):
        """Passes of the jobs beside the outbox worker (IIP_JOBS), with the campaign pass, the
        similar-ideas pass and the redraws of campaigns' progress cards every few seconds;
        stopped before it."""
        if not settings.jobs:
            yield
            return
        stop = asyncio.Event()
        tasks = [asyncio.create_task(Scheduler(app[JOBS]).run(stop)),
                 asyncio.create_task(repeat(app[CAMPAIGN_PASS].run, CAMPAIGN_PASS_SECONDS, stop,
                                            failed="campaigns.pass_failed",
                                            sooner=app[CAMPAIGN_PASS].seconds_to_next)),
                 asyncio.create_task(repeat(app[MATCH_PASS].run, MATCH_PASS_SECONDS, stop,
                                            failed="similar.pass_failed",
                                            sooner=app[MATCH_PASS].seconds_to_next)),
                 asyncio.create_task(repeat(app[PROGRESS].redraw,
                                            PROGRESS_EVERY.total_seconds(), stop,
                                            failed="campaigns.progress_failed")),
                 # Looked at hourly; runs once a UK day, on one replica.
                 asyncio.create_task(repeat(build_retention(engine, settings, clock).run_due,
                                            RETENTION_LOOK_SECONDS, stop,
                                            failed="retention.failed",
                                            first_after=RETENTION_FIRST_LOOK_SECONDS))]
        yield
        stop.set()
        await asyncio.gather(*tasks)

    async def database(_app: web.Application):
        if migrate:
            await upgrade(engine)
        yield
        await engine.dispose()

    async def similar_ideas(_app: web.Application):
        """Loads the sentence model and what searches rank beside the web server, so that
        the first turns are not kept waiting; searches until then rank what is loaded."""
        async def warm_up() -> None:
            try:
                await ranker.start()
                await services.similar.warm_up()
            except Exception:
                log.exception("similar.warm_up_failed")
            finally:  # failed, searches still learn what is kept as they go
                warmed_up.set()
        task = asyncio.create_task(warm_up())
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        ranker.close()

    # Bodies are taken as sent: Teams does not compress them, and a compressed one is refused
    # (415) rather than inflated, so a small request can never grow into a large one.
    app = web.Application(client_max_size=MAX_BODY_BYTES,
                          handler_args={"auto_decompress": False}, middlewares=[request_ids])
    app[ENGINE] = engine
    app[METRICS] = metrics
    app[SERVICES] = services
    app[JOBS] = build_jobs(engine, settings, clock, doorbell)
    app[CAMPAIGN_PASS] = build_campaign_pass(engine, settings, clock, services.campaigns,
                                             doorbell)
    # The similar-ideas pass waits for the warm-up: a half-loaded index finds too little.
    warmed_up = asyncio.Event()
    app[MATCH_PASS] = build_match_pass(engine, settings, clock, services.similar, doorbell,
                                       ready=warmed_up.is_set)
    app[PROGRESS] = ProgressWatcher(unit_of_work_factory(engine, doorbell.set), clock,
                                    services.campaigns, live_progress_card,
                                    settings.app_tenant_id or None)
    # Started in this order, stopped in the reverse: the scheduler, the worker, then the
    # connector session, then the database.
    app.cleanup_ctx.append(database)
    app.cleanup_ctx.append(similar_ideas)
    app.cleanup_ctx.append(connector)
    app.cleanup_ctx.append(outbox_worker)
    app.cleanup_ctx.append(scheduler)
    app.router.add_post("/api/messages",
                        messages_route(ADAPTER, bot, settings.app_tenant_id or None, metrics,
                                       marking))
    app.router.add_get("/healthz", health_route(check_health))
    app.router.add_get("/metrics", metrics_route(metrics, outbox_figures(queue, clock),
                                                 settings.metrics_token or None))
    app.router.add_get(f"{REPORTS_PATH}{{token}}", report_route(services.board_packs.download))
    return app
