"""How long GET /metrics takes when the outbox holds many sent rows (read at every scrape).

    .venv/bin/python tests/bench/metrics_scrape.py                    # 1,000,000 sent rows
    .venv/bin/python tests/bench/metrics_scrape.py --rows 100000 --scrapes 100

On a fresh PostgreSQL database: the schema by the real migrations, `--rows` sent outbox rows
and 1,000 pending ones written in one statement, then VACUUM ANALYZE (as autovacuum leaves a
table that has settled). The bot (bot.app.create_app, outbox worker and scheduler off) then
serves on loopback, and `--scrapes` scrapes are timed one after another, after five to warm
up. The target (a scrape well inside Prometheus' default 10 s timeout, and under 250 ms so that
scraping every 15 s costs a replica little) is printed as PASS or FAIL, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

from harness import postgres_database, put_project_on_path

TARGET_MS = 250


async def main(rows: int, scrapes: int) -> int:
    put_project_on_path()
    import aiohttp
    from aiohttp import web
    from sqlalchemy import text

    from bot.app import create_app
    from bot.config import Settings
    from bot.logs import configure_logging
    from storage.engine import make_engine
    from storage.migrate import upgrade

    configure_logging("WARNING", "console")
    made = await postgres_database(prefix="iip_bench_metrics")
    if isinstance(made, str):
        print(f"PostgreSQL is not reachable: {made}", file=sys.stderr)
        return 1
    url, drop = made
    try:
        engine = make_engine(url)
        await upgrade(engine)
        started = time.perf_counter()
        async with engine.begin() as connection:
            for state, count in (("sent", rows), ("pending", 1000)):
                await connection.execute(text(
                    "INSERT INTO outbox (kind, dedupe_key, summary, fallback_text, card, state,"
                    " not_before, created_at, due_at, attempts, sent_at)"
                    " SELECT 'notice', :state || ':' || g, 'summary', 'text', '{}'::json,"
                    " :state, now(), now(), now(), 1,"
                    " CASE WHEN :state = 'sent' THEN now() END"
                    " FROM generate_series(1, :count) AS g"), {"state": state, "count": count})
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE outbox"))
        await engine.dispose()
        print(f"{rows:,} sent and 1,000 pending rows written in "
              f"{time.perf_counter() - started:.1f} s")

        settings = Settings(database_url=url, outbox_worker=False, jobs=False,
                            similar_model=False)
        runner = web.AppRunner(create_app(settings, migrate=False), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        times: list[float] = []
        try:
            async with aiohttp.ClientSession() as session:
                for attempt in range(scrapes + 5):
                    began = time.perf_counter()
                    async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                        body = await response.text()
                    assert response.status == 200 and "iip_outbox_pending 1000.0" in body, body
                    if attempt >= 5:
                        times.append((time.perf_counter() - began) * 1000)
        finally:
            await runner.cleanup()
    finally:
        await drop()
    median, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
    verdict = "PASS" if p95 < TARGET_MS else "FAIL"
    print(f"{scrapes} scrapes: median {median:.1f} ms, p95 {p95:.1f} ms, "
          f"max {max(times):.1f} ms  [{verdict}: p95 under {TARGET_MS} ms]")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scrapes", type=int, default=50)
    options = parser.parse_args()
    sys.exit(asyncio.run(main(options.rows, options.scrapes)))
