"""The submission script: which step comes next, and what each answer must be."""

from dataclasses import replace

import pytest

from bot.domain.errors import InvalidText
from bot.domain.ideas import CampaignAnswer
from bot.domain.intake import (
    CAMPAIGN_ANSWER_LIMIT,
    NO_CAMPAIGN,
    CampaignOption,
    Choices,
    Draft,
    Option,
    Step,
    answer,
    back,
    choose,
    edit,
    missing,
    plan,
    retag,
    start,
    steps_of,
    untag_closed,
    yes_or_no,
)

CHOICES = Choices(
    categories=(Option("process", "Process improvement"), Option("technology", "Technology")),
    portfolios=(Option("local-policing", "Local Policing"),
                Option("crime-and-justice", "Crime and Justice")),
    campaigns=(CampaignOption("ai", "Artificial intelligence"),),
)
STAR_QUESTIONS = ("How much funding would it need?", "Who would lead it?")
STAR = CampaignOption("star", "STAR fund", STAR_QUESTIONS)
# Two calls taking ideas: one with questions of its own, one without.
CALLS = Choices(categories=CHOICES.categories, portfolios=CHOICES.portfolios,
                campaigns=(STAR, CampaignOption("ai", "Artificial intelligence")))
FIRST_TIME = plan(ask_profile=True, campaigns_open=False)
# The organisation's lists with no campaign taking ideas.
NO_CALLS = Choices(categories=CHOICES.categories, portfolios=CHOICES.portfolios)


def walk(draft: Draft, choices: Choices, answers: dict[Step, object]) -> Draft:
    while draft.step is not Step.CHECK:
        draft = answer(draft, draft.step, answers.get(draft.step, ""), choices)
    return draft


ANSWERS = {
    Step.TITLE: "Digital pocket notebooks",
    Step.PROBLEM: "Paper notebooks are slow to search.",
    Step.PROPOSAL: "Use the existing tablets.",
    Step.BENEFIT: "Two hours a week per officer.",
    Step.CATEGORY: "technology",
    Step.PORTFOLIO: "2",
    Step.RECOGNITION: "yes",
}


def test_the_profile_is_asked_only_the_first_time_and_the_campaign_only_while_one_is_open():
    assert Step.PROFILE in FIRST_TIME and Step.CAMPAIGN not in FIRST_TIME
    later = plan(ask_profile=False, campaigns_open=True)
    assert Step.PROFILE not in later and Step.CAMPAIGN in later
    assert FIRST_TIME[0] is Step.TITLE and FIRST_TIME[-1] is Step.CHECK


def test_answering_every_step_in_turn_reaches_the_check_with_a_complete_draft():
    draft = walk(start(ask_profile=True), NO_CALLS, ANSWERS)

    assert draft.title == "Digital pocket notebooks"
    assert draft.category == "technology"
    assert draft.portfolio == "crime-and-justice"
    assert draft.named_publicly is True
    assert missing(draft, CHOICES) == []
    assert draft.revision == len(FIRST_TIME) - 1


def test_a_refused_answer_leaves_the_draft_as_it_was():
    draft = answer(start(ask_profile=True), Step.TITLE, "Short title", NO_CALLS)

    with pytest.raises(InvalidText, match="the limit is 2,000"):
        answer(draft, Step.PROBLEM, "x" * 2001, NO_CALLS)
    with pytest.raises(InvalidText, match="empty"):
        answer(draft, Step.PROBLEM, "   \n ", NO_CALLS)
    assert draft.step is Step.PROBLEM and draft.problem == ""


def test_back_goes_one_step_back_and_never_before_the_first():
    draft = answer(start(), Step.TITLE, "A title", NO_CALLS)

    assert back(draft, NO_CALLS).step is Step.TITLE
    assert back(back(draft, NO_CALLS), NO_CALLS).step is Step.TITLE


def test_an_edit_from_the_check_returns_to_the_check_not_to_the_start():
    draft = walk(start(ask_profile=True), NO_CALLS, ANSWERS)

    editing = edit(draft, Step.PROBLEM, NO_CALLS)
    assert editing.step is Step.PROBLEM
    done = answer(editing, Step.PROBLEM, "Searching paper takes hours.", NO_CALLS)

    assert done.step is Step.CHECK
    assert done.problem == "Searching paper takes hours."
    assert done.revision == draft.revision + 1
    assert back(edit(done, Step.TITLE, NO_CALLS), NO_CALLS).step is Step.CHECK


@pytest.mark.parametrize("typed, key", [
    ("Local Policing", "local-policing"),
    ("local policing", "local-policing"),
    ("1", "local-policing"),
    ("crime", "crime-and-justice"),
    ("crime-and-justice", "crime-and-justice"),
])
def test_a_choice_can_be_typed_by_name_number_or_the_start_of_its_name(typed, key):
    assert choose(typed, CHOICES.portfolios, "portfolio") == key


@pytest.mark.parametrize("typed", ["3", "0", "Finance", "²", "\u0663", "9" * 5000])
def test_an_unknown_choice_is_refused_with_the_list_to_choose_from(typed):
    with pytest.raises(InvalidText, match="choose one of: Local Policing, Crime and Justice"):
        choose(typed, CHOICES.portfolios, "portfolio")


@pytest.mark.parametrize("typed", ["", "   ", None, 7])
def test_no_choice_at_all_is_refused(typed):
    with pytest.raises(InvalidText, match="choose a portfolio from the list"):
        choose(typed, CHOICES.portfolios, "portfolio")


def test_a_stale_choice_after_the_organisation_changed_must_be_answered_again():
    draft = walk(start(ask_profile=True), NO_CALLS, ANSWERS)
    smaller = Choices(categories=CHOICES.categories, portfolios=CHOICES.portfolios[:1])

    assert missing(draft, smaller) == [Step.PORTFOLIO]


def test_a_campaign_may_be_none_and_a_draft_from_a_campaign_card_starts_tagged():
    draft = answer(start(), Step.CAMPAIGN, "none", CHOICES)

    assert draft.campaign == NO_CAMPAIGN
    assert start("ai").campaign == "ai"


@pytest.mark.parametrize("typed, meant", [("Yes", True), ("y", True), ("sure", True),
                                          ("no", False), ("Prefer not", False), (True, True)])
def test_yes_or_no(typed, meant):
    assert yes_or_no(typed) is meant


def test_neither_yes_nor_no_is_refused():
    with pytest.raises(InvalidText):
        yes_or_no("maybe")


# Campaigns: a draft from a call, the call's own questions, and a call that closes


def test_a_draft_from_a_call_is_not_asked_the_campaign_but_its_own_questions_after_the_rest():
    steps = steps_of(start("star", ask_profile=True), CALLS)

    assert steps == (Step.TITLE, Step.PROBLEM, Step.PROPOSAL, Step.BENEFIT, Step.CATEGORY,
                     Step.PORTFOLIO, Step.QUESTION_1, Step.QUESTION_2, Step.PROFILE,
                     Step.RECOGNITION, Step.CHECK)
    assert Step.CAMPAIGN in steps_of(start(), CALLS)
    assert Step.CAMPAIGN not in steps_of(start(), NO_CALLS)


def test_choosing_a_campaign_at_its_step_asks_its_questions_next_each_answer_kept_in_order():
    draft = walk(start(), CALLS, {**ANSWERS, Step.CAMPAIGN: "STAR fund",
                                  Step.QUESTION_1: "  About £20,000.  ",
                                  Step.QUESTION_2: "The custody inspector."})

    assert draft.campaign == "star"
    assert draft.campaign_answers == (
        CampaignAnswer("How much funding would it need?", "About £20,000."),
        CampaignAnswer("Who would lead it?", "The custody inspector."))
    assert missing(draft, CALLS) == []


def test_a_campaign_answer_is_cleaned_and_bounded_like_any_text_answer():
    draft = replace(start("star"), step=Step.QUESTION_1)

    with pytest.raises(InvalidText, match=f"the limit is {CAMPAIGN_ANSWER_LIMIT:,}"):
        answer(draft, Step.QUESTION_1, "x" * (CAMPAIGN_ANSWER_LIMIT + 1), CALLS)
    with pytest.raises(InvalidText, match="empty"):
        answer(draft, Step.QUESTION_1, " \u200b ", CALLS)
    with pytest.raises(InvalidText, match="must be text"):
        answer(draft, Step.QUESTION_1, ["a list"], CALLS)
    with pytest.raises(InvalidText, match="nothing to answer"):
        answer(replace(draft, step=Step.QUESTION_3), Step.QUESTION_3, "A third", CALLS)
    assert answer(draft, Step.QUESTION_1, "Two\r\n\r\n\r\n\r\nlines", CALLS
                  ).campaign_answers == (CampaignAnswer(STAR_QUESTIONS[0], "Two\n\nlines"),)


def test_an_unanswered_campaign_question_must_be_answered_before_submitting():
    draft = walk(start("star"), CALLS, {**ANSWERS, Step.QUESTION_1: "£20,000",
                                        Step.QUESTION_2: "Me"})
    without = replace(draft, campaign_answers=draft.campaign_answers[:1])

    assert missing(without, CALLS) == [Step.QUESTION_2]


def test_each_campaign_answer_can_be_edited_from_the_check():
    draft = walk(start("star"), CALLS, {**ANSWERS, Step.QUESTION_1: "£20,000",
                                        Step.QUESTION_2: "Me"})

    editing = edit(draft, Step.QUESTION_2, CALLS)
    done = answer(editing, Step.QUESTION_2, "The custody inspector", CALLS)

    assert done.step is Step.CHECK
    assert [a.answer for a in done.campaign_answers] == ["£20,000", "The custody inspector"]


def test_changing_campaign_from_the_check_drops_the_old_answers_and_asks_the_new_ones():
    star = walk(start(), CALLS, {**ANSWERS, Step.CAMPAIGN: "star",
                                 Step.QUESTION_1: "£20,000", Step.QUESTION_2: "Me"})

    to_ai = answer(edit(star, Step.CAMPAIGN, CALLS), Step.CAMPAIGN, "ai", CALLS)
    assert (to_ai.campaign, to_ai.campaign_answers, to_ai.step) == ("ai", (), Step.CHECK)

    back_to_star = answer(edit(to_ai, Step.CAMPAIGN, CALLS), Step.CAMPAIGN, "star", CALLS)
    assert back_to_star.campaign_answers == ()
    assert (back_to_star.step, back_to_star.editing) == (Step.QUESTION_1, True)
    first = answer(back_to_star, Step.QUESTION_1, "£5,000", CALLS)
    assert first.step is Step.QUESTION_2
    assert answer(first, Step.QUESTION_2, "Me", CALLS).step is Step.CHECK


def test_the_campaign_stays_editable_from_the_check_when_the_draft_came_from_a_call():
    draft = walk(start("ai"), CALLS, ANSWERS)
    assert Step.CAMPAIGN not in steps_of(draft, CALLS)

    assert edit(draft, Step.CAMPAIGN, CALLS).step is Step.CAMPAIGN
    with pytest.raises(InvalidText):
        edit(walk(start(), NO_CALLS, ANSWERS), Step.CAMPAIGN, NO_CALLS)


def test_a_campaign_that_stops_taking_ideas_untags_the_draft_and_drops_its_answers():
    draft = walk(start("star"), CALLS, {**ANSWERS, Step.QUESTION_1: "£20,000",
                                        Step.QUESTION_2: "Me"})
    closed = Choices(CALLS.categories, CALLS.portfolios, CALLS.campaigns[1:])

    untagged = untag_closed(draft, closed)

    assert (untagged.campaign, untagged.campaign_answers, untagged.dropped_campaign) == (
        NO_CAMPAIGN, (), "star")
    assert untagged.revision == draft.revision + 1 and untagged.step is Step.CHECK
    assert missing(untagged, closed) == []
    assert untag_closed(untagged, closed) is untagged
    assert untag_closed(draft, CALLS) is draft


def test_a_draft_closed_on_one_of_its_campaign_questions_carries_on_with_what_is_left():
    at_question = walk_to(start("star", ask_profile=True), CALLS, Step.QUESTION_2)
    closed = Choices(CALLS.categories, CALLS.portfolios)

    untagged = untag_closed(at_question, closed)

    assert untagged.step is Step.PROFILE  # the step after the campaign's questions
    assert Step.QUESTION_1 not in steps_of(untagged, closed)


def test_taking_up_a_draft_from_another_call_retags_it_and_asks_the_new_questions():
    ai = walk(start("ai"), CALLS, ANSWERS)

    star = retag(ai, "star", CALLS)

    assert (star.campaign, star.campaign_answers, star.ask_campaign) == ("star", (), False)
    assert (star.step, star.editing) == (Step.QUESTION_1, True)
    assert star.revision == ai.revision + 1
    early = retag(walk_to(start(), CALLS, Step.PROPOSAL), "star", CALLS)
    assert early.step is Step.PROPOSAL and not early.editing  # the questions come in turn


def walk_to(draft: Draft, choices: Choices, stop: Step) -> Draft:
    while draft.step is not stop:
        draft = answer(draft, draft.step, {**ANSWERS, Step.QUESTION_1: "£1"}.get(
            draft.step, ""), choices)
    return draft
