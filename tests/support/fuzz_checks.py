"""What every fuzzed request to /api/messages must keep: no 5xx, no failed turn, a service that
still answers, and, for a request it refused, nothing stored and nothing sent.

"Refused" means any 4xx: the edge refused the body (400, 413, 415), the token (401), the tenant
(403), or the SDK answered a malformed invoke with 400. A 2xx may record who and where the
sender is; a refusal may not record anything.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, event, settings

from storage import tables
from support.bot_server import BotServer
from support.connector import StandInConnector
from support.fuzz_strategies import TEAMS_SERVICE_URL, Body
from support.logs import events
from support.tables import row_counts, rows


def budget(examples: int) -> settings:
    """Hypothesis settings for a fuzz: `examples` examples (IIP_FUZZ_EXAMPLES, when set,
    instead), the same ones every run, no deadline. The bot and `logs` are the test's, not
    an example's, on purpose: one service takes the whole run, and each example reads only
    the log lines it added."""
    return settings(max_examples=int(os.environ.get("IIP_FUZZ_EXAMPLES", examples)),
                    derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@dataclass(frozen=True)
class Snapshot:
    """The row count of every table, and every idea as stored (a refusal changes neither)."""

    counts: dict[str, int]
    ideas: list[dict[str, Any]]

    def changes_since(self, before: Snapshot) -> dict[str, tuple[int, int]]:
        return {name: (before.counts[name], count) for name, count in self.counts.items()
                if before.counts[name] != count}


async def snapshot(bot: BotServer) -> Snapshot:
    return Snapshot(await row_counts(bot.engine), await rows(bot.engine, tables.ideas))


class MessagesFuzz:
    """Posts fuzzed bodies to one running bot and checks each answer; `logs` is the test's
    capture of structlog events. A plain class, printed short with a falsifying example."""

    def __init__(self, bot: BotServer, connector: StandInConnector,
                 logs: list[dict[str, Any]]) -> None:
        self.bot = bot
        self.connector = connector
        self.logs = logs

    def __repr__(self) -> str:
        return f"MessagesFuzz({self.bot.url})"

    async def post(self, body: Body, headers: dict[str, str] | None = None) -> int:
        """POST `body` (signed, unless `headers` are given) and check every property."""
        before = await snapshot(self.bot)
        failed_turns = len(events(self.logs, "turn.failed"))
        sent = self.connector.arrivals
        signed = self.bot.signed() if headers is None and self.bot.signed else headers or {}

        response = await self.bot.post_raw(self._addressed(body.data), headers=signed,
                                           content_type=body.content_type)

        status = response.status
        answer = (await response.read())[:300]
        event(f"HTTP {status}")  # the spread of answers, in --hypothesis-show-statistics
        assert status < 500, f"answered {status}: {answer!r}"
        failed = events(self.logs, "turn.failed")[failed_turns:]
        assert not failed, f"the turn failed: {[repr(e.get('exc_info')) for e in failed]}"
        health = await self.bot.get("/healthz")
        assert health.status == 200, f"the service stopped answering: {health.status}"
        if 400 <= status < 500:
            after = await snapshot(self.bot)
            assert after.changes_since(before) == {}, f"a {status} ({answer!r}) stored rows"
            assert after.ideas == before.ideas, f"a {status} ({answer!r}) changed an idea"
            assert self.connector.arrivals == sent, f"a {status} ({answer!r}) sent a message"
        return status

    def _addressed(self, data: bytes) -> bytes:
        """The body with the stand-in connector's address where Teams' still stands."""
        teams = json.dumps(TEAMS_SERVICE_URL).encode()
        return data.replace(teams, json.dumps(self.connector.url).encode(), 1)
