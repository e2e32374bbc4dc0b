"""The rule that turns a campaign's audience into recipients: each person once, those who
stopped campaign calls left out, and a kind refusal when it comes to nobody."""

from __future__ import annotations

import pytest
from support.organisation import ADELE, ALEX, ISAIAH, MEGAN, demo_data, organisation_from

from bot.domain.campaign_audience import audience_text, resolve_audience
from bot.domain.campaign_sending import CampaignStatus
from bot.domain.campaigns import Audience, AudienceKind, CampaignState, InvalidCampaign
from bot.domain.outbox import Recipient

TENANT = "tenant-t"
AGENT = "6e2f1b7a-0c4d-4a5e-9f10-2b3c4d5e6f70"
EVERYONE = Audience(AudienceKind.EVERYONE)


def organisation(agents: tuple[str, ...] = (AGENT,)):
    data = demo_data()
    data["change_agents"] = {"members": list(agents)}
    return organisation_from(data)


def test_everyone_is_each_person_with_the_app_once_whatever_their_ids_case() -> None:
    reached = resolve_audience(EVERYONE, TENANT, None,
                               with_app=[ALEX, MEGAN, ALEX.upper(), ADELE],
                               opted_out={MEGAN.upper()})

    assert reached == (Recipient.person(ALEX, TENANT), Recipient.person(ADELE, TENANT))


@pytest.mark.parametrize(("audience", "expected"), [
    (Audience(AudienceKind.CHANGE_AGENTS), (AGENT,)),
    (Audience(AudienceKind.PORTFOLIO, "local-policing"), (ALEX, ISAIAH)),
    (Audience(AudienceKind.FILE, "x.csv", (MEGAN, ADELE)), (MEGAN, ADELE)),
])
def test_named_audiences(audience: Audience, expected: tuple[str, ...]) -> None:
    reached = resolve_audience(audience, TENANT, organisation())
    assert [r.object_id for r in reached] == list(expected)


def test_a_channel_is_one_post_when_the_bot_is_there_and_opt_outs_do_not_apply() -> None:
    channel = Audience(AudienceKind.CHANNEL, "19:general@thread.tacv2")
    assert resolve_audience(channel, TENANT, None, channel_installed=True,
                            opted_out={ALEX}) == (
        Recipient.channel("19:general@thread.tacv2", TENANT),)
    with pytest.raises(InvalidCampaign, match="not installed in the channel"):
        resolve_audience(channel, TENANT, None, channel_installed=False)


@pytest.mark.parametrize(("audience", "org", "message"), [
    (EVERYONE, None, "Nobody has the app yet"),
    (Audience(AudienceKind.CHANGE_AGENTS), organisation(()), "names no change agents"),
    (Audience(AudienceKind.CHANGE_AGENTS), None, "names no change agents"),
    (Audience(AudienceKind.PORTFOLIO, "cyber"), organisation(), "no portfolio 'cyber'"),
    (Audience(AudienceKind.FILE, "x.csv", (MEGAN,)), None, "have stopped campaign calls"),
])
def test_an_audience_of_nobody_is_a_kind_refusal(audience: Audience, org,
                                                 message: str) -> None:
    with pytest.raises(InvalidCampaign, match=message):
        resolve_audience(audience, TENANT, org, opted_out={MEGAN})


def test_a_portfolio_audience_says_it_holds_no_department_membership() -> None:
    assert audience_text(Audience(AudienceKind.PORTFOLIO, "crime")) == (
        "the SPOCs and deputies of the portfolio crime only (the portal does not know who "
        "works in each department)")


def test_time_left_is_what_is_pending_at_teams_ceiling() -> None:
    status = CampaignStatus(CampaignState.OPEN, recipients=12_000, sent=0, failed=0,
                            pending=12_000)
    assert status.seconds_left == 240 and not status.finished
