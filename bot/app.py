"""The composition root: settings in, a running web application out."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channel.adapter import make_adapter
from bot.channel.errors import on_turn_error
from bot.channel.handler import PortalBot, Services
from bot.channel.http import MAX_BODY_BYTES, health_route, messages_route
from bot.config import Settings
from bot.services.clock import SystemClock
from bot.services.conversations import ConversationService
from bot.services.feedback import FeedbackService
from bot.services.organisation import OrganisationService
from bot.services.ports import Clock
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import unit_of_work_factory

ENGINE = web.AppKey("engine", AsyncEngine)
SERVICES = web.AppKey("services", Services)


def build_services(engine: AsyncEngine, clock: Clock) -> Services:
    uow = unit_of_work_factory(engine)
    return Services(
        conversations=ConversationService(uow, clock),
        organisation=OrganisationService(uow, clock),
        feedback=FeedbackService(uow, clock),
    )


def create_app(settings: Settings, *, clock: Clock | None = None,
               migrate: bool = True) -> web.Application:
    """Wire the bot; the database is upgraded when the app starts, not when it is built."""
    engine = make_engine(settings.database_url)
    services = build_services(engine, clock or SystemClock())
    adapter, authentication = make_adapter(settings)
    adapter.on_turn_error = on_turn_error
    bot = PortalBot(services)

    async def check_database() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def start(_app: web.Application) -> None:
        if migrate:
            await upgrade(engine)

    async def stop(_app: web.Application) -> None:
        await authentication.close()
        await engine.dispose()

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[ENGINE] = engine
    app[SERVICES] = services
    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_post("/api/messages",
                        messages_route(adapter, bot, settings.app_tenant_id or None))
    app.router.add_get("/healthz", health_route(check_database))
    return app
