"""Campaigns' rules: what a new campaign must be, who it may reach, and the audience file."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from bot.domain.campaigns import (
    MAX_FILE_LINES,
    Audience,
    AudienceKind,
    CampaignRequest,
    InvalidCampaign,
    check_request,
    key_for,
    object_ids,
    parse_audience,
)
from bot.domain.ideas import uk_day

TODAY = date(2026, 11, 2)
AGENT = "6e2f1b7a-0c4d-4a5e-9f10-2b3c4d5e6f70"
OTHER = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
GOOD = CampaignRequest(
    name="Artificial intelligence in policing",
    theme="AI",
    description="Where could AI save officers time? Tell us, and why.",
    opens=date(2026, 11, 9),
    closes=date(2026, 12, 18),
    audience=Audience(AudienceKind.EVERYONE),
    questions=("Which system would it use?",),
    image_url="https://intranet.example.police.uk/ai.png",
)


def problems_of(request: CampaignRequest, portfolios: set[str] | None = None) -> list[str]:
    with pytest.raises(InvalidCampaign) as refused:
        check_request(request, TODAY, portfolios)
    return refused.value.problems


def test_a_good_request_is_kept_with_its_text_tidied() -> None:
    untidy = dataclasses.replace(GOOD, name="  Artificial intelligence in policing \u200b",
                                 questions=(" Which system would it use? ",))
    assert check_request(untidy, TODAY) == GOOD


def test_it_may_open_today_and_close_the_same_day() -> None:
    one_day = dataclasses.replace(GOOD, opens=TODAY, closes=TODAY)
    assert check_request(one_day, TODAY) == one_day


def test_closing_before_opening_is_refused_kindly() -> None:
    assert problems_of(dataclasses.replace(GOOD, closes=date(2026, 11, 8))) == [
        "The campaign would close on 08 November 2026, before it opens on 09 November 2026. "
        "Please choose a later closing day."]


def test_closing_more_than_three_years_away_is_refused_as_a_slip_of_the_year() -> None:
    far = dataclasses.replace(GOOD, opens=date(9999, 12, 30), closes=date(9999, 12, 31))
    [problem] = problems_of(far)
    assert "more than three years away. Please choose a day by 02 November 2029." in problem
    last_day = dataclasses.replace(GOOD, closes=date(2029, 11, 2))
    assert check_request(last_day, TODAY) == last_day


def test_opening_in_the_past_is_refused() -> None:
    [problem] = problems_of(dataclasses.replace(GOOD, opens=date(2026, 11, 1)))
    assert "01 November 2026, which has passed" in problem


@pytest.mark.parametrize("url", ["http://example.com/a.png", "ftp://example.com/a.png",
                                 "https://", "https://exa mple.com/a.png", "javascript:alert(1)"])
def test_an_image_that_is_not_https_is_refused(url: str) -> None:
    [problem] = problems_of(dataclasses.replace(GOOD, image_url=url))
    assert "must be a secure web address starting with https://" in problem


def test_no_image_is_fine() -> None:
    assert check_request(dataclasses.replace(GOOD, image_url="  "), TODAY).image_url is None


def test_a_description_over_the_cards_limit_is_refused_not_cut() -> None:
    [problem] = problems_of(dataclasses.replace(GOOD, description="x" * 2001))
    assert problem.startswith("The description is 2,001 characters long; the limit is 2,000.")
    assert check_request(dataclasses.replace(GOOD, description="x" * 2000), TODAY)


def test_an_empty_name_is_refused() -> None:
    [problem] = problems_of(dataclasses.replace(GOOD, name="   "))
    assert problem == "The campaign's name is empty. Please write a few words."


def test_more_than_three_questions_or_a_long_one_is_refused() -> None:
    [many] = problems_of(dataclasses.replace(GOOD, questions=("a?", "b?", "c?", "d?")))
    assert many == "A campaign asks at most 3 questions of its own; this one has 4."
    [long] = problems_of(dataclasses.replace(GOOD, questions=("ok?", "q" * 201)))
    assert long.startswith("Question 2 is 201 characters long; the limit is 200.")
    [empty] = problems_of(dataclasses.replace(GOOD, questions=("",)))
    assert empty.startswith("Question 1 is empty.")


def test_every_problem_is_named_at_once() -> None:
    problems = problems_of(dataclasses.replace(
        GOOD, name="", theme="", opens=date(2026, 10, 1), closes=date(2026, 9, 1),
        image_url="http://x"))
    assert len(problems) == 5


def test_a_portfolio_audience_must_name_a_portfolio_of_the_organisation() -> None:
    crime = dataclasses.replace(GOOD, audience=parse_audience("portfolio:crime"))
    assert check_request(crime, TODAY, {"crime", "local-policing"}) == crime
    [problem] = problems_of(dataclasses.replace(GOOD, audience=parse_audience("portfolio:cyber")),
                            {"crime", "local-policing"})
    assert problem == ("There is no portfolio 'cyber'; the portfolios are crime, "
                       "local-policing.")


def test_the_force_day_is_londons() -> None:
    from datetime import UTC, datetime
    assert uk_day(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == date(2026, 7, 2)


# Audiences

@pytest.mark.parametrize(("text", "audience"), [
    ("everyone", Audience(AudienceKind.EVERYONE)),
    (" Everyone ", Audience(AudienceKind.EVERYONE)),
    ("change-agents", Audience(AudienceKind.CHANGE_AGENTS)),
    ("channel:19:abc123@thread.tacv2", Audience(AudienceKind.CHANNEL, "19:abc123@thread.tacv2")),
    ("portfolio:local-policing", Audience(AudienceKind.PORTFOLIO, "local-policing")),
    ("file:people/agents.csv", Audience(AudienceKind.FILE, "people/agents.csv")),
])
def test_each_audience_is_read(text: str, audience: Audience) -> None:
    assert parse_audience(text) == audience
    assert parse_audience(str(audience)) == audience


@pytest.mark.parametrize(("text", "hint"), [
    ("all", "Choose everyone, channel:ID, change-agents, portfolio:KEY or file:PATH.csv."),
    ("everyone:now", "Choose everyone"),
    ("channel:general", "A channel is named by its Teams id"),
    ("portfolio:Local Policing", "A portfolio is named by its key"),
    ("file:people.xlsx", "must be a .csv file"),
    ("", "Choose everyone"),
])
def test_an_unknown_audience_is_refused_with_a_hint(text: str, hint: str) -> None:
    with pytest.raises(InvalidCampaign) as refused:
        parse_audience(text)
    assert hint in str(refused.value)


def test_a_huge_audience_text_is_refused_without_reading_it() -> None:
    with pytest.raises(InvalidCampaign, match="cannot be over 400"):
        parse_audience("channel:19:" + "a" * 1_000_000)


def test_a_file_gives_its_ids_once_each_skipping_a_header_and_blank_lines() -> None:
    lines = ["object_id,name", f"{AGENT.upper()},Alex", "", f'"{OTHER}"', AGENT]
    audience = parse_audience("file:agents.csv").with_members(lines)
    assert audience.members == (AGENT, OTHER)


def test_a_file_names_its_wrong_lines() -> None:
    lines = [AGENT, "alexw@example.com", "29:1GcS4EyB", OTHER]
    with pytest.raises(InvalidCampaign) as refused:
        object_ids(lines, "agents.csv")
    assert refused.value.problems == [
        "agents.csv: line 2: 'alexw@example.com' is not an Entra object id (a GUID).",
        "agents.csv: line 3: '29:1GcS4EyB' is not an Entra object id (a GUID).",
    ]


def test_a_file_of_nobody_is_refused() -> None:
    with pytest.raises(InvalidCampaign, match="names nobody"):
        object_ids(["object_id", "", "  "], "empty.csv")


def test_a_file_of_many_wrong_lines_names_ten_and_counts_the_rest() -> None:
    with pytest.raises(InvalidCampaign) as refused:
        object_ids(["nope"] * 25, "bad.csv")
    assert len(refused.value.problems) == 11
    assert refused.value.problems[-1] == "... and 15 more wrong line(s)."


def test_the_worst_files_are_refused_at_their_bounds() -> None:
    with pytest.raises(InvalidCampaign, match="line 1 is 1,000,000 characters long"):
        object_ids(["," * 1_000_000], "long.csv")
    many = (AGENT for _ in range(MAX_FILE_LINES + 1_000_000))
    with pytest.raises(InvalidCampaign, match="more than 50,000 lines"):
        object_ids(many, "many.csv")


def test_a_full_file_is_read() -> None:
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(MAX_FILE_LINES)]
    assert len(object_ids(ids)) == MAX_FILE_LINES


# Keys

def test_keys_come_from_the_name_and_never_repeat() -> None:
    assert key_for("STAR fund: proposals 2027!", ()) == "star-fund-proposals-2027"
    assert key_for("STAR fund", ["star-fund", "star-fund-2"]) == "star-fund-3"
    assert key_for("!!!", ()) == "campaign"
    assert len(key_for("x" * 200, ())) <= 35
