"""Staff queues over HTTP: `triage` and `my queue` count every idea waiting, show ten a page
(the longest waiting first), and page with Next and Previous (Action.Execute, answered with
the next page in the invoke, so that Teams replaces the card in place)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from support.bot_server import BotServer
from support.connector import StandInConnector
from support.decisions import (
    CONTRIBUTOR,
    STRANGER,
    execute_button,
    execute_titles,
    invoke,
    say,
    text_of,
)
from support.organisation import ADELE, ALEX, MEGAN
from support.waiting import seed_ideas

from bot.domain.ideas import Status

PAGE = 10


def references(text: str) -> list[str]:
    return re.findall(r"IIP-\d{4}-\d{4}", text)


@pytest.mark.parametrize("waiting", [25, 1000])
async def test_triage_counts_every_idea_waiting_and_pages_ten_at_a_time_oldest_first(
    bot: BotServer, connector: StandInConnector, clock, waiting: int
):
    oldest_first = await seed_ideas(bot.engine, waiting, clock.now() - timedelta(days=60))
    pages = -(-waiting // PAGE)

    [triage] = await say(bot, connector, ALEX, "triage")

    assert triage.summary == f"Ideas awaiting triage: {waiting:,}"
    assert f"Ideas awaiting triage: {waiting:,}" in triage.text_seen
    assert f"Page 1 of {pages:,}" in triage.text_seen
    assert references(triage.text_seen) == oldest_first[:PAGE]
    card = triage.cards[0]
    assert execute_titles(card) == ["Next"]

    verb, data = execute_button(card, "Next")
    second = await invoke(bot, ALEX, verb, data)
    assert references(text_of(second)) == oldest_first[PAGE:2 * PAGE]
    assert f"Page 2 of {pages:,}" in text_of(second)
    assert execute_titles(second) == ["Previous", "Next"]

    verb, data = execute_button(second, "Previous")
    first = await invoke(bot, ALEX, verb, data)
    assert references(text_of(first)) == oldest_first[:PAGE]

    # A page past the end, however far (card data can say anything): the last page.
    verb, data = execute_button(second, "Next")
    for beyond in (pages + 1, 2**62, 2**80):
        last = await invoke(bot, ALEX, verb, {**data, "triage": beyond})
        assert references(text_of(last)) == oldest_first[(pages - 1) * PAGE:]
        assert f"Page {pages:,} of {pages:,}" in text_of(last)
        assert execute_titles(last) == ["Previous"]
    for before_the_start in (0, -5, -2**70, "3", None, True, 2.5, [2]):
        first = await invoke(bot, ALEX, verb, {**data, "triage": before_the_start})
        assert references(text_of(first)) == oldest_first[:PAGE], before_the_start


async def test_my_queue_pages_each_part_of_the_work_on_its_own(
    bot: BotServer, connector: StandInConnector, clock
):
    since = clock.now() - timedelta(days=90)
    to_triage = await seed_ideas(bot.engine, 12, since)
    to_assess = await seed_ideas(bot.engine, 15, since, status=Status.BUSINESS_ASSESSMENT,
                                 start=100)
    # Not Alex's to assess (another portfolio), and no longer waiting (decided).
    await seed_ideas(bot.engine, 3, since, status=Status.BUSINESS_ASSESSMENT,
                     portfolio="crime-and-justice", start=200)
    await seed_ideas(bot.engine, 4, since, status=Status.DECLINED, start=300)

    [queue] = await say(bot, connector, ALEX, "my queue")

    assert queue.summary == ("Ideas awaiting triage: 12; "
                             "Ideas awaiting your assessment: 15")
    assert references(queue.text_seen) == to_triage[:PAGE] + to_assess[:PAGE]
    assert execute_titles(queue.cards[0]) == ["Next: triage", "Next: assessment"]

    verb, data = execute_button(queue.cards[0], "Next: assessment")
    card = await invoke(bot, ALEX, verb, data)
    assert references(text_of(card)) == to_triage[:PAGE] + to_assess[PAGE:]
    assert execute_titles(card) == ["Next: triage", "Previous: assessment"]
    verb, data = execute_button(card, "Next: triage")
    card = await invoke(bot, ALEX, verb, data)
    assert references(text_of(card)) == to_triage[PAGE:] + to_assess[PAGE:]

    # Megan assesses for Crime and Justice only: her three, and no triage.
    [megan] = await say(bot, connector, MEGAN, "my queue")
    assert megan.summary == "Ideas awaiting your assessment: 3"
    assert "triage" not in megan.text_seen.lower()
    [adele] = await say(bot, connector, ADELE, "my queue")
    assert "Nothing is waiting for you" in adele.text_seen


async def test_paging_a_queue_checks_the_presser_not_the_card(
    bot: BotServer, connector: StandInConnector, clock
):
    oldest_first = await seed_ideas(bot.engine, 15, clock.now() - timedelta(days=30))
    [triage] = await say(bot, connector, ALEX, "triage")
    verb, data = execute_button(triage.cards[0], "Next")

    for who in (CONTRIBUTOR, STRANGER, MEGAN):
        card = await invoke(bot, who, verb, {**data, "view": "triage", "actor": ALEX})
        assert not references(text_of(card)), who
        assert "Only the PMO team" in text_of(card), who
    # Someone else's queue cannot be asked for: the view is the presser's own.
    card = await invoke(bot, MEGAN, verb, {**data, "view": "queue"})
    assert not set(references(text_of(card))) & set(oldest_first)
    # A forged view is answered with the presser's own queue, at the page asked for.
    for forged in ("nonsense", None, 7, {"view": "triage"}):
        card = await invoke(bot, ALEX, verb, {**data, "view": forged})
        assert references(text_of(card)) == oldest_first[PAGE:], forged
