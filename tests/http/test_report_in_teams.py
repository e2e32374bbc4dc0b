"""`report` in Teams between distinct people, and the board pack served behind its link: the
PMO's pack covers every portfolio, a SPOC's only theirs, anyone else is refused; the link
works for its 24 hours and is audited at each download; a forged, altered or expired one gets
a kind 403 that leaks nothing; in a channel, `report` is offered in private."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from support.bot_server import BotServer
from support.cards import walk
from support.chat import ChannelMember, Person, Reply
from support.connector import StandInConnector
from support.decisions import CONTRIBUTOR, current, decide, submit_idea
from support.organisation import ALEX, DEMO_FILE, MEGAN
from support.tables import rows

from bot.domain.lifecycle import Move
from bot.domain.organisation import parse_organisation
from storage import tables

LOCAL = "Bicycle racks at the Elland Road station"
CRIME = "A shared calendar of court dates"


def link_of(reply: Reply) -> str:
    """The path of the card's Open the board pack button."""
    [url] = [node["url"] for node in walk(reply.card) if node.get("type") == "Action.OpenUrl"]
    return urlsplit(url).path


async def deferred(bot: BotServer, title: str, portfolio: str, spoc: str) -> None:
    idea = await submit_idea(bot.services, title, portfolio=portfolio)
    await decide(bot.services, ALEX, idea, Move.ALLOCATE, portfolio=portfolio)
    await decide(bot.services, spoc, await current(bot.services, idea), Move.DEFER,
                 revisit_on="2027-06-01", message="Later.", root_causes=False)


@pytest.fixture
async def october(bot: BotServer, clock) -> None:
    """One idea deferred by its SPOC in each of two portfolios in October 2026 (the last full
    month on the tests' day, 2 November)."""
    now = clock.current
    clock.current = datetime(2026, 10, 12, 10, 0, tzinfo=UTC)
    await deferred(bot, LOCAL, "local-policing", ALEX)
    await deferred(bot, CRIME, "crime-and-justice", MEGAN)
    clock.current = now


async def downloads(bot: BotServer) -> list[dict]:
    return await rows(bot.engine, tables.audit_log,
                      tables.audit_log.c.action == "report.downloaded")


async def test_the_pmo_gets_the_figures_and_a_pack_of_every_portfolio(
        bot: BotServer, connector: StandInConnector, october):
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")

    card = await alex.one("report")

    assert "Board pack: October 2026" in card and "All portfolios" in card
    assert "Deferred now" in card
    response = await bot.get(link_of(card))
    assert response.status == 200 and response.content_type == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    page = await response.text()
    assert "board pack for October 2026" in page and LOCAL in page and CRIME in page
    assert "Pat Contributor" not in page
    [audited] = await downloads(bot)
    assert (audited["actor"], audited["subject"], audited["detail"]["scope"]) == (
        ALEX, "report:2026-10", "all")


async def test_the_hub_s_reports_button_gives_the_same(bot, connector, october):
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")

    hub = await alex.one("pmo")
    card = await alex.one_press(hub, "Reports")

    assert "Board pack: October 2026" in card


async def test_a_spoc_s_pack_holds_only_their_portfolios(bot, connector, october):
    megan = Person(bot, connector, object_id=MEGAN, name="Megan Bowen")

    card = await megan.one("board pack")

    assert "Crime and Justice, People and Wellbeing" in card
    page = await (await bot.get(link_of(card))).text()
    assert CRIME in page and LOCAL not in page
    [audited] = await downloads(bot)
    assert audited["detail"]["scope"] == ["crime-and-justice", "people-and-wellbeing"]


async def test_anyone_else_is_refused_and_nothing_is_issued(bot, connector, october):
    pat = Person(bot, connector, object_id=CONTRIBUTOR, name="Pat Contributor")

    reply = await pat.one("report")

    assert "Board packs are for the PMO team" in reply
    assert [node for node in walk(reply.card) if node.get("type") == "Action.OpenUrl"] == []
    assert await rows(bot.engine, tables.audit_log,
                      tables.audit_log.c.action.like("report.%")) == []


async def test_in_a_channel_it_is_offered_in_private(bot, connector, october):
    alex = ChannelMember(bot, connector, object_id=ALEX, name="Alex Wilber")

    [reply] = await alex.say("report")

    assert "Let's do that in private" in reply and "Board pack" not in reply.text
    assert await rows(bot.engine, tables.audit_log,
                      tables.audit_log.c.action.like("report.%")) == []


async def test_an_expired_altered_or_forged_link_gets_a_kind_403(bot, connector, clock,
                                                                october):
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")
    path = link_of(await alex.one("report"))
    token = path.rsplit("/", 1)[1]
    payload, signature = token.split(".")

    refused = await bot.get("/reports/nonsense")
    assert refused.status == 403
    kind = await refused.text()
    assert "This link does not open a board pack" in kind and "type <b>report</b>" in kind
    # Whatever is wrong, the same page: nothing says which part failed.
    for bad in (f"{payload}.{signature[::-1]}", f"{payload[:-2]}.{signature}", "x" * 3000,
                f"{payload}.{signature}.{signature}", f"{payload}.", "%00"):
        response = await bot.get(f"/reports/{bad}")
        assert (response.status, await response.text()) == (403, kind), bad
    clock.advance(hours=24)
    expired = await bot.get(path)
    assert (expired.status, await expired.text()) == (403, kind)
    assert await downloads(bot) == []


async def test_a_link_outlives_no_role(bot, connector, october):
    """Megan's link stops working once she no longer follows those portfolios."""
    megan = Person(bot, connector, object_id=MEGAN, name="Megan Bowen")
    path = link_of(await megan.one("report"))

    data = tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))
    for portfolio in data["portfolios"]:  # Alex joins Megan, then she hands over to him
        portfolio["spocs"] = [*portfolio["spocs"], ALEX] if MEGAN in portfolio["spocs"] \
            and ALEX not in portfolio["spocs"] else portfolio["spocs"]
    await bot.services.organisation.replace(parse_organisation(data), "test")
    for portfolio in data["portfolios"]:
        portfolio["spocs"] = [s for s in portfolio["spocs"] if s != MEGAN]
    await bot.services.organisation.replace(parse_organisation(data), "test")

    assert (await bot.get(path)).status == 403
    assert await downloads(bot) == []
