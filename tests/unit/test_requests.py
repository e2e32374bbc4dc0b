"""Requests parsed once at the edge: typed words, button data, and the one route table."""

from __future__ import annotations

from typing import get_args

import pytest
from support.cards import walk

from bot.domain.errors import Malformed
from bot.domain.lifecycle import Move
from bot.domain.moves import Decide
from bot.domain.requests import (
    AnswerQuestion,
    AskStatus,
    AskToWithdraw,
    ContinueIntake,
    Find,
    IdeaStatus,
    IntakeButton,
    MyIdeas,
    NewIdea,
    OpenFeedback,
    QueueView,
    Refresh,
    RefreshCall,
    Request,
    SaveProfile,
    SendFeedback,
    ShowDeferred,
    ShowHelp,
    ShowQueue,
    ShowWelcome,
    SkipProfile,
    StopCampaignCalls,
    Unknown,
    Withdraw,
    parse_typed,
)
from bot.domain.text import Forged
from bot.presenters.campaign_calls import CampaignCalls
from bot.presenters.campaigns import CampaignDesk
from bot.presenters.contributor import ContributorDesk
from bot.presenters.digest import DigestDesk
from bot.presenters.front_desk import FrontDesk
from bot.presenters.initiatives import InitiativeDesk
from bot.presenters.reports import ReportDesk
from bot.presenters.routes import SUBMISSION, route_table
from bot.presenters.search import SearchDesk
from bot.presenters.staff import StaffRequests
from cards.actions import CardAction
from cards.gallery import gallery
from cards.private import START, carry_on_here_card, next_step_for
from cards.requests import REFERENCE_LIMIT, parse_card, parse_execute

REFERENCE = "IIP-2026-0042"


@pytest.mark.parametrize(("text", "request_"), [
    ("hi", ShowWelcome()),
    ("<at>IIP</at> help!", ShowHelp()),
    ("give feedback", OpenFeedback()),
    ("my ideas", MyIdeas()),
    (f"status {REFERENCE.lower()}", AskStatus(REFERENCE)),
    ("status 42", AskStatus(None)),
    (f"withdraw {REFERENCE}", AskToWithdraw(REFERENCE)),
    ("my queue", ShowQueue(QueueView.QUEUE)),
    ("triage", ShowQueue(QueueView.TRIAGE)),
    ("find Digital NOTEBOOKS", Find("Digital NOTEBOOKS")),
    ("Deferred", ShowDeferred()),
    ("<at>IIP</at> deferred ideas", ShowDeferred()),
    ("new idea", NewIdea()),
])
def test_a_command_is_its_request(text: str, request_: Request) -> None:
    typed = parse_typed(text)
    assert typed.request == request_
    if not isinstance(request_, Find):
        assert typed.continues is None  # help and the like never reach a submission


def test_text_that_may_be_part_of_a_submission_says_what_it_is_there() -> None:
    answer = parse_typed("Paper notebooks take hours to search")
    assert answer.request == Unknown()
    assert answer.continues == ContinueIntake(text="Paper notebooks take hours to search")
    # "submit" starts a submission outside one, and sends the idea within one.
    submit = parse_typed("Submit.")
    assert submit.request == NewIdea()
    assert submit.continues is not None and submit.continues.button is IntakeButton.SUBMIT
    # An answer may begin with "find".
    assert parse_typed("find a way to share cars").continues is not None
    assert parse_typed("skip").continues.button is IntakeButton.SKIP_PROFILE  # type: ignore[union-attr]


def test_a_message_longer_than_any_command_is_unknown_without_being_read() -> None:
    typed = parse_typed("status " + REFERENCE + " " + "x" * 2000)
    assert typed.request == Unknown()


@pytest.mark.parametrize("values", [
    {"action": "no.such.button"}, {"action": 42}, {"action": None}, {"action": ["help.show"]},
    {"action": CardAction.QUEUE_PAGE.value},  # a list's pages are Action.Execute verbs only
    {"action": "ideas.status", "reference": "IIP-2026-" + "4" * REFERENCE_LIMIT},
])
def test_data_no_button_sends_is_malformed(values: dict[str, object]) -> None:
    with pytest.raises(Malformed):
        parse_card(values)


def test_answers_of_the_wrong_kind_are_kept_as_forged_to_be_refused_kindly() -> None:
    feedback = parse_card({"action": "feedback.send", "comment": ["x"], "rating": 5,
                           "may_contact": True})
    assert isinstance(feedback, SendFeedback)
    assert feedback.form.comment == Forged() and feedback.form.rating == Forged()
    assert feedback.form.may_contact is True
    answer = parse_card({"action": "intake.answer", "step": "title", "revision": "2",
                         "answer": {"text": "x"}})
    assert answer == ContinueIntake(button=IntakeButton.ANSWER, step="title",
                                    revision=Forged(), answer=Forged(), from_card=True)
    withdraw = parse_card({"action": "ideas.withdraw.confirm", "reference": REFERENCE,
                           "reason": 7})
    assert withdraw == Withdraw(REFERENCE, Forged())


def test_a_forged_page_is_a_real_page_number() -> None:
    assert parse_card({"action": "ideas.list", "page": 10**30}) == MyIdeas(100_000)
    assert parse_card({"action": "ideas.list", "page": True}) == MyIdeas(1)
    assert parse_card({"action": "ideas.list", "page": "2"}) == MyIdeas(1)


def test_the_reference_comes_from_the_button_or_else_the_text() -> None:
    assert parse_card({"action": "ideas.status", "reference": "iip-2026-0042"}) == (
        IdeaStatus(REFERENCE))
    assert parse_card({"action": "ideas.status", "reference": 42}, f"about {REFERENCE}") == (
        IdeaStatus(REFERENCE))
    assert parse_card({"action": "ideas.answer", "reference": REFERENCE, "answer": "Yes"}) == (
        AnswerQuestion(REFERENCE, "Yes"))


def test_the_profile_card_within_a_submission_is_a_step_of_it() -> None:
    alone = parse_card({"action": "profile.save", "grade": "sergeant"})
    assert isinstance(alone, SaveProfile) and alone.answers.grade == "sergeant"
    assert parse_card({"action": "profile.skip"}) == SkipProfile()
    within = parse_card({"action": "profile.skip", "within_idea": True})
    assert isinstance(within, ContinueIntake) and within.button is IntakeButton.SKIP_PROFILE


def test_execute_verbs_each_make_their_request() -> None:
    assert parse_execute("refresh", {"idea": 7}) == Refresh(7)
    assert parse_execute("refresh", {"idea": True}) == Refresh(None)
    assert parse_execute("queue.page", {"view": {"view": "triage"}, "triage": 3}) == (
        ShowQueue(QueueView.QUEUE, 3, 1))
    assert parse_execute("queue.page", {"view": "triage", "assess": -4}) == (
        ShowQueue(QueueView.TRIAGE, 1, 1))
    assert parse_execute("find.page", {"text": ["x"], "page": 2}) == Find("", 2)
    assert parse_execute("deferred.page", {"page": 3}) == ShowDeferred(3)
    assert parse_execute("deferred.page", {"page": "3"}) == ShowDeferred(1)
    assert parse_card({"action": "staff.deferred", "page": 9}) == ShowDeferred()
    assert parse_execute(Move.APPROVE.value, {"idea": 7, "version": 2}) == Decide(
        7, 2, Move.APPROVE, {})
    with pytest.raises(Malformed):
        parse_execute(Move.APPROVE.value, {})
    assert parse_execute("idea.approve", {"idea": 7, "version": 2}) is None


@pytest.mark.parametrize(("campaign", "read"), [
    (7, 7), (2**31 - 1, 2**31 - 1), (2**31, None), (10**40, None), (0, None), (-3, None),
    ("7", None), (True, None), (None, None), ([7], None), (7.0, None)])
def test_a_call_refresh_names_a_campaign_id_within_the_column_or_none(
        campaign: object, read: int | None) -> None:
    assert parse_execute("campaign.refresh", {"campaign": campaign}) == RefreshCall(read)


def test_every_button_on_every_card_is_a_request_or_a_decision() -> None:
    """The parser knows each button the cards offer: none of them is answered as unknown."""
    seen = 0
    for name, message in gallery():
        for node in walk(message.card):
            if node.get("type") == "Action.Submit":
                parse_card(node["data"])
                seen += 1
            elif node.get("type") == "Action.Execute":
                verb = node["verb"]
                assert parse_execute(verb, node.get("data") or {}) is not None, (name, verb)
                seen += 1
    assert seen > 50


def test_every_request_has_one_route() -> None:
    # The table only names the presenters' methods: no service is called to build it.
    contributor = ContributorDesk(None, None)  # type: ignore[arg-type]
    table = route_table(FrontDesk(None, None, None),  # type: ignore[arg-type]
                        contributor,
                        StaffRequests(None, None, contributor, None),  # type: ignore[arg-type]
                        CampaignDesk(None, None), CampaignCalls(None),  # type: ignore[arg-type]
                        DigestDesk(None),  # type: ignore[arg-type]
                        ReportDesk(None, str), SearchDesk(None),  # type: ignore[arg-type]
                        InitiativeDesk(None))  # type: ignore[arg-type]
    assert set(table) == set(get_args(Request))
    submission = {kind for kind, route in table.items() if route is SUBMISSION}
    assert submission == {NewIdea, ContinueIntake}


def test_what_is_answered_where_others_read_and_what_needs_no_identity() -> None:
    kinds = get_args(Request)
    # A campaign's call is the same for everyone: Teams redraws it in a channel too.
    assert {k for k in kinds if k.answered_in_shared} == {
        ShowWelcome, ShowHelp, OpenFeedback, SendFeedback, Unknown, RefreshCall}
    assert {k for k in kinds if not k.needs_identity} == {
        ShowWelcome, ShowHelp, OpenFeedback, Unknown, RefreshCall}


def test_a_button_within_a_submission_is_offered_again_as_the_way_in() -> None:
    answer = parse_card({"action": "intake.answer", "step": "title", "revision": 0})
    assert next_step_for(answer) is START
    resume = parse_card({"action": "intake.resume"})
    assert next_step_for(resume).action is CardAction.NEW_IDEA
    assert next_step_for(ShowQueue(QueueView.TRIAGE)).action is CardAction.TRIAGE
    assert next_step_for(ShowDeferred(2)).action is CardAction.DEFERRED
    # Stopping campaign calls pressed on a channel's call is offered again in private.
    assert next_step_for(StopCampaignCalls()).action is CardAction.STOP_CAMPAIGNS


# A call for ideas' "Share an idea" button, and the resume card's buttons from it


def test_a_call_cards_button_starts_an_idea_answering_its_campaign() -> None:
    assert parse_card({"action": "campaign.idea", "campaign": "star-fund"}) == (
        NewIdea("star-fund"))
    assert parse_typed("new idea").request == NewIdea(None)  # typed words name no campaign
    assert parse_card({"action": "idea.new", "campaign": "star-fund"}) == NewIdea()
    resume = parse_card({"action": "intake.resume", "campaign": "ai-2"})
    assert resume == ContinueIntake(button=IntakeButton.RESUME, campaign="ai-2")
    assert parse_card({"action": "intake.restart"}) == ContinueIntake(
        button=IntakeButton.RESTART)


@pytest.mark.parametrize("campaign", [
    None, "", 42, ["star-fund"], {"key": "star-fund"}, "Star-Fund", "-star", "star fund",
    "star_fund", "a" * 41, "star\n", "ｓｔａｒ", "star-fund" + "-x" * 10_000,
])
def test_a_campaign_no_call_card_names_is_malformed(campaign: object) -> None:
    for action in ("campaign.idea", "intake.resume", "intake.restart"):
        with pytest.raises(Malformed):
            parse_card({"action": action, "campaign": campaign})
    with pytest.raises(Malformed):
        parse_card({"action": "campaign.idea"})


def test_a_call_cards_button_pressed_in_a_channel_is_offered_again_in_private() -> None:
    step = next_step_for(NewIdea("star-fund"))
    assert (step.action, step.campaign) == (CardAction.CAMPAIGN_IDEA, "star-fund")
    assert step.key != next_step_for(NewIdea()).key
    button = carry_on_here_card(step).card["actions"][0]
    assert parse_card(button["data"]) == NewIdea("star-fund")
    restart = next_step_for(ContinueIntake(button=IntakeButton.RESTART, campaign="ai"))
    assert restart.campaign == "ai"
