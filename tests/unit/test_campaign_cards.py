"""The call for ideas and its progress card: what recipients and the PMO read, valid Adaptive
Cards 1.5, and far under Teams' message limit with every field at its longest."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from support.cards import CARD_SIZE_LIMIT, places_holding, schema_errors, typed

from bot.channel.messenger import wire_json
from bot.domain.campaign_sending import CampaignStatus, Unreachable
from bot.domain.campaigns import (
    DESCRIPTION_LIMIT,
    IMAGE_URL_LIMIT,
    KEY_LIMIT,
    MAX_QUESTIONS,
    NAME_LIMIT,
    QUESTION_LIMIT,
    THEME_LIMIT,
    Audience,
    AudienceKind,
    Campaign,
    CampaignState,
)
from bot.domain.errors import Malformed
from bot.domain.requests import NewIdea, StopCampaignCalls
from cards.campaign_call import call_card
from cards.campaign_progress import progress_card, time_left_text
from cards.requests import parse_card

CAMPAIGN = Campaign(
    id=7, key="star-fund", name="STAR fund", theme="Research proposals",
    description="Proposals for the national research fund: **bold** <b>claims</b> welcome.",
    questions=("How much funding is needed?",), opens=date(2026, 11, 9),
    closes=date(2026, 12, 18), audience=Audience(AudienceKind.EVERYONE), image_url=None,
    state=CampaignState.OPEN, created_by="system:test",
    created_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


def longest(character: str) -> Campaign:
    """The campaign with every field as long as the rules allow, written in `character`."""
    return replace(
        CAMPAIGN, key="k" * KEY_LIMIT, name=character * NAME_LIMIT,
        theme=character * THEME_LIMIT, description=character * DESCRIPTION_LIMIT,
        questions=(character * QUESTION_LIMIT,) * MAX_QUESTIONS,
        image_url="https://" + "i" * (IMAGE_URL_LIMIT - len("https://")))


@pytest.mark.parametrize("character", ["x", "é", "😀", '"', "\\"])
def test_the_longest_call_is_far_under_teams_limit_as_it_is_sent(character: str) -> None:
    message = call_card(longest(character))
    activity = {"type": "message", "from": {"id": "28:" + "b" * 36},
                "conversation": {"id": "a:" + "c" * 400}, "summary": message.summary,
                "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                                 "content": message.card}]}

    assert len(wire_json(activity)) < CARD_SIZE_LIMIT * 0.6
    assert schema_errors(message.card) == []


@pytest.mark.parametrize("closed", [False, True])
def test_the_call_is_a_valid_card_showing_the_pmos_words_only_as_typed(closed: bool) -> None:
    message = call_card(replace(CAMPAIGN, image_url="https://intranet.example/ai.png"),
                        closed=closed)

    assert schema_errors(message.card) == []
    assert places_holding(message.card, CAMPAIGN.description) == ["TextRun.text"]
    assert places_holding(message.card, "How much funding is needed?") == ["TextRun.text"]
    [image] = typed(message.card, "Image")
    assert image["url"] == "https://intranet.example/ai.png"
    assert message.summary == "Call for ideas: STAR fund"


def test_the_open_call_offers_to_share_an_idea_tagged_with_the_campaign_or_stop_calls() -> None:
    card = call_card(CAMPAIGN).card
    share, stop = typed(card, "Action.Submit")

    assert (share["title"], parse_card(share["data"])) == (
        "Share an idea", NewIdea(campaign="star-fund"))
    assert (stop["title"], parse_card(stop["data"])) == (
        "Stop campaign calls", StopCampaignCalls())
    assert "TextBlock.text" in places_holding(card, "Share your idea by **18 December 2026**")


def test_a_closed_call_says_so_with_its_day_and_no_longer_offers_to_share() -> None:
    card = call_card(CAMPAIGN, closed=True).card

    assert [a["title"] for a in typed(card, "Action.Submit")] == ["Stop campaign calls"]
    assert "TextBlock.text" in places_holding(card, "This campaign closed on 18 December 2026")
    assert places_holding(card, "Share your idea") == []


@pytest.mark.parametrize("data", [
    {"action": "campaign.idea"}, {"action": "campaign.idea", "campaign": 7},
    {"action": "campaign.idea", "campaign": "Star Fund"},
    {"action": "campaign.idea", "campaign": "s" * (KEY_LIMIT + 1)},
    {"action": "campaign.idea", "campaign": "star-fund\n"},
])
def test_a_forged_campaign_button_is_malformed(data: dict[str, object]) -> None:
    with pytest.raises(Malformed):
        parse_card(data)


def test_progress_shows_counts_and_time_left_then_the_final_counts() -> None:
    sending = progress_card(CAMPAIGN, CampaignStatus(
        CampaignState.OPEN, recipients=12_000, sent=3_000, failed=2, pending=8_998))
    finished = progress_card(CAMPAIGN, CampaignStatus(
        CampaignState.OPEN, recipients=12_000, sent=11_990, failed=10, pending=0,
        unreachable=(Unreachable("x", "403: ConversationBlockedByUser"),)))

    for message in (sending, finished):
        assert schema_errors(message.card) == []
    facts = {f["title"]: f["value"] for f in typed(sending.card, "FactSet")[0]["facts"]}
    assert facts == {"Recipients": "12,000", "Sent": "3,000", "Failed": "2",
                     "Still to send": "8,998"}
    assert places_holding(sending.card, "about 3 minutes left") == ["TextBlock.text"]
    facts = {f["title"]: f["value"] for f in typed(finished.card, "FactSet")[0]["facts"]}
    assert facts == {"Recipients": "12,000", "Sent": "11,990", "Failed": "10",
                     "Blocked or removed the app": "1"}
    assert places_holding(finished.card, "Finished") == ["TextBlock.text"]


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "under a minute"), (59, "under a minute"), (60, "about 1 minute"),
    (61, "about 2 minutes"), (240, "about 4 minutes")])
def test_time_left_reads_as_people_say_it(seconds: int, words: str) -> None:
    assert time_left_text(seconds) == words
