"""The cards of campaigns over time: the call that Teams redraws closed on view, its reminder,
the progress card redrawn in place with the PMO's buttons, and the summary when a campaign
closes. Each a valid Adaptive Card 1.5, people's words never read as Markdown."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from support.cards import markdown_formatting, places_holding, schema_errors, typed

from bot.domain.campaign_schedule import ClosingSummary
from bot.domain.campaign_sending import CampaignStatus, Unreachable
from bot.domain.campaigns import Audience, AudienceKind, Campaign, CampaignState
from bot.domain.requests import CampaignAct, OnCampaign, RefreshCall
from cards.campaign_call import call_card
from cards.campaign_progress import live_progress_card
from cards.campaign_summary import closing_summary_card
from cards.requests import parse_card, parse_execute

CAMPAIGN = Campaign(
    id=7, key="star-fund", name="STAR fund", theme="Research proposals",
    description="Proposals for the national research fund.", questions=(),
    opens=date(2026, 11, 9), closes=date(2026, 12, 18),
    audience=Audience(AudienceKind.EVERYONE), image_url=None, state=CampaignState.OPEN,
    created_by="system:test", created_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
BLOCKED = (Unreachable("00000000-0000-4000-8000-000000000001", "ConversationBlockedByUser"),)


def test_every_copy_of_the_call_asks_teams_to_redraw_it_on_view_for_everyone() -> None:
    for message in (call_card(CAMPAIGN), call_card(CAMPAIGN, closed=True),
                    call_card(CAMPAIGN, reminder=True)):
        refresh = message.card["refresh"]
        # No userIds: in a 1:1 chat (and any chat of up to 60) Teams refreshes for everyone.
        assert set(refresh) == {"action"}
        assert refresh["action"]["type"] == "Action.Execute"
        assert parse_execute(refresh["action"]["verb"], refresh["action"]["data"]) == (
            RefreshCall(7))
        assert schema_errors(message.card) == []


def test_the_reminder_says_first_that_the_call_closes_soon() -> None:
    message = call_card(CAMPAIGN, reminder=True)
    assert message.card["body"][0]["text"] == (
        "**Reminder:** this call for ideas closes on 18 December 2026.")
    assert message.summary == "Closes soon: STAR fund"
    assert [a["title"] for a in typed(message.card, "Action.Submit")] == [
        "Share an idea", "Stop campaign calls"]


def status(**counts: object) -> CampaignStatus:
    values: dict[str, object] = {"state": CampaignState.OPEN, "recipients": 100, "sent": 0,
                                 "failed": 0, "pending": 100}
    return CampaignStatus(**{**values, **counts})  # type: ignore[arg-type]


def buttons(message_card: dict[str, object]) -> list[tuple[str, dict[str, object]]]:
    return [(a["title"], a["data"]) for a in typed(message_card, "Action.Submit")]


def test_while_sending_the_progress_card_offers_cancel_and_the_measured_time_left() -> None:
    message = live_progress_card(CAMPAIGN, status(sent=40, pending=60,
                                                  measured_seconds_left=150))
    assert buttons(message.card) == [
        ("Cancel the campaign", {"action": "campaign.cancel", "campaign": 7})]
    assert places_holding(message.card, "Sending: about 3 minutes left at the pace so far.")
    assert schema_errors(message.card) == []


def test_the_final_card_offers_resend_only_for_failures_that_may_be_tried_again() -> None:
    some_failed = live_progress_card(CAMPAIGN, status(sent=90, failed=10, pending=0,
                                                      unreachable=BLOCKED))
    assert buttons(some_failed.card) == [
        ("Resend to failed (9)", {"action": "campaign.resend", "campaign": 7})]
    assert places_holding(some_failed.card, "Blocked or removed the app") == ["?.title"]
    assert schema_errors(some_failed.card) == []

    only_blocked = live_progress_card(CAMPAIGN, status(sent=99, failed=1, pending=0,
                                                       unreachable=BLOCKED))
    cancelled = live_progress_card(replace(CAMPAIGN, state=CampaignState.CANCELLED),
                                   status(state=CampaignState.CANCELLED, sent=40, failed=5,
                                          pending=0, cancelled=55))
    assert buttons(only_blocked.card) == [] == buttons(cancelled.card)
    assert places_holding(cancelled.card, "Called off") == ["?.title"]


def test_the_progress_cards_buttons_are_the_pmos_cancel_and_resend() -> None:
    sending = live_progress_card(CAMPAIGN, status(sent=1, pending=99))
    finished = live_progress_card(CAMPAIGN, status(sent=90, failed=10, pending=0))
    [(_, cancel)] = buttons(sending.card)
    [(_, resend)] = buttons(finished.card)
    assert parse_card(cancel) == OnCampaign(7, CampaignAct.CANCEL)
    assert parse_card(resend) == OnCampaign(7, CampaignAct.RESEND_FAILED)


def test_the_closing_summary_counts_ideas_by_portfolio_with_names_escaped() -> None:
    message = closing_summary_card(ClosingSummary(
        campaign=CAMPAIGN, ideas=5, by_portfolio=(("Local *policing*", 3), ("Crime", 2)),
        reached=11_842, opted_out=17))
    facts = {f["title"]: f["value"] for f in typed(message.card, "FactSet")[0]["facts"]}
    assert facts == {"Ideas received": "5", "Reached": "11,842", "Stopped campaign calls": "17"}
    by_portfolio = typed(message.card, "FactSet")[1]["facts"]
    assert [(f["title"], f["value"]) for f in by_portfolio] == [
        (r"Local \*policing\*", "3"), ("Crime", "2")]
    assert markdown_formatting(message.card) == []
    assert message.summary == "Closed: STAR fund, 5 ideas"
    assert schema_errors(message.card) == []


def test_a_summary_with_no_ideas_lists_no_portfolios() -> None:
    message = closing_summary_card(ClosingSummary(CAMPAIGN, 0, (), 40, 0))
    assert len(typed(message.card, "FactSet")) == 1
    assert places_holding(message.card, "It brought 0 ideas.") == ["TextBlock.text"]
