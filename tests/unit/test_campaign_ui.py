"""The PMO's campaign cards and what they send back: typed commands, the form's data parsed
once (anything no card sends is Malformed), the form's answers made a campaign request, and the
cards' sizes with every field at its longest."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from support.cards import schema_errors, typed

from bot.domain.campaign_form import (
    FILE_AUDIENCE_ON_THE_COMMAND_LINE,
    CampaignForm,
    form_of,
    request_of,
)
from bot.domain.campaign_sending import CampaignSummary
from bot.domain.campaigns import (
    DESCRIPTION_LIMIT,
    KEY_LIMIT,
    NAME_LIMIT,
    QUESTION_LIMIT,
    THEME_LIMIT,
    Audience,
    AudienceKind,
    Campaign,
    CampaignState,
    InvalidCampaign,
)
from bot.domain.errors import Malformed
from bot.domain.organisation import Portfolio
from bot.domain.requests import (
    CampaignAct,
    NewCampaign,
    NewIdea,
    OnCampaign,
    ResumeCampaignCalls,
    SaveCampaign,
    ScheduleCampaign,
    ShowCampaigns,
    ShowPmoHub,
    StopCampaignCalls,
    parse_typed,
)
from bot.domain.schedule_form import UnreadableMoment
from cards import campaign_form as form
from cards.campaign_form import MAX_CHANNELS, campaign_form_card
from cards.campaign_list import SHOWN, campaigns_card
from cards.campaign_schedule import SCHEDULE_DAY, SCHEDULE_TIME
from cards.campaign_sending import preview_actions_card, schedule_refused_card, scheduled_card
from cards.requests import parse_card

# Teams refuses a message over about 28 KB; the card leaves room for the activity around it.
CARD_BUDGET = 24_000
FILLED = {form.NAME: "AI", form.THEME: "Time", form.DESCRIPTION: "Why.",
          form.QUESTIONS[0]: "Which system?", form.QUESTIONS[1]: "",
          form.OPENS: "2026-12-07", form.CLOSES: "2027-01-31", form.AUDIENCE: "everyone",
          form.IMAGE: "", form.REMIND: "true"}
CAMPAIGN = Campaign(
    id=7, key="ai", name="AI", theme="Time", description="Why.", questions=("Which system?",),
    opens=date(2026, 12, 7), closes=date(2027, 1, 31),
    audience=Audience(AudienceKind.FILE, "people.csv", ("0" * 8 + "-0000-0000-0000-" + "0" * 12,)),
    image_url=None, state=CampaignState.DRAFT, created_by="x",
    created_at=datetime(2026, 12, 6, tzinfo=UTC), remind_before_close=True)


@pytest.mark.parametrize(("text", "request_"), [
    ("pmo", ShowPmoHub()), ("<at>IIP</at> PMO", ShowPmoHub()),
    ("campaigns", ShowCampaigns()), ("campaign new", NewCampaign()),
    ("New campaign.", NewCampaign()), ("stop campaigns", StopCampaignCalls()),
    ("start campaigns", ResumeCampaignCalls()), ("resume campaigns", ResumeCampaignCalls()),
])
def test_the_campaign_commands(text: str, request_: object) -> None:
    typed_line = parse_typed(text)
    assert typed_line.request == request_
    assert typed_line.continues is None  # never an answer within a submission


def test_the_form_is_parsed_once_into_its_answers() -> None:
    saved = parse_card({"action": "campaign.save", **FILLED, "unrelated": 5})
    assert saved == SaveCampaign(CampaignForm(
        name="AI", theme="Time", description="Why.", questions=("Which system?", "", ""),
        opens="2026-12-07", closes="2027-01-31", audience="everyone", image_url="",
        remind=True))
    edited = parse_card({"action": "campaign.save", "campaign": 7, **FILLED})
    assert isinstance(edited, SaveCampaign) and edited.campaign_id == 7
    assert parse_card({"action": "campaign.save", **FILLED, form.REMIND: True}) == replace(
        saved, form=replace(saved.form, remind=False))  # only the toggle's "true" is yes
    # Text a little past an input's limit is kept, to be refused kindly by the rules.
    long_name = parse_card({"action": "campaign.save", form.NAME: "x" * (NAME_LIMIT + 5)})
    assert isinstance(long_name, SaveCampaign) and len(long_name.form.name) == NAME_LIMIT + 5


@pytest.mark.parametrize("values", [
    {"action": "campaign.save", form.NAME: ["AI"]},
    {"action": "campaign.save", form.DESCRIPTION: {"text": "x"}},
    {"action": "campaign.save", form.OPENS: 20261207},
    {"action": "campaign.save", form.NAME: "x" * (NAME_LIMIT * 4 + 1)},
    {"action": "campaign.save", form.DESCRIPTION: "x" * (DESCRIPTION_LIMIT * 4 + 1)},
    {"action": "campaign.save", form.QUESTIONS[2]: "x" * (QUESTION_LIMIT * 4 + 1)},
    {"action": "campaign.save", "campaign": "7", **FILLED},
    {"action": "campaign.send"}, {"action": "campaign.send", "campaign": "7"},
    {"action": "campaign.send", "campaign": True}, {"action": "campaign.send", "campaign": 0},
    {"action": "campaign.cancel", "campaign": -3},
    {"action": "campaign.resend", "campaign": 2**31}, {"action": "campaign.edit",
                                                        "campaign": 7.5},
    {"action": "campaign.idea", "campaign": "x" * (KEY_LIMIT + 1)},
    {"action": "campaign.idea", "campaign": "AI!"}, {"action": "campaign.idea"},
    {"action": "campaign.delete", "campaign": 7},
])
def test_data_no_campaign_card_sends_is_malformed(values: dict[str, Any]) -> None:
    with pytest.raises(Malformed):
        parse_card(values)


@pytest.mark.parametrize(("action", "act"), [
    ("campaign.preview", CampaignAct.PREVIEW), ("campaign.progress", CampaignAct.PROGRESS),
    ("campaign.edit", CampaignAct.EDIT), ("campaign.send.ask", CampaignAct.ASK_TO_SEND),
    ("campaign.send", CampaignAct.SEND),
    ("campaign.agents", CampaignAct.SEND_TO_CHANGE_AGENTS),
    ("campaign.cancel.ask", CampaignAct.ASK_TO_CANCEL), ("campaign.cancel", CampaignAct.CANCEL),
    ("campaign.resend", CampaignAct.RESEND_FAILED),
])
def test_each_campaign_button_names_its_act_and_campaign(action: str, act: CampaignAct) -> None:
    assert parse_card({"action": action, "campaign": 12}) == OnCampaign(12, act)


def test_the_welcome_button_starts_an_idea_for_the_call() -> None:
    assert parse_card({"action": "campaign.idea", "campaign": "star-fund-2"}) == NewIdea(
        campaign="star-fund-2")


def test_the_answers_make_the_campaign_request() -> None:
    wanted = request_of(CampaignForm(
        name="AI", theme="Time", description="Why.", questions=("Which?", "  ", ""),
        opens="2026-12-07", closes="2027-01-31", audience="portfolio:crime", image_url=" ",
        remind=True))
    assert (wanted.opens, wanted.closes) == (date(2026, 12, 7), date(2027, 1, 31))
    assert wanted.audience == Audience(AudienceKind.PORTFOLIO, "crime")
    assert (wanted.questions, wanted.image_url, wanted.remind_before_close) == (
        ("Which?",), None, True)


def test_every_answer_the_request_cannot_use_is_named_at_once() -> None:
    with pytest.raises(InvalidCampaign) as refused:
        request_of(CampaignForm(name="AI", opens="", closes="2027-02-30",
                                audience="file:people.csv"))
    assert refused.value.problems == [
        "Please choose the opening day.",
        "The closing day '2027-02-30' is not a day of the calendar. Please choose it with the "
        "date picker.",
        FILE_AUDIENCE_ON_THE_COMMAND_LINE,
    ]
    with pytest.raises(InvalidCampaign) as refused:
        request_of(CampaignForm(opens="7 Dec", closes="2027-01-01", audience="nobody"))
    assert "'7 Dec' is not a day" in refused.value.problems[0]
    assert "not one the portal knows" in refused.value.problems[1]


def test_an_edit_keeps_an_audience_the_card_cannot_offer() -> None:
    """A file audience (from the command line) is offered as it is, and kept if chosen."""
    filled = form_of(CAMPAIGN)
    assert filled.audience == "file:people.csv" and filled.remind
    assert request_of(filled, CAMPAIGN.audience).audience == CAMPAIGN.audience
    card = campaign_form_card(filled, campaign_id=7, kept=CAMPAIGN.audience)
    [audience] = [i for i in typed(card.card, "Input.ChoiceSet") if i["id"] == form.AUDIENCE]
    assert audience["value"] == "file:people.csv"
    assert {"title": "1 person listed in a file (as it is)",
            "value": "file:people.csv"} in audience["choices"]


def test_the_form_with_every_field_at_its_longest_fits_a_teams_message() -> None:
    portfolios = [Portfolio(f"portfolio-{n}", "P" * 80, ()) for n in range(30)]
    channels = [f"19:{n:032x}@thread.tacv2" for n in range(MAX_CHANNELS + 20)]
    answers = CampaignForm(name="N" * NAME_LIMIT, theme="T" * THEME_LIMIT,
                           description="D" * DESCRIPTION_LIMIT,
                           questions=("Q" * QUESTION_LIMIT,) * 3, opens="2026-12-07",
                           closes="2027-01-31", audience="everyone",
                           image_url="https://" + "i" * 990)
    card = campaign_form_card(answers, portfolios=portfolios, channels=channels,
                              problems=["A problem " * 20] * 12).card
    assert schema_errors(card) == []
    assert len(json.dumps(card).encode()) < CARD_BUDGET
    [audience] = [i for i in typed(card, "Input.ChoiceSet") if i["id"] == form.AUDIENCE]
    offered_channels = [c for c in audience["choices"] if c["value"].startswith("channel:")]
    assert len(offered_channels) == MAX_CHANNELS


def test_the_list_of_campaigns_fits_a_teams_message_however_many_there_are() -> None:
    longest = replace(CAMPAIGN, name="N" * NAME_LIMIT, state=CampaignState.OPEN,
                      audience=Audience(AudienceKind.CHANNEL, "19:" + "c" * 380))
    lines = [CampaignSummary(replace(longest, id=n), 12_000, 1_000) for n in range(SHOWN + 5)]
    card = campaigns_card(lines, 11_842, {}).card
    assert schema_errors(card) == []
    assert len(json.dumps(card).encode()) < CARD_BUDGET
    text = json.dumps(card)
    assert "And 5 older campaigns" in text and "11,842 people have asked" in text
    opens = [a for a in typed(card, "Action.Submit") if a["title"] == "Open"]
    assert len(opens) == SHOWN


SCHEDULE = {"action": "campaign.schedule", "campaign": 7}


def _scheduled(day: str, time: str) -> ScheduleCampaign:
    request = parse_card({**SCHEDULE, SCHEDULE_DAY: day, SCHEDULE_TIME: time})
    assert isinstance(request, ScheduleCampaign) and request.campaign_id == 7
    return request


@pytest.mark.parametrize(("day", "time", "utc"), [
    ("2026-12-08", "09:00", datetime(2026, 12, 8, 9, 0, tzinfo=UTC)),  # GMT
    ("2027-06-08", "09:00", datetime(2027, 6, 8, 8, 0, tzinfo=UTC)),  # summer time
    (" 2027-06-08 ", "23:59:30", datetime(2027, 6, 8, 22, 59, 30, tzinfo=UTC)),
    # The hour the clocks skip in spring reads as GMT; the one they pass twice, as the first.
    ("2027-03-28", "01:30", datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
    ("2027-10-31", "01:30", datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),
])
def test_schedule_reads_the_day_and_time_as_uk_time(day: str, time: str, utc: datetime) -> None:
    assert _scheduled(day, time).at == utc


@pytest.mark.parametrize(("day", "time", "words"), [
    ("", "09:00", "Please choose the sending day."),
    ("2027-01-04", "", "Please choose the time to send it."),
    ("2027-02-30", "09:00", "'2027-02-30' is not a day of the calendar"),
    ("8 Dec", "09:00", "'8 Dec' is not a day of the calendar"),
    ("2027-01-04", "25:00", "The time '25:00' is not a time of day"),
    ("2027-01-04", "9am", "The time '9am' is not a time of day"),
    # An offset would make it other than UK time: refused, never read.
    ("2027-01-04", "09:00+05:00", "The time '09:00+05:00' is not a time of day"),
    ("0001-01-01", "09:00", "'0001-01-01' is not one a call can be sent on"),
])
def test_a_day_or_time_a_person_could_get_wrong_is_refused_kindly(
    day: str, time: str, words: str
) -> None:
    unreadable = _scheduled(day, time).at
    assert isinstance(unreadable, UnreadableMoment)
    assert words in " ".join(unreadable.problems)


@pytest.mark.parametrize("values", [
    {**SCHEDULE, SCHEDULE_DAY: 20270104, SCHEDULE_TIME: "09:00"},
    {**SCHEDULE, SCHEDULE_DAY: "2027-01-04", SCHEDULE_TIME: ["09:00"]},
    {**SCHEDULE, SCHEDULE_DAY: "2" * 41, SCHEDULE_TIME: "09:00"},
    {**SCHEDULE, SCHEDULE_DAY: "2027-01-04", SCHEDULE_TIME: "0" * 33},
    {"action": "campaign.schedule", SCHEDULE_DAY: "2027-01-04", SCHEDULE_TIME: "09:00"},
    {**SCHEDULE, "campaign": "7", SCHEDULE_DAY: "2027-01-04", SCHEDULE_TIME: "09:00"},
])
def test_schedule_data_no_card_sends_is_malformed(values: dict[str, Any]) -> None:
    with pytest.raises(Malformed):
        parse_card(values)


def _schedule_inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [show] = [a for a in typed(card, "Action.ShowCard")
              if a["title"] in ("Schedule", "Reschedule")]
    inputs = {i["id"]: i for i in typed(show["card"], "Input.")}
    [confirm] = typed(show["card"], "Action.Submit")
    assert confirm["data"] == SCHEDULE  # its inputs come with it: no associatedInputs none
    assert "associatedInputs" not in confirm
    return inputs


def test_the_schedule_button_asks_a_uk_day_and_time_and_suggests_one() -> None:
    draft = preview_actions_card(CAMPAIGN, {}).card
    inputs = _schedule_inputs(draft)
    assert inputs[SCHEDULE_DAY]["type"] == "Input.Date"
    assert inputs[SCHEDULE_TIME]["type"] == "Input.Time"
    assert "UK" in inputs[SCHEDULE_DAY]["label"] and "UK time" in inputs[SCHEDULE_TIME]["label"]
    assert (inputs[SCHEDULE_DAY]["value"], inputs[SCHEDULE_TIME]["value"]) == (
        "2026-12-07", "09:00")  # its opening day, in the morning
    assert inputs[SCHEDULE_DAY]["max"] == "2027-01-31"  # its closing day

    scheduled = replace(CAMPAIGN, state=CampaignState.SCHEDULED, scheduled_by="x",
                        scheduled_at=datetime(2027, 1, 12, 8, 30, tzinfo=UTC))
    card = preview_actions_card(scheduled, {}).card
    assert "Tuesday 12 January 2027 at 08:30 (UK time)" in json.dumps(card)
    inputs = _schedule_inputs(card)
    assert (inputs[SCHEDULE_DAY]["value"], inputs[SCHEDULE_TIME]["value"]) == (
        "2027-01-12", "08:30")
    summer = replace(scheduled, scheduled_at=datetime(2027, 6, 8, 8, 0, tzinfo=UTC))
    assert _schedule_inputs(preview_actions_card(summer, {}).card)[SCHEDULE_TIME][
        "value"] == "09:00"


def test_the_scheduled_card_says_when_and_to_about_how_many_with_the_same_actions() -> None:
    scheduled = replace(CAMPAIGN, name="N" * NAME_LIMIT, state=CampaignState.SCHEDULED,
                        scheduled_by="x", scheduled_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    card = scheduled_card(scheduled, 11_842).card
    assert schema_errors(card) == []
    assert len(json.dumps(card).encode()) < CARD_BUDGET
    assert ("Scheduled for Tuesday 8 December 2026 at 09:00 (UK time) to about 11,842 people."
            in json.dumps(card))
    titles = [a["title"] for a in card["actions"]]
    assert titles == ["Reschedule", "Send now instead", "Send to change agents first", "Edit",
                      "Cancel the campaign", "Campaigns"]
    nobody = json.dumps(scheduled_card(scheduled, None, ["Nobody has the app yet."]).card)
    assert "Nobody would get it if it went now: Nobody has the app yet." in nobody
    assert "about" not in nobody


def test_a_refused_schedule_keeps_the_buttons_to_choose_again() -> None:
    card = schedule_refused_card(["It has passed."], CAMPAIGN).card
    assert schema_errors(card) == []
    assert "Nothing was changed." in json.dumps(card) and "It has passed." in json.dumps(card)
    assert [a["title"] for a in card["actions"]] == [
        "Schedule", "Send now", "Send to change agents first", "Edit", "Campaigns"]


def test_the_list_shows_when_a_scheduled_call_goes() -> None:
    scheduled = replace(CAMPAIGN, state=CampaignState.SCHEDULED, scheduled_by="x",
                        scheduled_at=datetime(2027, 6, 8, 8, 0, tzinfo=UTC))
    text = json.dumps(campaigns_card([CampaignSummary(scheduled, 0, 0),
                                      CampaignSummary(CAMPAIGN, 0, 0)], 0, {}).card)
    assert text.count("Scheduled for") == 1
    assert "Tuesday 8 June 2027 at 09:00 (UK time)" in text
