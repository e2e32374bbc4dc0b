"""The one route table: each kind of request, and who answers it.

A new command or button is a request type (bot.domain.requests, with its rules: whether it
may be answered where others read and whether it needs the caller's identity), a parse rule
(typed words in bot.domain.requests, button data in cards.requests), and one line here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.duplicates import DeclineDuplicate
from bot.domain.messages import Reply
from bot.domain.moves import Decide
from bot.domain.requests import (
    AnswerQuestion,
    AskStatus,
    AskToWithdraw,
    ContinueIntake,
    Find,
    IdeaStatus,
    MyIdeas,
    MyProfile,
    NewCampaign,
    NewIdea,
    NewInitiative,
    OnCampaign,
    OnInitiative,
    OpenFeedback,
    OpenIdea,
    Refresh,
    RefreshCall,
    Request,
    ResumeCampaignCalls,
    SaveCampaign,
    SaveInitiative,
    SaveProfile,
    ScheduleCampaign,
    SearchIdeas,
    SendDigest,
    SendFeedback,
    ShowCampaigns,
    ShowDeferred,
    ShowDigest,
    ShowHelp,
    ShowInitiatives,
    ShowPmoHub,
    ShowQueue,
    ShowReport,
    ShowWelcome,
    SkipProfile,
    StopCampaignCalls,
    Unknown,
    Withdraw,
)
from bot.domain.visibility import ChangeFindability
from bot.presenters.asking import Asking
from bot.presenters.campaign_calls import CampaignCalls
from bot.presenters.campaigns import CampaignDesk
from bot.presenters.contributor import ContributorDesk
from bot.presenters.digest import DigestDesk
from bot.presenters.front_desk import FrontDesk
from bot.presenters.initiatives import InitiativeDesk
from bot.presenters.intake import IntakeFlow
from bot.presenters.reports import ReportDesk
from bot.presenters.search import SearchDesk
from bot.presenters.staff import StaffRequests
from bot.presenters.suggesting import SEARCH_WAIT, Suggestions
from bot.services.bundle import Services

# A presenter: the request (of the type it is routed for) and who asks, in; a card (or a few,
# sent one after the other), out.
Answer = Callable[[Any, Asking], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Route:
    """`answer` None: the request belongs to the submission conversation, which the channel
    runs as a dialog (bot.presenters.intake.IntakeFlow chooses its cards)."""

    answer: Answer | None = None


SUBMISSION = Route()


@dataclass(frozen=True, slots=True)
class Presenters:
    """Everything that answers a request: the route table, the submission's flow (which the
    channel's dialog drives), and the front desk (whose welcome also greets a new team)."""

    routes: Mapping[type[Request], Route]
    intake: IntakeFlow
    front: FrontDesk


def build_presenters(services: Services, private_chat_link: str | None,
                     reports_url: str = "http://127.0.0.1:3978/reports/", *,
                     suggestions_wait: float = SEARCH_WAIT) -> Presenters:
    """`private_chat_link` opens a person's 1:1 chat with the bot (None: no app id to link);
    `reports_url`, where the bot serves board packs to people in Teams, a token after it;
    `suggestions_wait`, how long (seconds) a submission waits for similar ideas."""
    front = FrontDesk(services.greeting, services.feedback, private_chat_link)
    contributor = ContributorDesk(services.ideas, services.decisions, services.claims)
    staff = StaffRequests(services.staff, services.decisions, contributor,
                          services.findability)
    campaigns = CampaignDesk(services.campaigns, services.organisation)
    calls = CampaignCalls(services.campaigns)
    digest = DigestDesk(services.digests)
    reports = ReportDesk(services.board_packs, lambda token: f"{reports_url}{token}")
    search = SearchDesk(services.search)
    initiatives = InitiativeDesk(services.initiatives)
    return Presenters(route_table(front, contributor, staff, campaigns, calls, digest, reports,
                                  search, initiatives),
                      IntakeFlow(services.ideas,
                                 Suggestions(services.similar, services.supporters,
                                             wait=suggestions_wait)), front)


def route_table(front: FrontDesk, contributor: ContributorDesk, staff: StaffRequests,
                campaigns: CampaignDesk, calls: CampaignCalls,
                digest: DigestDesk, reports: ReportDesk,
                search: SearchDesk,
                initiatives: InitiativeDesk) -> Mapping[type[Request], Route]:
    return {
        ShowWelcome: Route(front.welcome),
        ShowHelp: Route(front.help),
        OpenFeedback: Route(front.feedback_form),
        SendFeedback: Route(front.send_feedback),
        Unknown: Route(front.unknown),
        NewIdea: SUBMISSION,
        ContinueIntake: SUBMISSION,
        MyIdeas: Route(contributor.my_ideas),
        IdeaStatus: Route(contributor.status),
        AskToWithdraw: Route(contributor.ask_to_withdraw),
        Withdraw: Route(contributor.withdraw),
        AnswerQuestion: Route(contributor.answer),
        MyProfile: Route(contributor.profile),
        SaveProfile: Route(contributor.save_profile),
        SkipProfile: Route(contributor.save_profile),
        AskStatus: Route(staff.status),
        OpenIdea: Route(staff.open),
        ShowQueue: Route(staff.queue),
        ShowDeferred: Route(staff.deferred),
        Find: Route(staff.find),
        Refresh: Route(staff.refresh),
        Decide: Route(staff.decide),
        ChangeFindability: Route(staff.findability),
        DeclineDuplicate: Route(staff.decide),
        ShowPmoHub: Route(campaigns.hub),
        ShowCampaigns: Route(campaigns.campaigns),
        NewCampaign: Route(campaigns.new),
        SaveCampaign: Route(campaigns.save),
        OnCampaign: Route(campaigns.on_campaign),
        ScheduleCampaign: Route(campaigns.schedule),
        StopCampaignCalls: Route(calls.stop),
        ShowDigest: Route(digest.show),
        SendDigest: Route(digest.send),
        ResumeCampaignCalls: Route(calls.resume),
        RefreshCall: Route(calls.refresh),
        ShowReport: Route(reports.show),
        SearchIdeas: Route(search.search),
        ShowInitiatives: Route(initiatives.register),
        NewInitiative: Route(initiatives.new),
        SaveInitiative: Route(initiatives.save),
        OnInitiative: Route(initiatives.on_initiative),
    }
