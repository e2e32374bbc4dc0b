"""The one route table: each kind of request, and who answers it.

A new command or button is a request type (bot.domain.requests, with its rules: whether it
may be answered where others read and whether it needs the caller's identity), a parse rule
(typed words in bot.domain.requests, button data in cards.requests), and one line here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.messages import CardMessage
from bot.domain.requests import (
    AnswerQuestion,
    AskStatus,
    AskToWithdraw,
    ContinueIntake,
    Find,
    IdeaStatus,
    MyIdeas,
    MyProfile,
    NewIdea,
    OpenFeedback,
    OpenIdea,
    Refresh,
    Request,
    SaveProfile,
    SendFeedback,
    ShowHelp,
    ShowQueue,
    ShowWelcome,
    SkipProfile,
    Unknown,
    Withdraw,
)
from bot.presenters.asking import Asking
from bot.presenters.contributor import ContributorDesk
from bot.presenters.front_desk import FrontDesk
from bot.presenters.staff import StaffRequests

# A presenter: the request (of the type it is routed for) and who asks, in; a card, out.
Answer = Callable[[Any, Asking], Awaitable[CardMessage]]


@dataclass(frozen=True, slots=True)
class Route:
    """`answer` None: the request belongs to the submission conversation, which the channel
    runs as a dialog (bot.presenters.intake.IntakeFlow chooses its cards)."""

    answer: Answer | None = None


SUBMISSION = Route()


def route_table(front: FrontDesk, contributor: ContributorDesk,
                staff: StaffRequests) -> Mapping[type[Request], Route]:
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
        Find: Route(staff.find),
        Refresh: Route(staff.refresh),
    }
