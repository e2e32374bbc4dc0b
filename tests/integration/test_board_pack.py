"""The monthly board pack's figures against a hand-counted month, on SQLite and PostgreSQL,
through the service and `iip report monthly`.

The month is October 2026 (the window: November 2025 to October 2026):
  E  submitted 15 October 2025, before the window           in no figure but the registers
  G  submitted 3 August 2026 by Sam; escalated 2 November   escalated (not in October's moves)
  A  5 October, Pat; approved then delivered in October     taken forward once, delivered
  B  5 October, Pat; deferred to 1 June 2028                deferred register
  C  5 October, Pat (who now says "staff", not "officer")   submitted
  D  5 October, Robin, Crime and Justice; declined at triage  declined (already exists)
  H1-H3  6 October, Kim, Lee and Max; H1 and H2 answer the "Cells" campaign (40 reached)
Role types as each idea keeps them: Pat officer (A, B) and staff (C); Robin, Kim, Max and
Sam officer; Lee staff. So: officers 5 people (Pat, Robin, Kim, Max, Sam), staff 2 (Pat, Lee).
"""

from __future__ import annotations

import asyncio
import csv
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update
from support.campaigns import open_campaign
from support.cli import run_cli
from support.decisions import CONTRIBUTOR, load_demo_organisation, submit_idea
from support.organisation import ALEX, ISAIAH, MEGAN
from support.promises import move, record_all
from support.tables import rows

from bot.app import build_services
from bot.domain.errors import NotAllowed
from bot.domain.lifecycle import Move
from bot.domain.report_links import InvalidLink
from bot.services.board_packs import BoardPacks
from bot.services.reports import Reports
from storage import tables
from storage.uow import unit_of_work_factory

OCTOBER = date(2026, 10, 1)
ROBIN, KIM, LEE, MAX, SAM = (f"aaaaaaaa-0000-0000-0000-00000000000{n}" for n in range(1, 6))
SECRET = b"a secret for the tests, 32 bytes."


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def role_type(engine, idea, value: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(update(tables.ideas).where(tables.ideas.c.id == idea.id)
                                 .values(role_type=value))


@pytest.fixture
async def seeded(engine, clock) -> dict[str, str]:
    clock.current = at("2025-10-15T10:00")
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    cells = await open_campaign(engine, clock, "Cells", opens=date(2026, 9, 1),
                                closes=date(2026, 10, 31))
    e = await submit_idea(services, "E before the window")
    clock.current = at("2026-08-03T10:00")
    g = await submit_idea(services, "G", contributor=SAM)
    clock.current = at("2026-10-05T10:00")
    a, b, c = [await submit_idea(services, name) for name in ("A", "B", "C")]
    d = await submit_idea(services, "D", portfolio="crime-and-justice", contributor=ROBIN)
    clock.current = at("2026-10-06T10:00")
    h = [await submit_idea(services, f"H{n}", contributor=who)
         for n, who in enumerate((KIM, LEE, MAX), 1)]
    clock.current = at("2026-10-20T10:00")
    a = await move(services, await move(services, a, Move.ALLOCATE), Move.APPROVE)
    await move(services, a, Move.DELIVER)
    await move(services, await move(services, b, Move.ALLOCATE), Move.DEFER)
    await move(services, d, Move.DECLINE_AT_TRIAGE, who=ALEX)
    await record_all(engine, clock)
    clock.current = at("2026-11-02T10:00")
    await move(services, await move(services, g, Move.ALLOCATE), Move.ESCALATE)
    await record_all(engine, clock)
    for idea in (a, b, d, *h, g, e):
        await role_type(engine, idea, "officer")
    for idea in (c, h[1]):
        await role_type(engine, idea, "staff")
    async with engine.begin() as connection:
        await connection.execute(update(tables.ideas).where(
            tables.ideas.c.id.in_([h[0].id, h[1].id])).values(campaign_key=cells.key))
        await connection.execute(update(tables.campaigns).where(
            tables.campaigns.c.id == cells.id).values(recipients=40))
    clock.current = at("2026-12-06T09:00")
    return {"A": a.reference, "B": b.reference, "D": d.reference, "E": e.reference}


async def test_the_pmo_pack_of_october_as_counted_by_hand(seeded, engine, clock):
    pack = await BoardPacks(unit_of_work_factory(engine), clock).monthly(OCTOBER)
    figures = pack.as_json()

    assert figures["submitted_by_month"] == {
        **{f"{m:%Y-%m}": 0 for m in pack.months}, "2026-08": 1, "2026-10": 7}
    assert figures["status_mix"] == {"submitted": 4, "escalated": 1, "delivered": 1,
                                     "deferred": 1, "declined_already_exists": 1}
    assert figures["by_portfolio"] == {"local-policing": 7, "crime-and-justice": 1}
    assert figures["by_category"] == {"process": 8}
    assert (figures["taken_forward"], figures["delivered"]) == (1, 1)
    [delivered] = figures["delivered_ideas"]
    assert (delivered["reference"], delivered["what_changed"], delivered["delivered_on"]) == (
        seeded["A"], "Done.", "2026-10-20")
    assert [(c["name"], c["ideas"], c["reached"]) for c in figures["campaigns"]] == [
        ("Cells", 2, 40)]
    assert figures["deferred_total"] == 1
    assert [(d["reference"], d["revisit_on"]) for d in figures["deferred"]] == [
        (seeded["B"], "2028-06-01")]
    assert pack.counts.diversity["role_type"] == {"officer": 5, "staff": 2}
    # Staff's 2 is under 5, and the total (7) less the officers' 5 would give it away: the
    # officers are hidden too ("x": 0, or 5 and more), so 7 reads as 2 + 5 or 1 + 6.
    assert figures["diversity"]["role_type"] == {"cells": {"officer": "x", "staff": "<5"},
                                                 "total": "7"}
    # The promise's trend is the SLA month report's, month by month.
    reports = Reports(unit_of_work_factory(engine))
    assert [(s["month"], s["due"], s["kept"], s["breached"], s["open"], s["compliance"],
             s["median_days_to_first_response"]) for s in figures["sla_trend"]] == [
        (month, r["due"], r["kept"] + r["kept_unreachable"], r["breached"], r["open"],
         r["compliance"], r["median_days_to_first_response"])
        for month in figures["submitted_by_month"]
        for r in [(await reports.sla_month(month, clock.now())).as_json()]]
    assert sum(s["due"] for s in figures["sla_trend"]) == 2  # E in December 2025, G in October
    assert [i.title for i in pack.counts.month_ideas] == ["A", "B", "C", "D", "H1", "H2",
                                                          "H3"]


async def test_a_spoc_pack_holds_only_their_portfolios(seeded, engine, clock):
    pack = await BoardPacks(unit_of_work_factory(engine), clock).monthly(
        OCTOBER, ["crime-and-justice", "people-and-wellbeing"])
    figures = pack.as_json()

    assert figures["scope"] == ["Crime and Justice", "People and Wellbeing"]
    assert sum(figures["submitted_by_month"].values()) == 1
    assert figures["status_mix"] == {"declined_already_exists": 1}
    assert (figures["taken_forward"], figures["delivered"], figures["deferred_total"]) == (
        0, 0, 0)
    assert [i.reference for i in pack.counts.month_ideas] == [seeded["D"]]
    assert pack.counts.diversity["role_type"] == {"officer": 1}
    assert figures["diversity"]["role_type"] == {"cells": {"officer": "<5"}, "total": "<5"}


async def test_a_link_names_its_person_and_scope_and_every_download_is_audited(
        seeded, engine, clock):
    packs = BoardPacks(unit_of_work_factory(engine), clock, SECRET)

    offer = await packs.offer(MEGAN)  # SPOC of Crime and Justice, People and Wellbeing
    assert offer.pack.month == date(2026, 11, 1)  # the last full month on 6 December
    downloaded = await packs.download(offer.token)
    assert downloaded.scope == ("Crime and Justice", "People and Wellbeing")

    audit = await rows(engine, tables.audit_log,
                       tables.audit_log.c.action.in_(["report.link_issued",
                                                      "report.downloaded"]))
    assert [(r["actor"], r["action"], r["subject"]) for r in audit] == [
        (MEGAN, "report.link_issued", "report:2026-11"),
        (MEGAN, "report.downloaded", "report:2026-11")]
    assert audit[1]["detail"]["scope"] == ["crime-and-justice", "people-and-wellbeing"]

    with pytest.raises(NotAllowed):
        await packs.offer(CONTRIBUTOR)
    clock.advance(hours=24)
    with pytest.raises(InvalidLink):
        await packs.download(offer.token)

    deputy = await packs.offer(ISAIAH)  # Local Policing's deputy
    assert deputy.pack.scope == ("Local Policing",)


async def test_iip_report_monthly_writes_the_page_the_csv_and_the_figures(
        seeded, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("IIP_DATABASE_URL", database_url)
    monkeypatch.setenv("IIP_LOG_LEVEL", "WARNING")

    def iip(*argv: str) -> int:
        return run_cli(list(argv))

    assert await asyncio.to_thread(iip, "report", "monthly", "--month", "2026-10",
                                   "--out", str(tmp_path)) == 0

    page = (tmp_path / "board-pack.html").read_text(encoding="utf-8")
    assert "board pack for October 2026" in page and "http" not in page.replace(
        "http://www.w3.org", "")
    with (tmp_path / "ideas.csv").open(encoding="utf-8", newline="") as file:
        table = list(csv.DictReader(file))
    assert [r["title"] for r in table] == ["A", "B", "C", "D", "H1", "H2", "H3"]
    assert table[0]["status"] == "Delivered" and table[0]["decided"].startswith("2026-10-20")
    assert table[3]["status"] == "Declined (already exists)"
    assert table[4]["campaign"] == "Cells"
    assert "Contributor" not in (tmp_path / "ideas.csv").read_text(encoding="utf-8")
    figures = json.loads((tmp_path / "figures.json").read_text(encoding="utf-8"))
    assert figures["month"] == "2026-10" and figures["by_category"] == {"process": 8}

    assert await asyncio.to_thread(iip, "report", "monthly", "--month", "2026-13",
                                   "--out", str(tmp_path)) == 2
    # An unknown portfolio is named, rather than given an empty pack.
    assert await asyncio.to_thread(iip, "report", "monthly", "--month", "2026-10",
                                   "--portfolio", "nowhere", "--out", str(tmp_path / "x")) == 2
    assert not (tmp_path / "x").exists()
