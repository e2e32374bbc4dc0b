"""Journeys that cross people: a contributor, the PMO, a portfolio's SPOC and its deputy, each
with their own identity and chat, pressing what Teams would send, and what each is then told."""

from __future__ import annotations

from support.bot_server import BotServer
from support.chat import Person, Reply, seed_idea
from support.connector import StandInConnector
from support.decisions import CONTRIBUTOR, say, snapshot, text_of, verbs_of
from support.invokes import cards_to, invoke, press, until
from support.organisation import ADELE, ALEX, ISAIAH, MEGAN, demo_data, organisation_from

from bot.domain.ideas import IdeaDetail
from bot.domain.lifecycle import Move
from bot.domain.organisation import Organisation


def contributor(bot: BotServer, connector: StandInConnector) -> Person:
    return Person(bot, connector, object_id=CONTRIBUTOR, name="Pat Contributor")


async def idea_of(bot: BotServer, pat: Person, reference: str) -> IdeaDetail:
    return await bot.services.ideas.idea_of(pat.object_id, reference)


async def answered(bot: BotServer, pat: Person, reference: str) -> IdeaDetail:
    """The idea once the outbox has recorded its first answer as sent (which the idea keeps as
    its promise's first response), so that nothing else changes it while a test looks."""
    async def told() -> bool:
        return (await idea_of(bot, pat, reference)).first_response is not None
    await until(told)
    return await idea_of(bot, pat, reference)


async def withdraw(pat: Person, reference: str) -> None:
    confirm = await pat.one(f"withdraw {reference}")
    done = await pat.one_press(confirm, "Withdraw it", reason="Changed my mind")
    assert f"{reference} is withdrawn" in done, done.text


def withdrawal_notices(connector: StandInConnector, object_id: str, reference: str) -> list:
    return [r for r in cards_to(connector, object_id, reference, "POST")
            if f"{reference} was withdrawn" in r.text_seen]


async def test_staff_are_told_of_a_second_withdrawal_after_a_reopen(
    bot: BotServer, connector: StandInConnector
):
    await say(bot, connector, ALEX, "my queue")  # the PMO's chat is known
    pat = contributor(bot, connector)
    reference = await seed_idea(bot, pat, "Digital pocket notebooks")
    await withdraw(pat, reference)
    await until(lambda: withdrawal_notices(connector, ALEX, reference))

    await press(bot, ALEX, await idea_of(bot, pat, reference), Move.REOPEN,
                reason="Withdrawn by mistake, the contributor says.",
                message="Your idea is back with the PMO team.")
    await withdraw(pat, reference)

    await until(lambda: len(withdrawal_notices(connector, ALEX, reference)) == 2)


# Nobody decides their own idea


def without_self_decisions(*, pmo: tuple[str, ...]) -> Organisation:
    """The demo organisation as a force would run it: self-decisions off (the default)."""
    data = demo_data()
    del data["settings"]
    data["pmo"]["members"] = list(pmo)
    return organisation_from(data)


async def latest_card(connector: StandInConnector, object_id: str, reference: str,
                      words: str) -> dict:
    """The newest copy of the idea's card in `object_id`'s chat, once it says `words`."""
    def found() -> list:
        return [r for r in cards_to(connector, object_id, reference) if words in r.text_seen]
    await until(found)
    return found()[-1].cards[0]


async def test_staff_who_submitted_an_idea_see_it_without_buttons_and_who_decides_instead(
    bot: BotServer, connector: StandInConnector
):
    await bot.services.organisation.replace(without_self_decisions(pmo=(ALEX, MEGAN)), "test")
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")
    for person in (ALEX, MEGAN, ISAIAH):
        await say(bot, connector, person, "help")
    reference = await seed_idea(bot, alex, "Alex's own idea")

    mine = await latest_card(connector, ALEX, reference, "You submitted this idea")
    assert verbs_of(mine) == []
    assert "You submitted this idea, so others decide it: Megan Bowen for the PMO team." \
        in text_of(mine)
    assert verbs_of(await latest_card(connector, MEGAN, reference, "Status: Submitted")) == [
        "allocate", "decline_at_triage", "update"]

    idea = await bot.services.ideas.idea_of(ALEX, reference)
    before = await snapshot(bot.engine)
    forged = await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="local-policing")
    assert "You submitted this idea, so you cannot decide it yourself." in text_of(forged)
    assert verbs_of(forged) == []
    after = await snapshot(bot.engine)
    assert (after.ideas, after.history) == (before.ideas, before.history)
    refreshed = await invoke(bot, ALEX, "refresh", {"idea": idea.id, "version": idea.version})
    assert verbs_of(refreshed) == [] and "Megan Bowen for the PMO team" in text_of(refreshed)

    await press(bot, MEGAN, idea, Move.ALLOCATE, portfolio="local-policing")
    idea = await bot.services.ideas.idea_of(ALEX, reference)
    mine = await latest_card(connector, ALEX, reference, "Status: Business assessment")
    assert verbs_of(mine) == []
    assert ("You submitted this idea, so others decide it: Isaiah Langer for Local Policing "
            "and Megan Bowen for the PMO team.") in text_of(mine)
    forged = await press(bot, ALEX, idea, Move.APPROVE, root_causes=True, message="Yes")
    assert "You submitted this idea, so you cannot decide it yourself." in text_of(forged)
    assert (await bot.services.ideas.idea_of(ALEX, reference)).version == idea.version

    approved = await press(bot, ISAIAH, idea, Move.APPROVE, root_causes=True, message="Yes")
    assert "Status: Approved" in text_of(approved)


async def queue_text(bot: BotServer, connector: StandInConnector, object_id: str) -> str:
    [reply] = await say(bot, connector, object_id, "my queue")
    return reply.text_seen


async def test_a_staff_members_own_idea_waits_in_other_queues_not_theirs(
    bot: BotServer, connector: StandInConnector
):
    await bot.services.organisation.replace(without_self_decisions(pmo=(ALEX, MEGAN)), "test")
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")
    await say(bot, connector, ALEX, "help")
    reference = await seed_idea(bot, alex, "Alex's own idea")
    other = await seed_idea(bot, contributor(bot, connector), "Pat's idea")

    alexs_queue = await queue_text(bot, connector, ALEX)
    assert other in alexs_queue and reference not in alexs_queue
    assert "Ideas awaiting triage: 1" in alexs_queue
    assert reference in await queue_text(bot, connector, MEGAN)

    await press(bot, MEGAN, await bot.services.ideas.idea_of(ALEX, reference), Move.ALLOCATE,
                portfolio="local-policing")
    assert reference in await queue_text(bot, connector, ISAIAH)


async def test_where_self_decisions_are_allowed_a_staff_members_own_idea_is_in_their_queue(
    bot: BotServer, connector: StandInConnector
):
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")  # the demo: allowed
    await say(bot, connector, ALEX, "help")
    reference = await seed_idea(bot, alex, "Alex's own idea")

    assert reference in await queue_text(bot, connector, ALEX)


async def test_a_sole_pmo_member_who_submits_is_told_nobody_else_can_triage_it(
    bot: BotServer, connector: StandInConnector
):
    await bot.services.organisation.replace(without_self_decisions(pmo=(ALEX,)), "test")
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")
    await say(bot, connector, ALEX, "help")
    reference = await seed_idea(bot, alex, "Alex's own idea")

    mine = await latest_card(connector, ALEX, reference, "You submitted this idea")

    assert verbs_of(mine) == [] and "nobody else can at the moment" in text_of(mine)


async def test_where_self_decisions_are_allowed_the_card_says_so_and_they_count(
    bot: BotServer, connector: StandInConnector
):
    alex = Person(bot, connector, object_id=ALEX, name="Alex Wilber")  # the demo: allowed
    await say(bot, connector, ALEX, "help")
    reference = await seed_idea(bot, alex, "Alex's own idea")

    mine = await latest_card(connector, ALEX, reference, "Status: Submitted")
    assert verbs_of(mine) == ["allocate", "decline_at_triage", "update"]
    assert "Self-decisions are allowed in this organisation" in text_of(mine)

    idea = await bot.services.ideas.idea_of(ALEX, reference)
    card = await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="local-policing")
    assert "Status: Business assessment" in text_of(card) and "approve" in verbs_of(card)
    assert "Self-decisions are allowed in this organisation" in text_of(card)
    refused = await invoke(bot, ALEX, "withdraw", {"action": "withdraw", "idea": idea.id,
                                                   "version": idea.version + 1})
    assert "Status: Business assessment" in text_of(refused)  # withdrawn only from the chat
    assert (await bot.services.ideas.idea_of(ALEX, reference)).status.value \
        == "business_assessment"


# A question and its answer


def with_a_deputy_for_people_and_wellbeing() -> Organisation:
    """The demo with distinct people in every part: Alex the PMO, Megan and Adele the SPOCs of
    People and Wellbeing, Isaiah its deputy."""
    data = demo_data()
    [wellbeing] = [p for p in data["portfolios"] if p["key"] == "people-and-wellbeing"]
    wellbeing["deputies"] = [ISAIAH]
    return organisation_from(data)


async def notice(connector: StandInConnector, pat: Person, words: str) -> Reply:
    """The newest message in the contributor's chat saying `words`, once one has come."""
    def found() -> list:
        return [r for r in connector.received if r.conversation_id == pat.conversation_id
                and words in r.text_seen]
    await until(found)
    return Reply(found()[-1])


async def question_card(connector: StandInConnector, pat: Person) -> Reply:
    return await notice(connector, pat, "A question about your idea")


async def sent(connector: StandInConnector, object_id: str, reference: str, method: str,
               words: str) -> list:
    """What reached `object_id`'s chat about `reference` saying `words`, once something has:
    new messages (POST) or cards replaced in place (PUT)."""
    def found() -> list:
        return [r for r in cards_to(connector, object_id, reference, method)
                if words in r.text_seen]
    await until(found)
    return found()


async def test_an_answer_reaches_everyone_following_the_idea_and_every_staff_card(
    bot: BotServer, connector: StandInConnector
):
    await bot.services.organisation.replace(with_a_deputy_for_people_and_wellbeing(), "test")
    followers = (ALEX, MEGAN, ADELE, ISAIAH)
    for person in followers:
        await say(bot, connector, person, "help")
    pat = contributor(bot, connector)
    await pat.one("my ideas")
    reference = await seed_idea(bot, pat, "Pool cars", portfolio="people-and-wellbeing")
    await press(bot, ALEX, await idea_of(bot, pat, reference), Move.ALLOCATE,
                portfolio="people-and-wellbeing")
    await press(bot, ADELE, await idea_of(bot, pat, reference), Move.ASK,
                message="How many officers would use them each week?")
    for person in followers:  # every staff card has been sent before the answer
        await until(lambda person=person: cards_to(connector, person, reference))
    asked = await idea_of(bot, pat, reference)

    thanks = await pat.one_press(await question_card(connector, pat), "Send answer",
                                 answer="About forty on each shift.")

    assert "your answer is added" in thanks
    for person in followers:
        [told] = await sent(connector, person, reference, "POST", "About forty on each shift.")
        assert "How many officers would use them each week?" in told.text_seen, person
        [card] = await sent(connector, person, reference, "PUT", "About forty on each shift.")
        assert "How many officers would use them each week?" in card.text_seen, person
        assert "Status: Business assessment" in card.text_seen
    answered = await idea_of(bot, pat, reference)
    assert answered.status is asked.status and answered.version == asked.version + 1
    assert answered.history[-1].detail == {"answer": "About forty on each shift."}


async def test_an_answer_after_the_idea_is_decided_is_refused_politely(
    bot: BotServer, connector: StandInConnector
):
    pat = contributor(bot, connector)
    await pat.one("my ideas")
    reference = await seed_idea(bot, pat, "Pool cars", portfolio="people-and-wellbeing")
    await press(bot, ALEX, await idea_of(bot, pat, reference), Move.ALLOCATE,
                portfolio="people-and-wellbeing")
    await press(bot, ADELE, await idea_of(bot, pat, reference), Move.ASK,
                message="How many officers would use them each week?")
    question = await question_card(connector, pat)
    await press(bot, MEGAN, await idea_of(bot, pat, reference), Move.APPROVE,
                root_causes=True, message="We will buy two pool cars.")
    decided = await answered(bot, pat, reference)

    reply = await pat.one_press(question, "Send answer", answer="About forty.")

    assert (f"{reference} is approved now, so the question no longer needs an answer. "
            "Nothing was added.") in reply
    assert "Status: Approved" in reply  # its story, to see what was decided
    assert await idea_of(bot, pat, reference) == decided


# Reopening: the PMO's reason stays with the staff


async def test_the_pmos_reason_to_reopen_stays_internal_and_the_contributor_gets_plain_words(
    bot: BotServer, connector: StandInConnector
):
    await say(bot, connector, ALEX, "help")
    pat = contributor(bot, connector)
    await pat.one("my ideas")
    reference = await seed_idea(bot, pat, "Pool cars")
    await press(bot, ALEX, await idea_of(bot, pat, reference), Move.DECLINE_AT_TRIAGE,
                reason="in_progress", message="This is under way already.")
    declined = await answered(bot, pat, reference)
    reason = "Fleet services stopped the other project, so this one matters again."

    refused = await press(bot, ALEX, declined, Move.REOPEN, reason=" ")
    assert "Please say why it is reopened" in text_of(refused)
    assert await idea_of(bot, pat, reference) == declined
    card = await press(bot, ALEX, declined, Move.REOPEN, reason=reason)

    assert "Status: Submitted" in text_of(card) and reason in text_of(card)
    told = await notice(connector, pat, "Your idea has been reopened")
    assert "The PMO team will look at it again." in told and reason not in told.text
    timeline = await pat.one(f"status {reference}")
    assert "Reopened" in timeline and reason not in timeline.text
    [entry] = [e for e in (await idea_of(bot, pat, reference)).history if e.action == "reopen"]
    assert (entry.reason, entry.message_to_contributor) == (reason, None)


# The contributor's timeline


async def test_the_timeline_gives_each_entrys_reason_and_message(
    bot: BotServer, connector: StandInConnector, clock
):
    pat = contributor(bot, connector)
    await pat.one("my ideas")
    reference = await seed_idea(bot, pat, "Pool cars", portfolio="people-and-wellbeing")

    async def move(who: str, move: Move, **fields) -> None:
        clock.advance(days=1)
        await press(bot, who, await idea_of(bot, pat, reference), move, **fields)

    await move(ALEX, Move.ALLOCATE, portfolio="people-and-wellbeing",
               message="People and Wellbeing will assess it.")
    await move(ADELE, Move.ASK, message="How many officers would use them?")
    clock.advance(days=1)
    await pat.one_press(await question_card(connector, pat), "Send answer",
                        answer="About forty on each shift.")
    await move(MEGAN, Move.DEFER, revisit_on="2027-03-01", message="After the budget is set.")
    await move(MEGAN, Move.REVISIT)
    await move(MEGAN, Move.DECLINE, root_causes=True, reason="not_viable",
               message="The fleet cannot grow this year.")

    timeline = (await pat.one(f"status {reference}")).text

    expected = [
        "2 November 2026: Submitted",
        "3 November 2026: Allocated for business assessment",
        "People and Wellbeing will assess it.",
        "4 November 2026: A question for you", "How many officers would use them?",
        "5 November 2026: You answered", "About forty on each shift.",
        "6 November 2026: Deferred", "To be looked at again on 1 March 2027.",
        "After the budget is set.",
        "7 November 2026: Being assessed again",
        "8 November 2026: Declined", "Reason: not viable.", "The fleet cannot grow this year.",
    ]
    positions = [timeline.find(words) for words in expected]
    assert -1 not in positions, [w for w, at in zip(expected, positions, strict=True) if at < 0]
    assert positions == sorted(positions)
