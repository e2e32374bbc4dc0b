"""A contributor's own ideas: the list, one idea's timeline, withdrawing; and only their own.

Identity is the Entra object id of the sender (from.aadObjectId), never anything a card says.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update
from support.bot_server import BotServer, sqlite_only
from support.cards import typed
from support.chat import MEGAN_ID, Person, Reply, seed_idea
from support.connector import StandInConnector
from support.organisation import ADELE, ALEX
from support.tables import count, rows

from bot.services.ideas import PAGE_SIZE
from storage import tables

NOT_FOUND = "I could not find an idea {} of yours."
NO_LONGER = "so it can no longer be withdrawn"
ADELE_ID = ADELE


def listed(reply: Reply) -> list[str]:
    """The references on a My ideas card, in the order shown."""
    return [c["selectAction"]["data"]["reference"]
            for c in typed(reply.card, "Container") if "selectAction" in c]


async def set_status(bot: BotServer, reference: str, status: str,
                     decline_reason: str | None = None) -> None:
    """What a decision would do to the idea (decisions are another issue's)."""
    async with bot.engine.begin() as connection:
        await connection.execute(
            update(tables.ideas).where(tables.ideas.c.reference == reference)
            .values(status=status, decline_reason=decline_reason,
                    version=tables.ideas.c.version + 1))


async def idea_row(bot: BotServer, reference: str) -> dict:
    [row] = await rows(bot.engine, tables.ideas, tables.ideas.c.reference == reference)
    return row


def same_card_but_the_reference(one: Reply, other: Reply, first: str, second: str) -> bool:
    return str(one.card).replace(first, "REF") == str(other.card).replace(second, "REF")


# My ideas


async def test_my_ideas_lists_only_mine_newest_first_a_page_at_a_time(
    bot: BotServer, connector: StandInConnector, clock
):
    assert PAGE_SIZE == 5
    megan = Person(bot, connector)
    adele = Person(bot, connector, object_id=ADELE_ID, name="Adele Vance")
    mine = []
    for n in range(1, 8):
        mine.append(await seed_idea(bot, megan, f"Idea number {n}"))
        clock.advance(hours=5)
        if n == 3:
            await seed_idea(bot, adele, "Adele's idea")
    await set_status(bot, mine[4], "declined", "duplicate")

    first = await megan.one("my ideas")

    assert "7 ideas, newest first" in first
    assert "page 1 of 2" in first.text.lower()
    assert listed(first) == mine[::-1][:5]
    assert "Adele's idea" not in first and "IIP-2026-0004" not in first.text
    assert set(first.buttons) >= {"Older"} and "Newer" not in first.buttons
    assert "Status: Declined: duplicate" in first
    assert first.text.count("Update due by:") == 4  # not for the decided one
    older = await megan.one_press(first, "Older")
    assert listed(older) == mine[1::-1]
    assert "page 2 of 2" in older.text.lower()
    assert "Newer" in older.buttons and "Older" not in older.buttons
    newer = await megan.one_press(older, "Newer")
    assert listed(newer) == listed(first)


@sqlite_only
async def test_a_page_beyond_the_last_shows_the_last_page(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    references = [await seed_idea(bot, megan, f"Idea {n}") for n in range(6)]

    for page in (99, 0, -3, "2", None):
        reply = await megan.one_value({"action": "ideas.list", "page": page})
        assert "You have not submitted any ideas yet" not in reply
        assert "6 ideas" in reply
        expected = references[:1] if page == 99 else references[::-1][:5]
        assert listed(reply) == expected, page


@sqlite_only
async def test_someone_with_no_ideas_is_offered_to_submit_one(
    bot: BotServer, connector: StandInConnector
):
    reply = await Person(bot, connector).one("my ideas")

    assert "You have not submitted any ideas yet" in reply
    assert "Give your idea a short title" in await Person(bot, connector).one_press(
        reply, "New idea")


# One idea's timeline


@sqlite_only
async def test_status_shows_the_timeline_of_one_idea(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    reference = await seed_idea(bot, megan, "Digital pocket notebooks")

    typed_status = await megan.one(f"status {reference.lower()}.")
    mine = await megan.one("my ideas")
    [open_it] = [title for title in mine.buttons if title.startswith("Open")]
    opened = await megan.one_press(mine, open_it)

    for reply in (typed_status, opened):
        assert reference in reply and "Digital pocket notebooks" in reply
        assert "Status: Submitted" in reply
        assert "Submitted: 2 November 2026" in reply
        assert "Update due by: 2 January 2027" in reply
        assert "2 November 2026: Submitted" in reply
        assert {"Withdraw", "My ideas"} <= set(reply.buttons)


@sqlite_only
async def test_someone_elses_idea_is_not_found_exactly_like_a_missing_one(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    adele = Person(bot, connector, object_id=ADELE_ID, name="Adele Vance")
    theirs = await seed_idea(bot, adele, "Adele's idea")
    missing = "IIP-2026-0999"

    for ask in ("status {}", "withdraw {}"):
        other = await megan.one(ask.format(theirs))
        absent = await megan.one(ask.format(missing))
        assert NOT_FOUND.format(theirs) in other and NOT_FOUND.format(missing) in absent
        assert "Adele's idea" not in other
        assert same_card_but_the_reference(other, absent, theirs, missing)
    for action in ("ideas.status", "ideas.withdraw", "ideas.withdraw.confirm"):
        for reason in ("Not mine to withdraw", "Too long. " * 60):
            other = await megan.one_value({"action": action, "reference": theirs,
                                           "reason": reason})
            absent = await megan.one_value({"action": action, "reference": missing,
                                            "reason": reason})
            assert NOT_FOUND.format(theirs) in other, action
            assert same_card_but_the_reference(other, absent, theirs, missing), action

    row = await idea_row(bot, theirs)
    assert (row["status"], row["version"]) == ("submitted", 1)
    assert await count(bot.engine, tables.idea_history) == 1
    assert await count(bot.engine, tables.audit_log,
                       tables.audit_log.c.action == "idea.withdrawn") == 0


# Withdrawing


async def test_withdrawing_asks_first_records_why_and_tells_the_pmo(
    bot: BotServer, connector: StandInConnector, clock
):
    megan = Person(bot, connector)
    reference = await seed_idea(bot, megan, "Digital pocket notebooks")
    clock.advance(days=3)

    confirm = await megan.one(f"withdraw {reference}")

    assert f"Withdraw {reference}?" in confirm and "Digital pocket notebooks" in confirm
    assert "reason" in confirm.inputs
    assert (await idea_row(bot, reference))["status"] == "submitted"  # nothing yet
    kept = await megan.one_press(confirm, "Keep it")
    assert "Status: Submitted" in kept
    assert (await idea_row(bot, reference))["status"] == "submitted"

    done = await megan.one_press(confirm, "Withdraw it", reason="  Found a better way.  ")

    assert f"{reference} is withdrawn" in done
    row = await idea_row(bot, reference)
    assert (row["status"], row["version"]) == ("withdrawn", 2)
    assert row["updated_at"] == clock.now()
    [_, withdrawal] = await rows(bot.engine, tables.idea_history)
    assert (withdrawal["action"], withdrawal["actor"]) == ("withdrawn", MEGAN_ID)
    assert (withdrawal["from_status"], withdrawal["to_status"]) == ("submitted", "withdrawn")
    assert withdrawal["reason"] == "Found a better way."
    [audit] = await rows(bot.engine, tables.audit_log,
                         tables.audit_log.c.action == "idea.withdrawn")
    assert (audit["actor"], audit["subject"]) == (MEGAN_ID, reference)
    told = await rows(bot.engine, tables.outbox,
                      tables.outbox.c.dedupe_key == f"withdrawn:{reference}:v2:{ALEX}")
    assert len(told) == 1 and reference in str(told[0]["card"])

    again = await megan.one_press(confirm, "Withdraw it", reason="Pressed twice")
    assert f"{reference} is withdrawn, {NO_LONGER}" in again
    assert await count(bot.engine, tables.idea_history) == 2
    assert await count(bot.engine, tables.outbox,
                       tables.outbox.c.dedupe_key.like("withdrawn:%")) == 1

    timeline = await megan.one(f"status {reference}")
    assert "Status: Withdrawn" in timeline
    assert "Withdraw" not in timeline.buttons
    assert "5 November 2026: Withdrawn" in timeline
    assert "Reason given: Found a better way." in timeline
    assert "Update due by" not in timeline.text
    listed_card = await megan.one("my ideas")
    assert "Status: Withdrawn" in listed_card and "Update due by" not in listed_card.text


@sqlite_only
async def test_a_withdrawal_without_a_reason_records_none(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    reference = await seed_idea(bot, megan, "Digital pocket notebooks")

    await megan.one_press(await megan.one(f"withdraw {reference}"), "Withdraw it", reason=" ")

    [_, withdrawal] = await rows(bot.engine, tables.idea_history)
    assert withdrawal["reason"] is None


@sqlite_only
async def test_an_over_long_reason_is_refused_and_kept(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    reference = await seed_idea(bot, megan, "Digital pocket notebooks")
    confirm = await megan.one(f"withdraw {reference}")
    essay = "Because. " * 60

    again = await megan.one_press(confirm, "Withdraw it", reason=essay)

    assert "The reason is 539 characters long; the limit is 500" in again
    assert again.inputs["reason"] == essay
    assert (await idea_row(bot, reference))["status"] == "submitted"


@pytest.mark.parametrize(("status", "reason", "label"), [
    ("declined", "duplicate", "declined: duplicate"),
    ("approved", None, "approved"),
    ("withdrawn", None, "withdrawn"),
], ids=["declined", "approved", "withdrawn"])
@sqlite_only
async def test_a_decided_idea_can_no_longer_be_withdrawn_and_says_so(
    bot: BotServer, connector: StandInConnector, status: str, reason: str | None, label: str
):
    megan = Person(bot, connector)
    reference = await seed_idea(bot, megan, "Digital pocket notebooks")
    old_confirm = await megan.one(f"withdraw {reference}")
    await set_status(bot, reference, status, reason)

    asked = await megan.one(f"withdraw {reference}")
    pressed = await megan.one_press(old_confirm, "Withdraw it")
    timeline = await megan.one(f"status {reference}")

    for reply in (asked, pressed):
        assert f"{reference} is {label}, {NO_LONGER}" in reply, reply.text
        assert "Withdraw it" not in reply.buttons
    assert "Withdraw" not in timeline.buttons
    assert (await idea_row(bot, reference))["status"] == status
    assert await count(bot.engine, tables.idea_history) == 1


@sqlite_only
async def test_withdrawing_during_assessment_tells_the_pmo_and_the_portfolios_spoc(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    reference = await seed_idea(bot, megan, "Shared pool cars", portfolio="digital-and-data")
    await set_status(bot, reference, "business_assessment")

    done = await megan.one_press(await megan.one(f"withdraw {reference}"), "Withdraw it")

    assert f"{reference} is withdrawn" in done
    told = await rows(bot.engine, tables.outbox, tables.outbox.c.dedupe_key.like("withdrawn:%"))
    assert {row["object_id"] for row in told} == {ALEX, ADELE_ID}
    [history] = [h for h in await rows(bot.engine, tables.idea_history)
                 if h["action"] == "withdrawn"]
    assert history["from_status"] == "business_assessment"


# Identity: from.aadObjectId only


@sqlite_only
async def test_card_data_naming_someone_else_changes_nothing_for_them(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    adele = Person(bot, connector, object_id=ADELE_ID, name="Adele Vance")
    theirs = await seed_idea(bot, adele, "Adele's idea")
    await adele.one("new idea")
    await adele.one("Adele's draft title")
    [adele_draft] = await rows(bot.engine, tables.idea_drafts)
    forged = {"object_id": ADELE_ID, "aadObjectId": ADELE_ID, "contributor": ADELE_ID,
              "from": {"aadObjectId": ADELE_ID}}

    listing = await megan.one_value({"action": "ideas.list", **forged})
    assert "You have not submitted any ideas yet" in listing
    withdrawal = await megan.one_value({"action": "ideas.withdraw.confirm",
                                        "reference": theirs, **forged})
    assert NOT_FOUND.format(theirs) in withdrawal
    submitted = await megan.one_value({"action": "intake.submit", "draft":
                                       adele_draft["draft_id"],
                                       "revision": adele_draft["draft"]["revision"], **forged})
    assert "There is no idea in progress" in submitted
    answered = await megan.one_value({"action": "intake.answer", "step": "problem",
                                      "revision": 1, "answer": "Hijacked", **forged})
    assert "There is no idea in progress" in answered
    await megan.one_value({"action": "profile.save", "department": "local-policing", **forged})
    await megan.one("new idea")  # Megan's own draft, at the same step and revision as Adele's
    await megan.one("Megan's title")
    mine = await megan.one_value({"action": "intake.answer", "step": "problem", "revision": 1,
                                  "answer": "Megan's problem", **forged})
    assert "What do you propose?" in mine

    assert (await idea_row(bot, theirs))["status"] == "submitted"
    drafts = {r["object_id"]: r for r in await rows(bot.engine, tables.idea_drafts)}
    assert drafts[ADELE_ID]["draft"] == adele_draft["draft"]
    assert drafts[MEGAN_ID]["draft"]["problem"] == "Megan's problem"
    profiles = {r["object_id"] for r in await rows(bot.engine, tables.contributor_profiles)}
    assert profiles == {MEGAN_ID}  # Megan's own answers, saved under her own id
    assert await count(bot.engine, tables.ideas) == 1


@sqlite_only
async def test_the_person_is_their_entra_object_id_not_their_teams_user_id(
    bot: BotServer, connector: StandInConnector
):
    megan = Person(bot, connector)
    reference = await seed_idea(bot, megan, "Digital pocket notebooks")
    same_account_other_person = Person(bot, connector, object_id=ADELE_ID,
                                       conversation_id=megan.conversation_id)
    shouting = Person(bot, connector, object_id=MEGAN_ID.upper(),
                      conversation_id=megan.conversation_id)

    assert NOT_FOUND.format(reference) in await same_account_other_person.one(
        f"status {reference}")
    assert "Digital pocket notebooks" in await shouting.one(f"status {reference}")


@sqlite_only
@pytest.mark.parametrize("message", [
    {"text": "my ideas"}, {"text": "new idea"}, {"text": "status IIP-2026-0001"},
    {"value": {"action": "intake.answer", "step": "title", "revision": 0, "answer": "x"}},
    {"value": {"action": "ideas.withdraw.confirm", "reference": "IIP-2026-0001"}},
], ids=["my-ideas", "new-idea", "status", "answer", "withdraw"])
async def test_without_an_entra_id_nothing_is_shown_or_stored(
    bot: BotServer, connector: StandInConnector, message: dict
):
    megan = Person(bot, connector)
    reference = await seed_idea(bot, megan, "Digital pocket notebooks")
    anonymous = Person(bot, connector, object_id="", conversation_id="a:anonymous")

    if "text" in message:
        replies = await anonymous.say(message["text"])
    else:
        replies = await anonymous.send_value(message["value"])

    assert len(replies) == 1
    assert "I could not tell who sent this" in replies[0]
    assert reference not in replies[0].text
    assert await count(bot.engine, tables.idea_drafts) == 0
    assert (await idea_row(bot, reference))["status"] == "submitted"
