"""Moving a person's own business out of a shared conversation and into their 1:1 chat.

The card posted in the channel or group chat says nothing about the person or what they asked:
everyone in the conversation reads it. What they asked for is offered again in private.
"""

from __future__ import annotations

from dataclasses import dataclass

from microsoft_teams.cards.core import Action, OpenUrlAction

from bot.domain.requests import (
    AnswerQuestion,
    AskStatus,
    AskToWithdraw,
    ContinueIntake,
    Find,
    IdeaStatus,
    IntakeButton,
    MyIdeas,
    MyProfile,
    NewCampaign,
    NewIdea,
    NewInitiative,
    OnCampaign,
    OnInitiative,
    OpenIdea,
    QueueView,
    Request,
    ResumeCampaignCalls,
    SaveCampaign,
    SaveInitiative,
    SaveProfile,
    ScheduleCampaign,
    SearchIdeas,
    SendDigest,
    ShowCampaigns,
    ShowDeferred,
    ShowDigest,
    ShowInitiatives,
    ShowPmoHub,
    ShowQueue,
    SkipProfile,
    StopCampaignCalls,
    Withdraw,
)
from cards.actions import CardAction
from cards.base import CardMessage, card_message, heading, paragraph, submit

PRIVATE_TITLE = "Let's do that in private"


@dataclass(frozen=True, slots=True)
class NextStep:
    """What to offer in the 1:1 chat: a button, and a short key that names it (for dedupe)."""

    key: str
    title: str
    action: CardAction
    campaign: str | None = None  # the call for ideas the button answers


NEW_IDEA = NextStep("new-idea", "New idea", CardAction.NEW_IDEA)
MY_IDEAS = NextStep("my-ideas", "My ideas", CardAction.MY_IDEAS)
MY_PROFILE = NextStep("my-profile", "My profile", CardAction.MY_PROFILE)
MY_QUEUE = NextStep("my-queue", "My queue", CardAction.MY_QUEUE)
TRIAGE = NextStep("triage", "Triage", CardAction.TRIAGE)
DEFERRED = NextStep("deferred", "Deferred ideas", CardAction.DEFERRED)
SEARCH = NextStep("search", "Search earlier ideas", CardAction.ASK_SEARCH)
# Pressed on a call posted in a channel: whether a person wants calls is their own business.
STOP_CALLS = NextStep("stop-campaign-calls", "Stop campaign calls", CardAction.STOP_CAMPAIGNS)
DIGEST = NextStep("digest", "Workforce digest", CardAction.SHOW_DIGEST)
PMO_HUB = NextStep("pmo", "PMO hub", CardAction.PMO_HUB)
CAMPAIGNS = NextStep("campaigns", "Campaigns", CardAction.CAMPAIGNS)
START_CALLS = NextStep("start-campaign-calls", "Start campaign calls", CardAction.START_CAMPAIGNS)
INITIATIVES = NextStep("initiatives", "Known initiatives", CardAction.INITIATIVES)
# Anything else (a button of a personal card, a command added later): the way in.
START = NextStep("start", "New idea", CardAction.NEW_IDEA)

_NEXT_STEPS: dict[type[Request], NextStep] = {
    NewIdea: NEW_IDEA,
    MyIdeas: MY_IDEAS, IdeaStatus: MY_IDEAS, AskStatus: MY_IDEAS, AskToWithdraw: MY_IDEAS,
    Withdraw: MY_IDEAS, AnswerQuestion: MY_IDEAS,
    MyProfile: MY_PROFILE, SaveProfile: MY_PROFILE, SkipProfile: MY_PROFILE,
    OpenIdea: MY_QUEUE, Find: MY_QUEUE, ShowDeferred: DEFERRED, SearchIdeas: SEARCH,
    ShowDigest: DIGEST, SendDigest: DIGEST,
    ShowPmoHub: PMO_HUB, ShowCampaigns: CAMPAIGNS, NewCampaign: CAMPAIGNS,
    SaveCampaign: CAMPAIGNS, OnCampaign: CAMPAIGNS, ScheduleCampaign: CAMPAIGNS,
    StopCampaignCalls: STOP_CALLS, ResumeCampaignCalls: START_CALLS,
    ShowInitiatives: INITIATIVES, NewInitiative: INITIATIVES, SaveInitiative: INITIATIVES,
    OnInitiative: INITIATIVES,
}
_WITHIN_SUBMISSION = {
    IntakeButton.RESUME: NEW_IDEA, IntakeButton.RESTART: NEW_IDEA,
    IntakeButton.SAVE_PROFILE: MY_PROFILE, IntakeButton.SKIP_PROFILE: MY_PROFILE,
}


def next_step_for(request: Request) -> NextStep:
    """The step to offer in private for what was asked in a shared conversation."""
    match request:
        case NewIdea(campaign=str(key)) | ContinueIntake(campaign=str(key)):
            return NextStep(f"campaign-idea-{key}", "Share an idea", CardAction.CAMPAIGN_IDEA,
                            key)
        case ShowQueue(view=QueueView.TRIAGE):
            return TRIAGE
        case ShowQueue():
            return MY_QUEUE
        case ContinueIntake(button=button) if button is not None:
            return _WITHIN_SUBMISSION.get(button, START)
        case _:
            return _NEXT_STEPS.get(type(request), START)


def private_chat_card(deep_link: str | None, *, messaged: bool = True) -> CardMessage:
    """The one reply in a shared conversation to anything personal: nothing about the person,
    a button to their 1:1 chat where Teams can open one, and word of the message sent there."""
    text = ("Your ideas, drafts and decisions are for you and the people who act on them, so "
            "I only deal with them in a 1:1 chat.")
    if messaged:
        text += " I have sent you a message there to carry on."
    actions: list[Action] = []
    if deep_link:
        actions.append(OpenUrlAction(title="Open my chat with the bot", url=deep_link))
    actions.append(submit("How it works", CardAction.SHOW_HELP, inputs=False))
    return card_message(
        [heading(PRIVATE_TITLE), paragraph(text)],
        summary=PRIVATE_TITLE,
        fallback_text=f"{PRIVATE_TITLE}. {text}",
        actions=actions,
    )


def carry_on_here_card(step: NextStep) -> CardMessage:
    """Sent to the person's 1:1 chat when they asked in a shared conversation."""
    text = ("You asked me for something in a shared conversation. Anything about your own "
            "ideas stays here, in our 1:1 chat: carry on below, or type **help** at any time.")
    return card_message(
        [heading("Let's carry on here"), paragraph(text)],
        summary="Let's carry on in our 1:1 chat",
        fallback_text=text.replace("**", ""),
        actions=[submit(step.title, step.action, inputs=False,
                        **({"campaign": step.campaign} if step.campaign else {}))],
    )
