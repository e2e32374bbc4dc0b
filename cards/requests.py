"""A card's button data, parsed once into a request (bot.domain.requests).

Cards put an action id (cards.actions) and a few values in each button's data; this module is
the one place that reads them back. Identity is never read from card data. An action id no
card offers raises Malformed; a value of the wrong kind where a person's answer goes is kept
as Forged, so that it is refused with the same words as any other wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from bot.domain.campaign_form import CampaignForm
from bot.domain.campaigns import is_campaign_key
from bot.domain.duplicates import DECLINE_DUPLICATE, parse_decline_duplicate
from bot.domain.errors import Malformed
from bot.domain.feedback import FeedbackForm
from bot.domain.ideas import find_reference
from bot.domain.initiatives import InitiativeForm
from bot.domain.listing import page_number
from bot.domain.moves import SPECS, parse_decide, record_id
from bot.domain.profile import ProfileAnswers
from bot.domain.requests import (
    AnswerQuestion,
    AskToWithdraw,
    CampaignAct,
    ContinueIntake,
    Find,
    IdeaStatus,
    InitiativeAct,
    IntakeButton,
    MyIdeas,
    MyProfile,
    NewCampaign,
    NewIdea,
    NewInitiative,
    OnCampaign,
    OnInitiative,
    OpenFeedback,
    OpenIdea,
    QueueView,
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
    SkipProfile,
    StopCampaignCalls,
    Whole,
    Withdraw,
)
from bot.domain.schedule_form import DAY_LENGTH, TIME_LENGTH, chosen_moment
from bot.domain.search import SEARCH_LIMIT
from bot.domain.supporters import COMMENT_LIMIT
from bot.domain.text import Forged, answer_of
from bot.domain.visibility import parse_change
from cards import campaign_form as form
from cards import initiative_form
from cards.actions import CardAction
from cards.campaign_schedule import SCHEDULE_DAY, SCHEDULE_TIME
from cards.decisions import REFRESH_VERB
from cards.search import SEARCH_INPUT
from cards.suggestions import comment_input

Values = Mapping[str, object]
# An idea reference is a few characters ("IIP-2026-0042"): anything far longer is no card's.
REFERENCE_LIMIT = 200

# Text far past what an input allows is no card's (a client may ignore maxLength, so text a
# little past it is let through, to be refused kindly by the campaign's rules).
_LENGTH_MARGIN = 4
_CAMPAIGN_ACTS: dict[str, CampaignAct] = {
    CardAction.PREVIEW_CAMPAIGN: CampaignAct.PREVIEW,
    CardAction.CAMPAIGN_PROGRESS: CampaignAct.PROGRESS,
    CardAction.EDIT_CAMPAIGN: CampaignAct.EDIT,
    CardAction.ASK_TO_SEND_CAMPAIGN: CampaignAct.ASK_TO_SEND,
    CardAction.SEND_CAMPAIGN: CampaignAct.SEND,
    CardAction.SEND_TO_CHANGE_AGENTS: CampaignAct.SEND_TO_CHANGE_AGENTS,
    CardAction.ASK_TO_CANCEL_CAMPAIGN: CampaignAct.ASK_TO_CANCEL,
    CardAction.CANCEL_CAMPAIGN: CampaignAct.CANCEL,
    CardAction.RESEND_FAILED: CampaignAct.RESEND_FAILED,
}

_INITIATIVE_ACTS: dict[str, InitiativeAct] = {
    CardAction.EDIT_INITIATIVE: InitiativeAct.EDIT,
    CardAction.RETIRE_INITIATIVE: InitiativeAct.RETIRE,
    CardAction.RESTORE_INITIATIVE: InitiativeAct.RESTORE,
}

_INTAKE_BUTTONS: dict[str, IntakeButton] = {
    CardAction.ANSWER: IntakeButton.ANSWER, CardAction.BACK: IntakeButton.BACK,
    CardAction.CANCEL: IntakeButton.CANCEL, CardAction.EDIT: IntakeButton.EDIT,
    CardAction.SUBMIT_IDEA: IntakeButton.SUBMIT, CardAction.SHARING: IntakeButton.SHARING,
    CardAction.RESUME_DRAFT: IntakeButton.RESUME,
    CardAction.RESTART_DRAFT: IntakeButton.RESTART,
    CardAction.SAVE_PROFILE: IntakeButton.SAVE_PROFILE,
    CardAction.SKIP_PROFILE: IntakeButton.SKIP_PROFILE,
    CardAction.MINE_IS_DIFFERENT: IntakeButton.DIFFERENT,
    CardAction.NO_NEED: IntakeButton.NO_NEED,
    CardAction.SUPPORT_IDEA: IntakeButton.SUPPORT,
}


def parse_card(values: Values, text: str | None = None) -> Request:
    """The request an Action.Submit button's data makes (with the message's `text`, which
    Teams may send along). Malformed for an action id no card offers."""
    action = values.get("action")
    if not isinstance(action, str) or action not in _SUBMITS:
        raise Malformed(f"No button asks for {str(action)[:64]!r}.")
    return _SUBMITS[action](values, text)


def parse_execute(verb: str, data: Values) -> Request | None:
    """The request an Action.Execute verb makes: a decision (a move's confirm button, see
    bot.domain.moves.parse_decide, or a one-press decline as a duplicate; Malformed when its
    data is no card's), a refresh, or Next and Previous on a list; None for a verb no card
    offers."""
    if verb in SPECS:
        return parse_decide(verb, data)
    if verb == DECLINE_DUPLICATE:
        return parse_decline_duplicate(data)
    if verb == REFRESH_VERB:
        return Refresh(record_id(data.get("idea")))
    if verb == CardAction.FINDABILITY:
        return parse_change(data)
    if verb == CardAction.FIND_PAGE:
        text = data.get("text")
        return Find(text if isinstance(text, str) else "", page_number(data.get("page")))
    if verb == CardAction.QUEUE_PAGE:
        view = QueueView.TRIAGE if data.get("view") == QueueView.TRIAGE else QueueView.QUEUE
        return ShowQueue(view, page_number(data.get("triage")), page_number(data.get("assess")))
    if verb == CardAction.DEFERRED_PAGE:
        return ShowDeferred(page_number(data.get("page")))
    if verb == CardAction.INITIATIVES_PAGE:
        return ShowInitiatives(page_number(data.get("page")))
    if verb == CardAction.REFRESH_CALL:
        try:
            return RefreshCall(_campaign_id(data))
        except Malformed:  # answered as a call that is no more, never as a failed turn
            return RefreshCall(None)
    return None


def feedback_form_of(values: Values) -> FeedbackForm:
    """The feedback form's answers; only an explicit "true" lets the PMO contact them."""
    return FeedbackForm(comment=answer_of(values.get("comment")),
                        rating=answer_of(values.get("rating")),
                        may_contact=str(values.get("may_contact", "false")).lower() == "true")


def profile_answers_of(values: Values) -> ProfileAnswers:
    return ProfileAnswers(department=answer_of(values.get("department")),
                          function=answer_of(values.get("function")),
                          location=answer_of(values.get("location")),
                          grade=answer_of(values.get("grade")),
                          role_type=answer_of(values.get("role_type")))


def intake_turn_of(values: Values, text: str | None = None) -> ContinueIntake:
    """A button of the submission's cards, with the draft's step and revision it showed."""
    action = values.get("action")
    revision = values.get("revision")
    return ContinueIntake(
        button=_INTAKE_BUTTONS.get(action) if isinstance(action, str) else None,
        text=text,
        step=answer_of(values.get("step")),
        revision=_whole(revision),
        answer=answer_of(values.get("answer")),
        draft=answer_of(values.get("draft")),
        confirmed=values.get("confirmed") == "yes",
        profile=profile_answers_of(values),
        from_card="step" in values or "revision" in values,
        campaign=_campaign(values) if "campaign" in values else None,
    )


def _support(values: Values, text: str | None) -> ContinueIntake:
    """Support on a suggestion: the idea named (a key within range, or None, refused later
    as an idea that cannot be supported) and the comment its own input sent."""
    idea = record_id(values.get("idea"))
    comment = values.get(comment_input(idea)) if idea is not None else None
    if isinstance(comment, str) and len(comment) > COMMENT_LIMIT * _LENGTH_MARGIN:
        raise Malformed("No card sends a comment that long.")
    return replace(intake_turn_of(values, text), supports=idea, comment=answer_of(comment))


def _campaign(values: Values) -> str:
    """The campaign a call card's button names: a well-formed key, or Malformed."""
    key = values.get("campaign")
    if not is_campaign_key(key):
        raise Malformed("That is not a campaign of the portal.")
    return key
def campaign_form_of(values: Values) -> CampaignForm:
    """The campaign form's answers; Malformed for a value no card sends (not text, or text
    far longer than its input allows)."""
    return CampaignForm(
        name=_form_text(values, form.NAME), theme=_form_text(values, form.THEME),
        description=_form_text(values, form.DESCRIPTION),
        questions=tuple(_form_text(values, question) for question in form.QUESTIONS),
        opens=_form_text(values, form.OPENS), closes=_form_text(values, form.CLOSES),
        audience=_form_text(values, form.AUDIENCE), image_url=_form_text(values, form.IMAGE),
        remind=values.get(form.REMIND) == "true")


def _form_text(values: Values, input_id: str) -> str:
    return _input_text(values, input_id, form.TEXT_LIMITS[input_id])


def _campaign_id(values: Values) -> int:
    found = record_id(values.get("campaign"))
    if found is None:
        raise Malformed("That is not a campaign.")
    return found


def _save_campaign(values: Values, _text: str | None) -> SaveCampaign:
    """Save on the form: a new campaign's, or (naming it) an edited one's."""
    campaign_id = None if values.get("campaign") is None else _campaign_id(values)
    return SaveCampaign(campaign_form_of(values), campaign_id)


def _schedule_campaign(values: Values, _text: str | None) -> ScheduleCampaign:
    """Schedule's confirm button: the campaign, and the UK day and time chosen (text no date
    or time input sends is Malformed; a day or time that is wrong but could be typed is kept
    to be refused kindly)."""
    return ScheduleCampaign(_campaign_id(values), chosen_moment(
        _input_text(values, SCHEDULE_DAY, DAY_LENGTH), _input_text(values, SCHEDULE_TIME,
                                                                   TIME_LENGTH)))


def _input_text(values: Values, input_id: str, limit: int) -> str:
    given = values.get(input_id)
    if given is None:
        return ""
    if not isinstance(given, str) or len(given) > limit * _LENGTH_MARGIN:
        raise Malformed(f"No card sends that {input_id}.")
    return given


def _on_campaign(values: Values, _text: str | None) -> OnCampaign:
    action = values.get("action")
    assert isinstance(action, str)  # parse_card chose this parser by it
    return OnCampaign(_campaign_id(values), _CAMPAIGN_ACTS[action])


def initiative_form_of(values: Values) -> InitiativeForm:
    """The initiative form's answers; Malformed for a value no card sends (not text, or text
    far longer than its input allows)."""

    def text(input_id: str) -> str:
        return _input_text(values, input_id, initiative_form.TEXT_LIMITS[input_id])

    return InitiativeForm(
        title=text(initiative_form.TITLE), description=text(initiative_form.DESCRIPTION),
        stage=text(initiative_form.STAGE), portfolio=text(initiative_form.PORTFOLIO),
        contact=text(initiative_form.CONTACT), link=text(initiative_form.LINK))


def _initiative_id(values: Values) -> int:
    found = record_id(values.get("initiative"))
    if found is None:
        raise Malformed("That is not an initiative of the register.")
    return found


def _save_initiative(values: Values, _text: str | None) -> SaveInitiative:
    """Save on the form: a new initiative's, or (naming it) an edited one's."""
    initiative_id = None if values.get("initiative") is None else _initiative_id(values)
    return SaveInitiative(initiative_form_of(values), initiative_id)


def _on_initiative(values: Values, _text: str | None) -> OnInitiative:
    action = values.get("action")
    assert isinstance(action, str)  # parse_card chose this parser by it
    return OnInitiative(_initiative_id(values), _INITIATIVE_ACTS[action])


def _whole(value: object) -> Whole:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return Forged()


def _reference(values: Values, text: str | None) -> str | None:
    """The idea a button names (or, without one, the typed text names)."""
    given = values.get("reference")
    if isinstance(given, str) and len(given) > REFERENCE_LIMIT:
        raise Malformed("That is not an idea reference.")
    return find_reference(given if isinstance(given, str) else text)


def _search_text(values: Values) -> str:
    """The words the search card's box sent ("" for none); Malformed for what no card sends."""
    return _input_text(values, SEARCH_INPUT, SEARCH_LIMIT)


def _profile(values: Values, text: str | None) -> Request:
    """Save or Skip on the profile card: a step of a submission when the card was one."""
    if values.get("within_idea"):
        return intake_turn_of(values, text)
    if values.get("action") == CardAction.SKIP_PROFILE:
        return SkipProfile()
    return SaveProfile(profile_answers_of(values))


_SUBMITS: dict[str, Callable[[Values, str | None], Request]] = {
    CardAction.SHOW_HELP: lambda _v, _t: ShowHelp(),
    CardAction.OPEN_FEEDBACK: lambda _v, _t: OpenFeedback(),
    CardAction.SEND_FEEDBACK: lambda v, _t: SendFeedback(feedback_form_of(v)),
    CardAction.NEW_IDEA: lambda _v, _t: NewIdea(),
    CardAction.CAMPAIGN_IDEA: lambda v, _t: NewIdea(_campaign(v)),
    **{action: intake_turn_of for action in _INTAKE_BUTTONS
       if action not in (CardAction.SAVE_PROFILE, CardAction.SKIP_PROFILE,
                         CardAction.SUPPORT_IDEA)},
    CardAction.SUPPORT_IDEA: _support,
    CardAction.SAVE_PROFILE: _profile,
    CardAction.SKIP_PROFILE: _profile,
    CardAction.MY_PROFILE: lambda _v, _t: MyProfile(),
    CardAction.MY_IDEAS: lambda v, _t: MyIdeas(page_number(v.get("page"))),
    CardAction.IDEA_STATUS: lambda v, t: IdeaStatus(_reference(v, t)),
    CardAction.WITHDRAW: lambda v, t: AskToWithdraw(_reference(v, t)),
    CardAction.CONFIRM_WITHDRAW: lambda v, t: Withdraw(_reference(v, t),
                                                       answer_of(v.get("reason"))),
    CardAction.ANSWER_QUESTION: lambda v, t: AnswerQuestion(_reference(v, t),
                                                            answer_of(v.get("answer"))),
    CardAction.OPEN_IDEA: lambda v, t: OpenIdea(_reference(v, t)),
    CardAction.SEARCH: lambda v, _t: SearchIdeas(_search_text(v)),
    CardAction.ASK_SEARCH: lambda _v, _t: SearchIdeas(),
    CardAction.MY_QUEUE: lambda _v, _t: ShowQueue(QueueView.QUEUE),
    CardAction.TRIAGE: lambda _v, _t: ShowQueue(QueueView.TRIAGE),
    CardAction.DEFERRED: lambda _v, _t: ShowDeferred(),
    CardAction.PMO_HUB: lambda _v, _t: ShowPmoHub(),
    CardAction.CAMPAIGNS: lambda _v, _t: ShowCampaigns(),
    CardAction.NEW_CAMPAIGN: lambda _v, _t: NewCampaign(),
    CardAction.SAVE_CAMPAIGN: _save_campaign,
    **{action: _on_campaign for action in _CAMPAIGN_ACTS},
    CardAction.SCHEDULE_CAMPAIGN: _schedule_campaign,
    CardAction.STOP_CAMPAIGNS: lambda _v, _t: StopCampaignCalls(),
    CardAction.SHOW_DIGEST: lambda _v, _t: ShowDigest(),
    CardAction.SHOW_REPORT: lambda _v, _t: ShowReport(),
    CardAction.SEND_DIGEST: lambda v, _t: SendDigest(record_id(v.get("digest"))),
    CardAction.START_CAMPAIGNS: lambda _v, _t: ResumeCampaignCalls(),
    CardAction.INITIATIVES: lambda _v, _t: ShowInitiatives(),
    CardAction.NEW_INITIATIVE: lambda _v, _t: NewInitiative(),
    CardAction.SAVE_INITIATIVE: _save_initiative,
    **{action: _on_initiative for action in _INITIATIVE_ACTS},
}
