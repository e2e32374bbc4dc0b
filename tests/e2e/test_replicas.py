"""Two replicas of `iip serve` on one PostgreSQL database, behind one round-robin address.

Both start at once on an empty database and race to upgrade it: one upgrades, the other
waits for the migration lock and finds the schema current. A small proxy on one port hands
each POST /api/messages to the next replica in turn, and the Teams Playground talks to the
proxy. In the Playground's page Alex Wilber (a PMO member and the SPOC of Local Policing in the
demo organisation) submits an idea, a turn at a time, each turn on the other replica than the
one before; then allocates it from the staff card. Both replicas' outbox workers look for the
notices, yet each arrives once. One replica is then SIGKILLed; the proxy passes over it, as a
load balancer's health check would, and the approval goes through the other, its notice too.
"""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import AsyncIterator
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncEngine
from support.bot_server import DEMO_ORGANISATION
from support.cli import on_database
from support.decision_steps import fill, notices, open_move, staff_card
from support.playground_client import PlaygroundClient
from support.playground_stack import start_playground
from support.replicas import Replica, serving_replicas
from support.round_robin import Forwarded, RoundRobin, round_robin
from support.schema import downgrade_on
from support.submission_steps import (
    Shots,
    card_headed,
    choose,
    expect,
    open_chat,
    press,
    say,
)
from support.tables import rows

from storage import tables
from storage.migrate import current_revision, head_revision

pytestmark = [pytest.mark.e2e, pytest.mark.postgres,
              pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]

ALEX = "00000000-0000-0000-0000-0000000000020"  # the Playground's user
WELCOME = "Welcome to the Improvement and Innovation Portal"  # or "Hello Alex, welcome to…"
ASSESSED = "Your idea is being assessed"
APPROVED = "Good news: your idea is approved"
ROOT_CAUSES = {"What is the problem behind the idea?": "One docking station for forty officers.",
               "Which processes, systems or issues are implicated?": "End-of-shift uploads."}
MESSAGE = "Message to the contributor, in plain words"


@pytest.fixture
async def empty_database(engine: AsyncEngine, database_url: str) -> str:
    """A fresh PostgreSQL database with no schema at all, as a first deployment finds it."""
    async with engine.begin() as connection:
        await connection.run_sync(downgrade_on, "base")
    return database_url


@pytest.fixture
def shots(artefacts: Path) -> Shots:
    return Shots(artefacts / "e2e" / "replicas")


@pytest.fixture
async def replicas(empty_database: str, tmp_path: Path) -> AsyncIterator[list[Replica]]:
    """Two `iip serve` processes started at once on the empty database, each with its own
    port and log; a short outbox lease, so that a message a killed replica had claimed is
    soon another's to send."""
    async with serving_replicas(empty_database, tmp_path, ("a", "b"),
                                IIP_OUTBOX_LEASE_SECONDS="10") as started:
        yield started


async def test_a_journey_hops_between_two_replicas_and_survives_one_killed(
    replicas: list[Replica], engine: AsyncEngine, empty_database: str, chromium: Path,
    playground_installed: None, tmp_path: Path, shots: Shots, monkeypatch, capsys,
):
    # Both serve, and exactly one of them upgraded the schema, to the newest revision.
    upgrades = {r.name: len(r.logged("database.upgraded")) for r in replicas}
    assert sorted(upgrades.values()) == [0, 1], upgrades
    assert await current_revision(engine) == head_revision()
    iip = on_database(empty_database, monkeypatch, capsys)
    code, _out, err = await iip("org", "load", str(DEMO_ORGANISATION))
    assert code == 0, err

    async with round_robin({r.name: r.url for r in replicas}) as (proxy, proxy_url):
        playground = await start_playground(f"{proxy_url}/api/messages", tmp_path)
        try:
            # The stream, opened after the page (which starts the chat afresh), is given what
            # the bot already said in it too (the welcome).
            async with open_chat(playground.url, height=1400) as page, \
                    PlaygroundClient(playground.url, history=True) as stream:
                reference = await submit_in_the_page(page)
                await allocate_then_approve_killing_a_replica(page, proxy, replicas,
                                                              reference, shots)
                # Each message the outbox owed (the welcome, the PMO's staff card, the two
                # notices) arrived once, though two workers looked for it: counted once both
                # have polled again.
                created = Counter(_label(m.heading) for m in await stream.quiet(2.5)
                                  if m.action == "createMessage")
                owed = (WELCOME, reference, ASSESSED, APPROVED)
                assert [created[label] for label in owed] == [1] * len(owed), created
                for heading in (ASSESSED, APPROVED):
                    await expect(notices(page, heading)).to_have_count(1)
        finally:
            await playground.stop()

    # In the database too, every message to Alex was sent on its first claim. (The demo
    # organisation's other people are not in the Playground, which refuses messages to them.)
    to_alex = await rows(engine, tables.outbox, or_(tables.outbox.c.object_id == ALEX,
                                                    tables.outbox.c.object_id.is_(None)))
    assert len(to_alex) >= len(owed), to_alex
    assert [(row["state"], row["attempts"]) for row in to_alex] == [("sent", 1)] * len(to_alex), [
        (row["summary"], row["state"], row["attempts"]) for row in to_alex]


async def submit_in_the_page(page) -> str:
    """Alex submits an idea on its cards, a step a turn; the idea's reference."""
    await say(page, "new idea")
    for question, label, answer in [
        ("Give your idea a short title", "The title (up to 120 characters)",
         "Body-worn video uploads at the front counter"),
        ("What is the problem behind your idea?", "The problem (up to 2,000 characters)",
         "Officers wait up to 40 minutes at the end of a shift for uploads to finish."),
        ("What do you propose?", None, "A second docking station at the front counter."),
        ("What difference would it make?", "The benefit (up to 1,000 characters)",
         "About 30 minutes saved per officer per shift."),
    ]:
        card = card_headed(page, question)
        if label is None:  # typed in the message box instead of on the card
            await expect(card).to_be_visible()
            await say(page, answer)
            continue
        await card.get_by_label(label).fill(answer)
        await press(card, "Next")
    for question, label, option in [
        ("Which category fits best?", "Category", "Technology and digital"),
        ("Which portfolio or department would own it?", "Portfolio or department",
         "Local Policing"),
    ]:
        card = card_headed(page, question)
        await choose(page, card, label, option)
        await press(card, "Next")
    await press(card_headed(page, "About you"), "Skip: prefer not to say")
    card = card_headed(page, "If your idea is delivered, may we name you?")
    await card.get_by_role("radio", name="Yes, you may name me").check()
    await press(card, "Next")
    await press(card_headed(page, "Check your idea"), "Submit idea")
    receipt = card_headed(page, "Thank you: your idea is in")
    await expect(receipt).to_contain_text("IIP-")
    text = await receipt.inner_text()
    return next(word for word in text.split() if word.startswith("IIP-"))


async def allocate_then_approve_killing_a_replica(
    page, proxy: RoundRobin, replicas: list[Replica], reference: str, shots: Shots,
) -> None:
    """Alex allocates the idea from the staff card while both replicas serve; then one is
    killed and he approves it."""
    card = staff_card(page, reference)
    await expect(card).to_have_count(1)
    await (await open_move(card, "Allocate")).click()
    await expect(card).to_contain_text("Business assessment")
    await expect(notices(page, ASSESSED)).to_have_count(1)

    # Both replicas took turns, one after the other, and a step of the idea begun on one
    # replica was carried on by the other.
    both = list(proxy.forwarded)
    assert {f.replica for f in both} == {r.name for r in replicas}, _served(both)
    assert all(x.replica != y.replica for x, y in pairwise(both)), _served(both)
    answers = [f for f in both if f.what == "press intake.answer"]
    assert any(x.replica != y.replica for x, y in pairwise(answers)), _served(both)

    # The replica next in line dies at once; the approval goes through the other.
    victim = next(r for r in replicas if r.name == proxy.next_in_line)
    victim.kill()
    assert await victim.process.wait() == -signal.SIGKILL
    await fill(card, ROOT_CAUSES)
    confirm = await open_move(card, "Approve")
    await fill(card, {MESSAGE: "Thank you: a second docking station is on its way."})
    await confirm.click()
    await expect(card).to_contain_text("Approved")
    await expect(notices(page, APPROVED)).to_have_count(1)
    await shots.take(page, card, "approved-after-a-replica-died")

    after = proxy.forwarded[len(both):]
    assert after and {f.replica for f in after} == {r.name for r in replicas} - {victim.name}
    assert victim.name in after[0].passed_over, _served(after)
    assert [f.status for f in after] == [200] * len(after), _served(after)


def _label(heading: str) -> str:
    return WELCOME if WELCOME.lower() in heading.lower() else heading


def _served(forwarded: list[Forwarded]) -> str:
    return "\n".join(f"{f.replica or '-'} {f.status} {f.what}"
                     f"{' (passed over ' + ', '.join(f.passed_over) + ')' if f.passed_over else ''}"
                     for f in forwarded)
