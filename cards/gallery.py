"""Every card the bot can send, filled with sample data, for review and schema checks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.domain.board_pack import BoardPack, PackCounts, SlaMonthFigure
from bot.domain.campaign_schedule import ClosingSummary
from bot.domain.campaign_sending import CampaignStatus, Unreachable
from bot.domain.campaigns import Campaign, CampaignState, parse_audience
from bot.domain.digest import SHOWN, TOLD_LIMIT, Delivered, Digest, DigestState
from bot.domain.duplicates import DUPLICATE_MESSAGE, Original
from bot.domain.feedback import Feedback, FeedbackForm, Rating
from bot.domain.ideas import (
    CampaignAnswer,
    DeclineReason,
    FirstResponse,
    HistoryEntry,
    IdeaDetail,
    IdeaSummary,
    Status,
)
from bot.domain.intake import (
    TEXT_QUESTIONS,
    CampaignOption,
    Choices,
    Draft,
    Option,
    Step,
    steps_of,
)
from bot.domain.lifecycle import Decision, Move, Party
from bot.domain.listing import ListPage, window
from bot.domain.organisation import Category, Organisation, Portfolio
from bot.domain.profile import Profile
from bot.domain.requests import MyIdeas
from bot.domain.search import HINT
from bot.domain.sensitive import Finding, SensitiveText
from bot.domain.similar import Match, MatchKind, Visibility
from cards.base import CardMessage
from cards.campaign_call import call_card, calls_stopped_card
from cards.campaign_gallery import campaign_cards
from cards.campaign_progress import live_progress_card, progress_card
from cards.campaign_summary import closing_summary_card
from cards.decisions import DecisionCards
from cards.digest import (
    digest_card,
    digest_preview_card,
    digest_refused_card,
    digest_sent_card,
    nothing_delivered_card,
)
from cards.feedback import feedback_for_pmo_card, feedback_form_card, feedback_thanks_card
from cards.help import help_card
from cards.ideas import (
    my_ideas_card,
    not_found_card,
    timeline_card,
    withdraw_confirm_card,
    withdrawn_card,
)
from cards.initiative_gallery import initiative_cards
from cards.intake import (
    cancelled_card,
    check_card,
    question_card,
    receipt_card,
    resume_card,
    sensitive_card,
)
from cards.notices import (
    failure_card,
    no_identity_card,
    stale_action_card,
    unknown_text_card,
)
from cards.outage import feedback_not_saved_card, not_saved_card
from cards.outbox_alerts import (
    destination_given_up_card,
    destination_paused_card,
    destination_resumed_card,
)
from cards.private import carry_on_here_card, next_step_for, private_chat_card
from cards.profile import Progress, profile_card, profile_saved_card
from cards.reminders import reminder_card, sample_reminders
from cards.report import report_card
from cards.search import results_card, search_card
from cards.slow_down import slow_down_card
from cards.staff_lists import (
    TRIAGE_VIEW,
    deferred_card,
    find_card,
    find_how_card,
    opened_card,
    queue_card,
)
from cards.suggestions import support_gallery
from cards.welcome import channel_welcome_card, welcome_card

SAMPLE_CONTACT = "E-mail iip.pmo@example.police.uk, or call extension 4471 (Monday to Friday)."
SAMPLE_CHOICES = Choices(
    categories=(Option("process", "Process improvement"), Option("technology", "Technology")),
    portfolios=(Option("local-policing", "Local Policing"),
                Option("crime-and-justice", "Crime and Justice")),
    campaigns=(CampaignOption("ai", "Artificial intelligence",
                              ("Which system would it use?", "Who would it help most?")),),
)
SAMPLE_DRAFT = Draft(
    title="Digital pocket notebooks for response officers",
    problem="Paper notebooks are slow to search, and **copying** them takes <b>hours</b>.",
    proposal="Use the tablets officers already carry, with the existing notebook app.",
    benefit="About two hours a week for each response officer.",
    category="technology", portfolio="local-policing", campaign="", named_publicly=True,
    step=Step.CHECK, revision=9, ask_profile=True,
)
SAMPLE_CAMPAIGN_DRAFT = replace(SAMPLE_DRAFT, campaign="ai", campaign_answers=(
    CampaignAnswer("Which system would it use?", "The notebook app on the tablets."),
    CampaignAnswer("Who would it help most?", "Response officers on nights.")))
SUBMITTED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
SAMPLE_IDEA = IdeaDetail(
    id=42, reference="IIP-2026-0042", contributor_object_id="00000000-0000-0000-0000-0000000000021",
    title=SAMPLE_DRAFT.title, problem=SAMPLE_DRAFT.problem, proposal=SAMPLE_DRAFT.proposal,
    benefit=SAMPLE_DRAFT.benefit, category_key="technology", portfolio_key="local-policing",
    campaign_key=None, named_publicly=True, status=Status.BUSINESS_ASSESSMENT,
    decline_reason=None, version=2, submitted_at=SUBMITTED, updated_at=SUBMITTED,
    history=(
        HistoryEntry(SUBMITTED, "contributor", "submitted", None, Status.SUBMITTED),
        HistoryEntry(SUBMITTED, "pmo", "allocated", Status.SUBMITTED,
                     Status.BUSINESS_ASSESSMENT,
                     message_to_contributor="Local Policing will look at this next."),
    ),
)
SAMPLE_CAMPAIGN_IDEA = replace(
    SAMPLE_IDEA, campaign_key="ai", campaign_name="Artificial intelligence",
    campaign_answers=SAMPLE_CAMPAIGN_DRAFT.campaign_answers)
# Answered on 3 January 2027, after the due day (2 January), and the contributor had blocked
# the bot: staff see both, the contributor only that it was answered.
ANSWERED_LATE_UNREACHABLE = replace(
    SAMPLE_IDEA, status=Status.DEFERRED, revisit_on=date(2027, 6, 1),
    first_response=FirstResponse(datetime(2027, 1, 3, 10, 0, tzinfo=UTC), reachable=False))
SAMPLE_ORGANISATION = Organisation(
    people=(), pmo=(), categories=(Category("technology", "Technology"),),
    portfolios=(Portfolio("local-policing", "Local Policing", ()),),
)


SAMPLE_CHAT_LINK = "https://teams.microsoft.com/l/chat/0/0?users=28:00000000-0000-0000-0000-000000000001"


SAMPLE_CAMPAIGN = Campaign(
    id=3, key="artificial-intelligence", name="Artificial intelligence",
    theme="Where AI could save officers time",
    description=("Which tasks take you longest at a keyboard? Tell us where software that "
                 "reads, sorts or drafts could give you time back, and what it would need "
                 "to be trusted. **Every** idea is read."),
    questions=("Which system would it work with?", "Who would it help most?"),
    opens=date(2026, 11, 9), closes=date(2026, 12, 18), audience=parse_audience("everyone"),
    image_url="https://intranet.example.police.uk/campaigns/ai.png", state=CampaignState.OPEN,
    created_by="system:sample", created_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    sent_at=datetime(2026, 11, 9, 8, 0, tzinfo=UTC), recipients=12_000)


def gallery() -> Iterator[tuple[str, CardMessage]]:
    """(name, card) for each card and state, named as the files `iip cards gallery` writes."""
    yield "welcome", welcome_card()
    yield "welcome-named", welcome_card("Alex")
    yield "welcome-staff", welcome_card("Megan", staff=True)
    yield "welcome-pmo", welcome_card("Alex", staff=True, pmo=True)
    yield "welcome-open-calls", welcome_card("Alex", campaigns=[SAMPLE_CAMPAIGN])
    yield "welcome-channel", channel_welcome_card()
    yield "welcome-channel-linked", channel_welcome_card(SAMPLE_CHAT_LINK)
    yield "private-chat", private_chat_card(SAMPLE_CHAT_LINK)
    yield "private-chat-no-link", private_chat_card(None, messaged=False)
    yield "carry-on-here", carry_on_here_card(next_step_for(MyIdeas()))
    yield "help", help_card(SAMPLE_CONTACT)
    yield "help-no-contact", help_card("")
    yield "help-pmo", help_card(SAMPLE_CONTACT, staff=True, pmo=True)
    yield "help-open-calls", help_card(SAMPLE_CONTACT, campaigns=[SAMPLE_CAMPAIGN])
    yield "feedback-form", feedback_form_card()
    yield "feedback-form-error", feedback_form_card(
        FeedbackForm(rating="4", comment="x" * 1200, may_contact=True),
        "Your feedback is 1,200 characters long; the limit is 1,000.",
    )
    yield "feedback-thanks", feedback_thanks_card()
    yield "feedback-for-pmo", feedback_for_pmo_card(
        Feedback(comment="The help card is **great** but <b>long</b> on a phone.",
                 rating=Rating.EASY, may_contact=True),
        "Megan Bowen",
    )
    yield "unknown-text", unknown_text_card()
    yield "stale-action", stale_action_card()
    yield "no-identity", no_identity_card()
    yield "failure", failure_card()
    yield "not-saved", not_saved_card("I have an idea about the custody suite rota")
    yield "slow-down", slow_down_card()
    yield "feedback-not-saved", feedback_not_saved_card(
        FeedbackForm(rating="4", comment="The help card told me what I needed.",
                     may_contact=True))
    yield "destination-paused", destination_paused_card(
        "the news channel", "403: BotNotInConversationRoster",
        datetime(2026, 12, 8, 9, 5, tzinfo=UTC))
    yield "destination-resumed", destination_resumed_card(
        "the news channel", datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    yield "destination-given-up", destination_given_up_card(
        "the news channel", "given up: the destination refused the portal for 14 days or more",
        12)
    yield from campaign_cards(SAMPLE_CAMPAIGN)
    yield from _submission_cards()
    yield from _idea_cards()
    for name, owed in sample_reminders():
        yield name, reminder_card(owed, SAMPLE_ORGANISATION)
    yield from _digest_cards()
    yield from _report_cards()
    yield from _search_cards()
    yield from support_gallery(SAMPLE_IDEA, SAMPLE_ORGANISATION)
    yield from initiative_cards()


def _search_cards() -> Iterator[tuple[str, CardMessage]]:
    yield "search", search_card()
    yield "search-too-short", search_card(HINT, "bwv")
    yield "search-results", results_card("body worn video at custody", [
        Match(MatchKind.IDEA, 42, "IIP-2026-0042", "Digital pocket notebooks for **response**",
              "Approved", None, 0.82, supporters=3),
        Match(MatchKind.IDEA, 17, "IIP-2026-0017", "Shorter handover forms",
              "Delivered", "The custody handover form is now one page.", 0.61),
        Match(MatchKind.INITIATIVE, 2, "INI-0002", "BWV upload from custody suites",
              "Under way", None, 0.55)])
    yield "search-none", results_card("drones for the marine unit", [])
    yield "search-reference-unseen", results_card("IIP-2026-0099", [],
                                                  reference="IIP-2026-0099")


def _submission_cards() -> Iterator[tuple[str, CardMessage]]:
    steps = steps_of(replace(SAMPLE_DRAFT, campaign="ai"), SAMPLE_CHOICES)
    for step in steps:
        if step not in (Step.PROFILE, Step.CHECK):
            yield f"intake-{step.value}", question_card(
                Draft(step=step, campaign="ai"), step, steps, SAMPLE_CHOICES)
    yield "intake-title-error", question_card(
        Draft(step=Step.TITLE), Step.TITLE, steps, SAMPLE_CHOICES,
        error="The title is 130 characters long; the limit is 120.", typed="x" * 130)
    yield "intake-profile", profile_card([("local-policing", "Local Policing")],
                                         within_idea=True, progress=Progress(7, 8, 6))
    yield "profile", profile_card([("local-policing", "Local Policing")],
                                  Profile(department="local-policing", location="Leeds"),
                                  within_idea=False)
    yield "profile-saved", profile_saved_card()
    yield "intake-from-closed-call", question_card(
        Draft(), Step.TITLE, steps_of(Draft(), SAMPLE_CHOICES), SAMPLE_CHOICES,
        error="The call for ideas on Custody closed on 30 November 2026; you can still "
              "suggest an idea.")
    yield "intake-check", check_card("d1", SAMPLE_DRAFT, SAMPLE_CHOICES)
    yield "intake-check-private", check_card("d1", replace(SAMPLE_DRAFT, private=True),
                                             SAMPLE_CHOICES)
    yield "intake-check-campaign", check_card("d1", SAMPLE_CAMPAIGN_DRAFT, SAMPLE_CHOICES)
    yield "intake-check-campaign-closed", check_card(
        "d1", replace(SAMPLE_DRAFT, dropped_campaign="custody"), SAMPLE_CHOICES,
        dropped="The call for ideas on Custody closed on 30 November 2026; your idea will "
                "be sent without it.")
    yield "intake-sensitive", sensitive_card("d1", SAMPLE_DRAFT, [
        SensitiveText("problem", (Finding.PHONE, Finding.VEHICLE))])
    yield "intake-receipt", receipt_card("IIP-2026-0042", SAMPLE_DRAFT.title, date(2027, 1, 2))
    yield "intake-receipt-untagged", receipt_card(
        "IIP-2026-0042", SAMPLE_DRAFT.title, date(2027, 1, 2),
        notice="The call for ideas on Custody closed on 30 November 2026, so your idea was "
               "sent without it.")
    yield "intake-resume", resume_card(SAMPLE_DRAFT, SUBMITTED)
    yield "intake-resume-campaign", resume_card(
        replace(SAMPLE_DRAFT, campaign="custody"), SUBMITTED, SAMPLE_CHOICES.campaigns[0],
        previous="Custody")
    yield "intake-cancelled", cancelled_card()


def _idea_cards() -> Iterator[tuple[str, CardMessage]]:
    summaries = [
        SAMPLE_IDEA.summary,
        IdeaSummary("IIP-2026-0017", "Shorter handover forms", Status.DECLINED,
                    DeclineReason.DUPLICATE, SUBMITTED, SUBMITTED,
                    first_response=FirstResponse(SUBMITTED + timedelta(days=3))),
    ]
    yield "my-ideas", my_ideas_card(summaries, 1, 3, 12)
    yield "idea-timeline-answered", timeline_card(ANSWERED_LATE_UNREACHABLE)
    yield "my-ideas-empty", my_ideas_card([], 1, 1, 0)
    yield "idea-timeline", timeline_card(SAMPLE_IDEA)
    yield "idea-timeline-campaign", timeline_card(SAMPLE_CAMPAIGN_IDEA)
    yield "idea-withdraw-confirm", withdraw_confirm_card(SAMPLE_IDEA)
    yield "idea-withdrawn", withdrawn_card(SAMPLE_IDEA)
    yield "idea-not-found", not_found_card("I could not find an idea IIP-2026-0999 of yours.")
    yield from _decision_cards()


# What the similar-ideas pass finds for an idea: a likely duplicate, a looser match (with
# words a card must not read as Markdown) and a known initiative.
SAMPLE_MATCHES = (
    Match(MatchKind.IDEA, 7, "IIP-2026-0007", "Tablets for notebooks", "Approved", None,
          0.83, likely_duplicate=True, supporters=2),
    Match(MatchKind.IDEA, 9, "IIP-2025-0311", "Pocket notebooks *on* [phones](x)",
          "Declined", "Declined: duplicate of IIP-2025-0107.", 0.58),
    Match(MatchKind.INITIATIVE, 3, "INI-0003", "Mobile working programme", "Under way", None,
          0.49),
)


def _decision_cards() -> Iterator[tuple[str, CardMessage]]:
    cards = DecisionCards(today=lambda: date(2026, 11, 25))
    pmo_and_spoc = frozenset({Party.PMO, Party.SPOC})
    triage = replace(SAMPLE_IDEA, status=Status.SUBMITTED, version=1)
    yield "staff-triage", cards.idea_card(triage, frozenset({Party.PMO}), SAMPLE_ORGANISATION)
    yield "staff-triage-redacted", cards.idea_card(
        replace(triage, visibility=Visibility.SHARED, public_title="Digital notebooks"),
        frozenset({Party.PMO}), SAMPLE_ORGANISATION, notice="Saved.")
    yield "staff-assessment", cards.idea_card(SAMPLE_IDEA, pmo_and_spoc, SAMPLE_ORGANISATION)
    yield "staff-assessment-stale", cards.idea_card(
        SAMPLE_IDEA, pmo_and_spoc, SAMPLE_ORGANISATION,
        notice="This card was out of date: Megan Bowen approved it at 10:42 on 25 November.")
    approved = replace(SAMPLE_IDEA, status=Status.APPROVED, version=3,
                       first_response=FirstResponse(SUBMITTED + timedelta(days=12)))
    yield "staff-approved", cards.idea_card(approved, pmo_and_spoc, SAMPLE_ORGANISATION)
    yield "staff-deferred-idea", cards.idea_card(
        replace(SAMPLE_IDEA, status=Status.DEFERRED, revisit_on=date(2027, 3, 1), version=4),
        pmo_and_spoc, SAMPLE_ORGANISATION)
    yield "staff-overdue", DecisionCards(today=lambda: date(2027, 1, 9)).idea_card(
        SAMPLE_IDEA, pmo_and_spoc, SAMPLE_ORGANISATION)
    yield "staff-answered-late-unreachable", cards.idea_card(
        ANSWERED_LATE_UNREACHABLE, pmo_and_spoc, SAMPLE_ORGANISATION)
    yield "staff-read-only", cards.idea_card(SAMPLE_IDEA, frozenset(), SAMPLE_ORGANISATION)
    yield "staff-campaign", cards.idea_card(SAMPLE_CAMPAIGN_IDEA, frozenset({Party.PMO}),
                                            SAMPLE_ORGANISATION)
    yield "staff-own-idea", cards.idea_card(
        SAMPLE_IDEA, frozenset({Party.CONTRIBUTOR, Party.RECUSED}), SAMPLE_ORGANISATION)
    yield "staff-own-idea-self-decisions", cards.idea_card(
        SAMPLE_IDEA, pmo_and_spoc | {Party.CONTRIBUTOR},
        replace(SAMPLE_ORGANISATION, allow_self_decisions=True))
    yield "staff-triage-similar", cards.idea_card(
        replace(triage, matches=SAMPLE_MATCHES), frozenset({Party.PMO}), SAMPLE_ORGANISATION)
    yield "staff-assessment-similar", cards.idea_card(
        replace(SAMPLE_IDEA, matches=SAMPLE_MATCHES), pmo_and_spoc, SAMPLE_ORGANISATION)
    yield "staff-similar-none", cards.idea_card(
        replace(triage, matches=()), frozenset({Party.PMO}), SAMPLE_ORGANISATION)
    yield "staff-withdrawn", cards.withdrawn(SAMPLE_IDEA, "Megan Bowen", "It exists already.")
    yield "staff-refused", cards.refused("You are not one of the people who can act on this "
                                         "idea, so nothing changed.")
    yield "staff-answer", cards.answer_for_staff(
        SAMPLE_IDEA, "Do the tablets have the notebook app?", "Yes: the tablets have the app.")
    one = ListPage([SAMPLE_IDEA.summary], window(1, 1))
    many = ListPage([SAMPLE_IDEA.summary] * 10, window(2, 25))
    nothing = ListPage([], window(1, 0))
    yield "staff-queue", queue_card(None, one)
    yield "staff-queue-overdue", queue_card(one, None, view=TRIAGE_VIEW,
                                            today=date(2027, 1, 9))
    yield "staff-queue-empty", queue_card(nothing, None, view=TRIAGE_VIEW)
    yield "staff-queue-pmo-and-spoc", queue_card(many, nothing)
    deferred = replace(SAMPLE_IDEA.summary, status=Status.DEFERRED,
                       revisit_on=date(2027, 3, 1))
    yield "staff-deferred", deferred_card(ListPage([deferred] * 10, window(2, 25)))
    yield "staff-deferred-none", deferred_card(nothing)
    yield "staff-find", find_card("notebooks", many)
    yield "staff-find-nothing", find_card("parking permits", nothing)
    yield "staff-find-how", find_how_card()
    yield "staff-opened", opened_card(SAMPLE_IDEA.summary, "Local Policing", None)
    yield "staff-opened-again", opened_card(SAMPLE_IDEA.summary, "Local Policing",
                                            SAMPLE_IDEA.submitted_at)
    for move in (Move.ALLOCATE, Move.APPROVE, Move.DECLINE, Move.DEFER, Move.ESCALATE,
                 Move.ASK, Move.UPDATE, Move.DELIVER):
        decision = Decision(move=move, message="Thank you: **we** will <b>look</b> at it.",
                            reason=DeclineReason.DUPLICATE if move is Move.DECLINE else None,
                            revisit_on=date(2027, 3, 1) if move is Move.DEFER else None,
                            what_changed="Officers now use tablets."
                            if move is Move.DELIVER else None)
        yield f"contributor-{move.value}", cards.contributor_notice(
            SAMPLE_IDEA, decision, SAMPLE_ORGANISATION,
            Original(7, "IIP-2026-0007", "Tablets for notebooks", Status.APPROVED,
                     Visibility.SHARED) if move is Move.DECLINE else None)
    yield "contributor-decline-private-original", cards.contributor_notice(
        SAMPLE_IDEA, Decision(move=Move.DECLINE_AT_TRIAGE, message=DUPLICATE_MESSAGE,
                              reason=DeclineReason.DUPLICATE, duplicate_of="IIP-2026-0007"),
        SAMPLE_ORGANISATION, Original(7, "IIP-2026-0007", "Tablets for notebooks",
                                      Status.SUBMITTED, Visibility.PRIVATE))
    yield "news-recognition", cards.recognition(
        replace(SAMPLE_IDEA, contributor_name="Megan Bowen"), "Officers now use tablets.")
    yield "campaign-call", call_card(SAMPLE_CAMPAIGN)
    yield "campaign-call-closed", call_card(SAMPLE_CAMPAIGN, closed=True)
    yield "campaign-reminder", call_card(SAMPLE_CAMPAIGN, reminder=True)
    yield "campaign-progress-live", live_progress_card(SAMPLE_CAMPAIGN, CampaignStatus(
        CampaignState.OPEN, recipients=12_000, sent=4_210, failed=3, pending=7_787,
        measured_seconds_left=164))
    yield "campaign-progress-live-finished", live_progress_card(SAMPLE_CAMPAIGN, CampaignStatus(
        CampaignState.OPEN, recipients=12_000, sent=11_962, failed=38, pending=0,
        unreachable=(Unreachable("6e2f1b7a-0c4d-4a5e-9f10-2b3c4d5e6f70",
                                 "403: ConversationBlockedByUser"),)))
    yield "campaign-closed-summary", closing_summary_card(ClosingSummary(
        SAMPLE_CAMPAIGN, ideas=57, by_portfolio=(("Local Policing", 31), ("Crime and Justice", 26)),
        reached=11_962, opted_out=140))
    yield "campaign-calls-stopped", calls_stopped_card(newly=True)
    yield "campaign-progress", progress_card(SAMPLE_CAMPAIGN, CampaignStatus(
        CampaignState.OPEN, recipients=12_000, sent=4_210, failed=3, pending=7_787))
    yield "campaign-progress-finished", progress_card(SAMPLE_CAMPAIGN, CampaignStatus(
        CampaignState.OPEN, recipients=12_000, sent=11_962, failed=38, pending=0,
        unreachable=(Unreachable("6e2f1b7a-0c4d-4a5e-9f10-2b3c4d5e6f70",
                                 "403: ConversationBlockedByUser"),)))


def _digest_cards() -> Iterator[tuple[str, CardMessage]]:
    delivered = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    entries = (
        Delivered("IIP-2026-0042", "Digital pocket notebooks", "Alex Wilber", delivered,
                  "Officers write their notes on the tablets they carry.",
                  "About two hours a week saved for each officer."),
        Delivered("IIP-2026-0077", "Fewer forms in custody", "an officer in Local Policing",
                  delivered, "One booking-in form instead of three."),
    )
    sample = Digest(id=3, covers_from=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
                    covers_to=delivered, entries=entries, total=14,
                    state=DigestState.DRAFT, created_by="pmo", created_at=delivered)
    yield "digest", digest_card(sample)
    yield "digest-preview", digest_preview_card(sample, 11842)
    yield "digest-preview-nobody", digest_preview_card(sample, 0)
    # The longest a digest can be: every entry at its limits, in a script JSON escapes.
    longest = "\u0986" * TOLD_LIMIT
    widest = Delivered("IIP-2026-9999", "\u0986" * TEXT_QUESTIONS[Step.TITLE].limit,
                       "a member of police staff in " + "\u0986" * 200, delivered,
                       longest, longest)
    yield "digest-longest", digest_preview_card(
        replace(sample, entries=(widest,) * SHOWN, total=99_999), 999_999)
    yield "digest-sent", digest_sent_card(replace(sample, recipients=11842))
    yield "digest-nothing", nothing_delivered_card("1 October 2026")
    yield "digest-refused", digest_refused_card(
        "This digest was sent on 20 November 2026 to 11,842 people. Nothing was sent again.")


def _report_cards() -> Iterator[tuple[str, CardMessage]]:
    """`report`: the PMO's, and a SPOC's with many long portfolio names."""
    month = date(2026, 10, 1)
    counts = PackCounts(
        submitted_by_month=(31,) * 11 + (47,), status_mix=(), by_portfolio=(), by_category=(),
        taken_forward=12, delivered=3, delivered_ideas=(), campaigns=(), deferred=(),
        deferred_total=22, diversity={}, month_ideas=())
    trend = (SlaMonthFigure(month, 40, 33, 7, 0, 33 / 40, 21.0),)
    made = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    pack = BoardPack(month, made, None, counts, trend, ())
    link = "https://iip.example.police.uk/reports/" + "A" * 120
    yield "report", report_card(pack, link, made + timedelta(hours=24))
    spoc = replace(pack, scope=tuple("\u0986" * 200 for _ in range(4)),
                   sla_trend=(SlaMonthFigure(month, 0, 0, 0, 0, None, None),))
    yield "report-spoc", report_card(spoc, link, made + timedelta(hours=24))
