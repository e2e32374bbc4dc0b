"""GET /metrics over HTTP, as Prometheus scrapes it: turns counted by type and outcome, their
latency, the outbox read from the database at scrape time, sends by how they ended, and the
Bot Connector's 429s; with IIP_METRICS_TOKEN set, nothing without that bearer token."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from support.bot_server import BotServer, serving, sqlite_only
from support.chat import Person
from support.connector import BAD_GATEWAY, TOO_MANY, StandInConnector
from support.decisions import say, submit_idea
from support.invokes import press, until
from support.organisation import ALEX

from bot.channel.replies import RETRY_PAUSES
from bot.config import Settings
from bot.domain.lifecycle import Move
from storage import tables
from storage.outbox import SqlOutboxQueue

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(bot: BotServer, headers: dict[str, str] | None = None) -> Samples:
    response = await bot.session.get(f"{bot.url}/metrics", headers=headers or {})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(await response.text())
            for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def turns(samples: Samples, kind: str, outcome: str) -> float:
    return value(samples, "iip_turns_total", type=kind, outcome=outcome)


async def nothing_owed(bot: BotServer, clock: Any) -> bool:
    return (await SqlOutboxQueue(bot.engine).status(clock.now())).oldest_pending_seconds is None


async def sent_rows(bot: BotServer) -> int:
    async with bot.engine.connect() as connection:
        return len((await connection.execute(
            tables.outbox.select().where(tables.outbox.c.state == "sent"))).all())


async def test_turns_sends_and_429s_are_counted_and_the_outbox_read_when_scraped(
    bot: BotServer, connector: StandInConnector, clock,
):
    fresh = await scrape(bot)
    assert turns(fresh, "message", "ok") == 0 and value(fresh, "iip_outbox_pending") == 0

    await say(bot, connector, ALEX, "my queue")
    pat = Person(bot, connector, name="Pat Contributor")
    await pat.say("help")
    await pat.send_value({"action": "a-button-no-card-has"})  # answered: that card is stale
    assert (await bot.post_raw(b"{not json")).status == 400
    await until(lambda: nothing_owed(bot, clock))  # the welcomes are sent
    connector.fail_next(BAD_GATEWAY, times=len(RETRY_PAUSES) + 1)
    await pat.say("help")  # its answer never lands: an error turn
    # One 429 for the outbox: the PMO's card of a new idea is held, then sent.
    connector.fail_next(TOO_MANY)
    idea = await submit_idea(bot.services, "Digital pocket notebooks")
    await until(lambda: any(r.status == 429 for r in connector.received))
    held = await scrape(bot)
    clock.advance(seconds=5)
    await until(lambda: nothing_owed(bot, clock))
    await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="local-policing")
    await until(lambda: nothing_owed(bot, clock))

    samples = await scrape(bot)

    assert turns(samples, "message", "ok") == 2
    assert turns(samples, "message", "error") == 1
    assert turns(samples, "card_submit", "ok") == 1
    assert turns(samples, "invoke", "ok") == 1
    assert turns(samples, "unread", "refused") == 1
    assert sum(v for (name, _), v in samples.items() if name == "iip_turns_total") == 6
    assert value(samples, "iip_turn_seconds_count", type="message") == 3
    assert value(samples, "iip_turn_seconds_bucket", type="invoke", le="+Inf") == 1
    assert value(samples, "iip_connector_throttled_total") == 1
    assert value(samples, "iip_outbox_sends_total", status="retried") == 1
    assert value(samples, "iip_outbox_sends_total", status="sent") == await sent_rows(bot) >= 4
    assert value(samples, "iip_outbox_sends_total", status="dead") == 0
    assert value(samples, "iip_outbox_sends_total", status="unreachable") == 0
    # While the 429 held the card, the outbox had it pending (due later, so none overdue).
    assert value(held, "iip_outbox_pending") == 1
    assert value(held, "iip_outbox_oldest_pending_age_seconds") == 0
    assert value(samples, "iip_outbox_pending") == 0 and value(samples, "iip_outbox_dead") == 0


@sqlite_only
async def test_with_a_token_set_only_a_scrape_bearing_it_is_answered(
    database_url: str, connector: StandInConnector, clock,
):
    settings = Settings(database_url=database_url, metrics_token="scrape-token-for-tests")
    async with serving(settings, connector.url, clock=clock) as bot:
        for headers in ({}, {"Authorization": "Bearer another-token"},
                        {"Authorization": "scrape-token-for-tests"},
                        {"Authorization": "Bearer scrape-token-for-tests-and-more"},
                        {"Authorization": "Basic c2NyYXBlOnRva2Vu"}):
            refused = await bot.session.get(f"{bot.url}/metrics", headers=headers)
            assert refused.status == 401, headers
            assert refused.headers["WWW-Authenticate"] == "Bearer"
            assert "iip_" not in await refused.text()

        samples = await scrape(bot, {"Authorization": "Bearer scrape-token-for-tests"})

    assert value(samples, "iip_outbox_dead") == 0


@sqlite_only
async def test_a_turn_over_the_limit_counts_as_refused(
    database_url: str, connector: StandInConnector, clock,
):
    settings = Settings(database_url=database_url, turns_per_minute=1, turn_burst=1)
    async with serving(settings, connector.url, clock=clock, limit_turns=True) as bot:
        pat = Person(bot, connector, name="Pat Contributor")
        await pat.say("help")
        await pat.say("help")  # answered with a polite "slow down", and nothing done

        samples = await scrape(bot)

    assert turns(samples, "message", "ok") == 1
    assert turns(samples, "message", "refused") == 1
