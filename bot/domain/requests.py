"""What a person asks the bot for, parsed once at the edge: one frozen value per kind of request.

A typed line becomes one here (`parse_typed`); a card's button data becomes one in
cards/requests.py. Past the edge nothing reads a message's text or a card's data again: the
presenters and the services take these values. Identity is never part of a request: it comes
from the activity, as a Caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from bot.domain.asked import Asked, ForAnyone
from bot.domain.campaign_form import CampaignForm
from bot.domain.commands import Command, command_of, command_text, normalise
from bot.domain.duplicates import DeclineDuplicate
from bot.domain.feedback import FeedbackForm
from bot.domain.ideas import find_reference
from bot.domain.initiatives import InitiativeForm
from bot.domain.moves import Decide
from bot.domain.profile import ProfileAnswers
from bot.domain.schedule_form import UnreadableMoment
from bot.domain.text import Answer, Forged
from bot.domain.visibility import ChangeFindability


class QueueView(StrEnum):
    """Which of a member of staff's lists: their whole queue, or the PMO's triage alone."""

    QUEUE = "queue"
    TRIAGE = "triage"


class IntakeButton(StrEnum):
    """What a person does within the submission conversation, by button or by a typed word."""

    ANSWER = "answer"
    BACK = "back"
    CANCEL = "cancel"
    EDIT = "edit"
    SUBMIT = "submit"
    # The check card's choice: keep the idea private, or let colleagues find it.
    SHARING = "sharing"
    RESUME = "resume"
    RESTART = "restart"
    SAVE_PROFILE = "save-profile"
    SKIP_PROFILE = "skip-profile"
    # On the similar ideas shown while writing: carry on with one's own, stop (the draft is
    # discarded), or support one of them instead (the draft is discarded too).
    DIFFERENT = "different"
    NO_NEED = "no-need"
    SUPPORT = "support"


class CampaignAct(StrEnum):
    """What a button on one of the PMO's campaign cards does to the campaign it names."""

    PREVIEW = "preview"
    PROGRESS = "progress"
    EDIT = "edit"
    ASK_TO_SEND = "ask-to-send"
    SEND = "send"
    SEND_TO_CHANGE_AGENTS = "send-to-change-agents"
    ASK_TO_CANCEL = "ask-to-cancel"
    CANCEL = "cancel"
    RESEND_FAILED = "resend-failed"


class InitiativeAct(StrEnum):
    """What a button on the register's cards does to the initiative it names."""

    EDIT = "edit"
    RETIRE = "retire"
    RESTORE = "restore"


# A revision or page number as a card carries it: a whole number, absent, or Forged.
Whole = int | Forged | None


@dataclass(frozen=True, slots=True)
class ShowWelcome(ForAnyone):
    pass


@dataclass(frozen=True, slots=True)
class ShowHelp(ForAnyone):
    pass


@dataclass(frozen=True, slots=True)
class OpenFeedback(ForAnyone):
    pass


@dataclass(frozen=True, slots=True)
class SendFeedback(Asked):
    """The same form for everyone, so sent from anywhere; stored with who sent it."""

    answered_in_shared: ClassVar[bool] = True
    form: FeedbackForm


@dataclass(frozen=True, slots=True)
class Unknown(ForAnyone):
    """Typed text that is no command."""


@dataclass(frozen=True, slots=True)
class NewIdea(Asked):
    """Start a submission (or offer to resume the draft); `campaign`: the key of the campaign
    whose call's button started it."""

    campaign: str | None = None


@dataclass(frozen=True, slots=True)
class ContinueIntake(Asked):
    """A turn within the submission: a button of its cards (`button`, with the step and
    revision of the draft the card showed), or typed text (`button` None, or a word that acts
    as one, such as "back")."""

    button: IntakeButton | None = None
    text: str | None = None
    step: Answer = None
    revision: Whole = None
    answer: Answer = None
    draft: Answer = None
    confirmed: bool = False
    profile: ProfileAnswers = field(default_factory=ProfileAnswers)
    # Whether the card said which step and revision it showed (typed words never do).
    from_card: bool = False
    # The call for ideas a resume card's button carries on from (a well-formed key, or None).
    campaign: str | None = None
    # Support: the idea to support instead (a key within range, or None), and the comment.
    supports: int | None = None
    comment: Answer = None


@dataclass(frozen=True, slots=True)
class MyIdeas(Asked):
    page: int = 1


@dataclass(frozen=True, slots=True)
class IdeaStatus(Asked):
    """A contributor's button: their idea's story (None: no idea named, their list)."""

    reference: str | None


@dataclass(frozen=True, slots=True)
class AskStatus(Asked):
    """`status IIP-…` typed: the short staff answer to those who may open the idea, or the
    contributor's answer (IdeaStatus)."""

    reference: str | None


@dataclass(frozen=True, slots=True)
class AskToWithdraw(Asked):
    reference: str | None


@dataclass(frozen=True, slots=True)
class Withdraw(Asked):
    reference: str | None
    reason: Answer = None


@dataclass(frozen=True, slots=True)
class AnswerQuestion(Asked):
    reference: str | None
    answer: Answer = None


@dataclass(frozen=True, slots=True)
class OpenIdea(Asked):
    """A staff list's Open button; no idea named: the person's queue."""

    reference: str | None


@dataclass(frozen=True, slots=True)
class ShowQueue(Asked):
    view: QueueView = QueueView.QUEUE
    triage_page: int = 1
    assess_page: int = 1


@dataclass(frozen=True, slots=True)
class ShowDeferred(Asked):
    """The deferred register, a page of it."""

    page: int = 1


@dataclass(frozen=True, slots=True)
class ShowDigest(Asked):
    """The PMO's "you said, we did" for the workforce: prepared and previewed, not sent."""


@dataclass(frozen=True, slots=True)
class SendDigest(Asked):
    """Send the digest the preview showed (None: the card named none)."""

    digest_id: int | None


@dataclass(frozen=True, slots=True)
class Find(Asked):
    text: str
    page: int = 1


@dataclass(frozen=True, slots=True)
class SearchIdeas(Asked):
    """`search TEXT`: earlier ideas and initiatives like the text, as colleagues may see them.
    None or empty: the card asking for the words (the welcome's button, or `search` alone).
    Private like any other request: it is answered in the person's 1:1 chat."""

    text: str | None = None


@dataclass(frozen=True, slots=True)
class MyProfile(Asked):
    pass


@dataclass(frozen=True, slots=True)
class SaveProfile(Asked):
    answers: ProfileAnswers


@dataclass(frozen=True, slots=True)
class SkipProfile(Asked):
    pass


@dataclass(frozen=True, slots=True)
class Refresh(Asked):
    """Teams asks for a staff card as the presser should see it now; None: no such idea."""

    idea_id: int | None


@dataclass(frozen=True, slots=True)
class ShowPmoHub(Asked):
    """`pmo`: the PMO team's way in to triage, campaigns and the deferred register."""


@dataclass(frozen=True, slots=True)
class ShowReport(Asked):
    """`report`: the last full month's key figures and a link to its board pack (the PMO's
    for every portfolio, a SPOC's for theirs)."""


@dataclass(frozen=True, slots=True)
class ShowCampaigns(Asked):
    """`campaigns`: every campaign with its numbers, and how many people opted out."""


@dataclass(frozen=True, slots=True)
class NewCampaign(Asked):
    """`campaign new`: the empty campaign form."""


@dataclass(frozen=True, slots=True)
class SaveCampaign(Asked):
    """The campaign form's Save: a new campaign (`campaign_id` None) or an edited one."""

    form: CampaignForm
    campaign_id: int | None = None


@dataclass(frozen=True, slots=True)
class OnCampaign(Asked):
    """A button of a campaign's cards: `act` on the campaign `campaign_id`."""

    campaign_id: int
    act: CampaignAct


@dataclass(frozen=True, slots=True)
class ScheduleCampaign(Asked):
    """Schedule on a campaign's cards: send its call at `at`, the UK day and time chosen (in
    UTC), or say why they name no moment."""

    campaign_id: int
    at: datetime | UnreadableMoment


@dataclass(frozen=True, slots=True)
class StopCampaignCalls(Asked):
    """`stop campaigns`, or the button on a campaign's call: send the caller no more
    campaign calls (never decision notices about their own ideas)."""


@dataclass(frozen=True, slots=True)
class ResumeCampaignCalls(Asked):
    """`start campaigns`: calls for ideas again, after stopping them."""


@dataclass(frozen=True, slots=True)
class RefreshCall(ForAnyone):
    """Teams redraws a campaign's call as it comes into view: open, or closed without its
    Share button. The same for everyone, wherever the call was sent (a channel too); None:
    no such campaign."""

    campaign_id: int | None


@dataclass(frozen=True, slots=True)
class ShowInitiatives(Asked):
    """`initiatives`: the PMO's register of known initiatives, a page of it."""

    page: int = 1


@dataclass(frozen=True, slots=True)
class NewInitiative(Asked):
    """`initiative new`: the empty form for a known initiative."""


@dataclass(frozen=True, slots=True)
class SaveInitiative(Asked):
    """The initiative form's Save: a new initiative (`initiative_id` None) or an edited one."""

    form: InitiativeForm
    initiative_id: int | None = None


@dataclass(frozen=True, slots=True)
class OnInitiative(Asked):
    """A button of the register's cards: `act` on the initiative `initiative_id`."""

    initiative_id: int
    act: InitiativeAct


Request = (ShowWelcome | ShowHelp | OpenFeedback | SendFeedback | Unknown | NewIdea
           | ContinueIntake | MyIdeas | IdeaStatus | AskStatus | AskToWithdraw | Withdraw
           | AnswerQuestion | OpenIdea | ShowQueue | ShowDeferred | Find | MyProfile
           | SaveProfile | SkipProfile | Refresh | Decide | DeclineDuplicate | ShowPmoHub
           | ShowCampaigns | NewCampaign | SaveCampaign | OnCampaign | ScheduleCampaign
           | StopCampaignCalls | ResumeCampaignCalls | ShowDigest | SendDigest | RefreshCall
           | ShowReport | ChangeFindability | SearchIdeas | ShowInitiatives | NewInitiative
           | SaveInitiative | OnInitiative)


@dataclass(frozen=True, slots=True)
class Typed:
    """A typed line: what it asks for, and `continues`, what it says to a submission in
    progress if it may be part of one (an answer, or a word such as "back" or "submit")."""

    request: Request
    continues: ContinueIntake | None = None


# Words that act like the submission's buttons when typed.
INTAKE_WORDS: dict[str, IntakeButton] = {
    "cancel": IntakeButton.CANCEL, "stop": IntakeButton.CANCEL, "quit": IntakeButton.CANCEL,
    "back": IntakeButton.BACK, "go back": IntakeButton.BACK,
    "submit": IntakeButton.SUBMIT, "send": IntakeButton.SUBMIT,
    "carry on": IntakeButton.RESUME, "resume": IntakeButton.RESUME,
    "continue": IntakeButton.RESUME,
    "start afresh": IntakeButton.RESTART, "start again": IntakeButton.RESTART,
    "skip": IntakeButton.SKIP_PROFILE,
}


def within_intake(text: str | None) -> ContinueIntake:
    """What typed text says within a submission: a button's word, or an answer."""
    return _within_intake(text, normalise(text))


def _within_intake(text: str | None, words: str) -> ContinueIntake:
    return ContinueIntake(button=INTAKE_WORDS.get(words), text=text)


def parse_typed(text: str | None) -> Typed:
    """A typed message as a request; anything unrecognised is Unknown, never an error.

    Text that is no command, `find …` and `search …` (an answer may well begin with either
    word) and the
    submission's own words may continue a submission in progress; in a shared conversation,
    where none is ever in progress, they are what they say outside one."""
    words = normalise(text)
    command = command_of(words)
    request = _command_request(command, text)
    if command in (Command.UNKNOWN, Command.FIND, Command.SEARCH) or words in INTAKE_WORDS:
        return Typed(request, _within_intake(text, words))
    return Typed(request)


def _command_request(command: Command, text: str | None) -> Request:
    match command:
        case Command.WELCOME:
            return ShowWelcome()
        case Command.HELP:
            return ShowHelp()
        case Command.FEEDBACK:
            return OpenFeedback()
        case Command.NEW_IDEA:
            return NewIdea()
        case Command.MY_IDEAS:
            return MyIdeas()
        case Command.STATUS:
            return AskStatus(find_reference(text))
        case Command.WITHDRAW:
            return AskToWithdraw(find_reference(text))
        case Command.MY_PROFILE:
            return MyProfile()
        case Command.MY_QUEUE:
            return ShowQueue(QueueView.QUEUE)
        case Command.TRIAGE:
            return ShowQueue(QueueView.TRIAGE)
        case Command.FIND:
            return Find(command_text(text))
        case Command.SEARCH:
            return SearchIdeas(command_text(text))
        case Command.DEFERRED:
            return ShowDeferred()
        case Command.DIGEST:
            return ShowDigest()
        case Command.PMO:
            return ShowPmoHub()
        case Command.REPORT:
            return ShowReport()
        case Command.CAMPAIGNS:
            return ShowCampaigns()
        case Command.NEW_CAMPAIGN:
            return NewCampaign()
        case Command.STOP_CAMPAIGNS:
            return StopCampaignCalls()
        case Command.START_CAMPAIGNS:
            return ResumeCampaignCalls()
        case Command.INITIATIVES:
            return ShowInitiatives()
        case Command.NEW_INITIATIVE:
            return NewInitiative()
        case Command.UNKNOWN:
            return Unknown()
