"""Ideas imported from the SharePoint list, seen by their contributors in Teams.

A Teams message carries the sender's Entra object id (from.aadObjectId) and display name, but
no e-mail address or UPN (see the real payload in tests/fixtures/teams-activities). So an
imported idea becomes a person's when the bot knows that person's e-mail address: from the
organisation file (at the import, or at a later `iip org load`), or from Teams' member lookup
(GET /v3/conversations/{chat}/members/{member}, a TeamsChannelAccount with `email` and
`userPrincipalName`), asked once when the person asks for their ideas. Then `my ideas`, sent
as the real payload is, lists it.
"""

from __future__ import annotations

import io

from support.activities import personal_message
from support.bot_server import BotServer
from support.chat import MEGAN_ID, Person
from support.connector import StandInConnector
from support.organisation import ADELE, demo_data, organisation_from
from support.tables import rows

from bot.app import SERVICES
from bot.domain.legacy import ColumnMap, check_rows
from bot.services.legacy_import import LegacyImport
from storage import tables
from storage.uow import unit_of_work_factory

EXPORT = """\ufeffID,Title,Portfolio,Category,Status,Created,Created By,Created By Email,\
First Response,Decision Date\r
7,Shared calendar for court dates,Crime and Justice,Process improvement,Approved,\
01/07/2024 08:30,Pat Contributor,Pat.Contributor@example.police.uk,20/07/2024 12:00,\r
8,Spare radio batteries,Local Policing,Equipment,Declined (duplicate),\
10/09/2024 13:20,Pat Contributor,pat.contributor@example.police.uk,,11/09/2024\r
9,Someone else's idea,Local Policing,Equipment,Submitted,\
12/09/2024 09:00,Jo Bloggs,jo.bloggs@example.police.uk,,\r
"""


async def import_export(bot: BotServer, clock) -> None:
    checked = check_rows(io.StringIO(EXPORT.lstrip("\ufeff"), newline=""), ColumnMap(),
                         clock.now())
    assert checked.problems == []
    await LegacyImport(unit_of_work_factory(bot.engine), clock).run(
        checked.ideas, source="export.csv", actor="test")


async def test_an_imported_contributor_sees_their_ideas_once_the_bot_knows_their_email(
        bot: BotServer, connector: StandInConnector, clock):
    await import_export(bot, clock)
    pat = Person(bot, connector, object_id=MEGAN_ID, name="Pat Contributor")

    before = await pat.one("my ideas")
    assert "IIP-2024-0001" not in before.text

    data = demo_data()
    data["people"].append({"object_id": MEGAN_ID, "name": "Pat Contributor",
                           "email": "pat.contributor@EXAMPLE.police.uk"})
    changes = await bot.app[SERVICES].organisation.replace(organisation_from(data), "test")
    assert "imported ideas now Pat Contributor's: 2" in changes

    mine = await pat.one("my ideas")
    assert "2 ideas, newest first" in mine
    assert "IIP-2024-0001" in mine and "IIP-2024-0002" in mine
    assert "Status: Approved" in mine and "Status: Declined: duplicate" in mine
    assert "Someone else's idea" not in mine.text
    opened = await pat.one("status IIP-2024-0001")
    assert "Shared calendar for court dates" in opened
    assert "1 July 2024: Submitted" in opened


def member_lookups(connector: StandInConnector) -> list[str]:
    return [r.path for r in connector.received if r.method == "GET"]


async def test_teams_member_lookup_gives_a_contributor_their_imported_ideas_once(
        bot: BotServer, connector: StandInConnector, clock):
    await import_export(bot, clock)
    teams_user = personal_message(None)["from"]["id"]
    connector.members[teams_user] = {
        "email": "Pat.Contributor@example.police.uk",
        "userPrincipalName": "pcontributor@force.example.police.uk", "aadObjectId": MEGAN_ID}
    pat = Person(bot, connector, name="Pat Contributor")

    mine = await pat.one("my ideas")
    assert "2 ideas, newest first" in mine
    assert "IIP-2024-0001" in mine and "IIP-2024-0002" in mine
    assert "Someone else's idea" not in mine.text
    assert member_lookups(connector) == [
        f"/v3/conversations/{pat.conversation_id}/members/{teams_user}"]
    [claimed] = await rows(bot.engine, tables.audit_log,
                           tables.audit_log.c.action == "ideas.claimed")
    assert (claimed["actor"], claimed["detail"]["ideas"]) == (MEGAN_ID, 2)

    # Asked once: the next time, Teams is not asked again.
    assert "2 ideas" in await pat.one("my ideas")
    assert len(member_lookups(connector)) == 1

    # A later import knows Pat by the UPN Teams gave.
    later = ("ID,Title,Status,Created,Created By Email\r\n"
             "10,A later idea,Submitted,01/10/2024 09:00,PContributor@force.example.police.uk\r\n")
    checked = check_rows(io.StringIO(later, newline=""), ColumnMap(), clock.now())
    report = await LegacyImport(unit_of_work_factory(bot.engine), clock).run(
        checked.ideas, source="later.csv", actor="test")
    assert (report.imported, report.people_matched, report.people_added) == (1, 1, 0)
    assert "3 ideas" in await pat.one("my ideas")

    # Someone else with another address gets none of them.
    adele = Person(bot, connector, object_id=ADELE, name="Adele Vance")
    connector.members[f"29:{ADELE}"] = {"email": "adelev@example.com"}
    assert "IIP-2024" not in (await adele.one("my ideas")).text


async def test_when_teams_cannot_say_nothing_is_given_and_it_is_asked_again(
        bot: BotServer, connector: StandInConnector, clock):
    await import_export(bot, clock)
    connector.members_known_only = True
    pat = Person(bot, connector, name="Pat Contributor")
    assert "IIP-2024-0001" not in (await pat.one("my ideas")).text
    assert "IIP-2024-0001" not in (await pat.one("my ideas")).text
    assert len(member_lookups(connector)) == 2
    assert await rows(bot.engine, tables.contributor_lookups) == []


async def test_teams_is_not_asked_when_no_imported_idea_waits(
        bot: BotServer, connector: StandInConnector):
    pat = Person(bot, connector, name="Pat Contributor")
    await pat.one("my ideas")
    assert member_lookups(connector) == []
