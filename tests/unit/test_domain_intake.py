"""The submission script: which step comes next, and what each answer must be."""

import pytest

from bot.domain.errors import InvalidText
from bot.domain.intake import (
    NO_CAMPAIGN,
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
    start,
    yes_or_no,
)

CHOICES = Choices(
    categories=(Option("process", "Process improvement"), Option("technology", "Technology")),
    portfolios=(Option("local-policing", "Local Policing"),
                Option("crime-and-justice", "Crime and Justice")),
    campaigns=(Option("ai", "Artificial intelligence"),),
)
FIRST_TIME = plan(ask_profile=True, campaigns_open=False)


def walk(draft: Draft, steps, answers: dict[Step, object]) -> Draft:
    while draft.step is not Step.CHECK:
        draft = answer(draft, draft.step, answers.get(draft.step, ""), CHOICES, steps)
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
    draft = walk(start(), FIRST_TIME, ANSWERS)

    assert draft.title == "Digital pocket notebooks"
    assert draft.category == "technology"
    assert draft.portfolio == "crime-and-justice"
    assert draft.named_publicly is True
    assert missing(draft, CHOICES) == []
    assert draft.revision == len(FIRST_TIME) - 1


def test_a_refused_answer_leaves_the_draft_as_it_was():
    draft = answer(start(), Step.TITLE, "Short title", CHOICES, FIRST_TIME)

    with pytest.raises(InvalidText, match="the limit is 2,000"):
        answer(draft, Step.PROBLEM, "x" * 2001, CHOICES, FIRST_TIME)
    with pytest.raises(InvalidText, match="empty"):
        answer(draft, Step.PROBLEM, "   \n ", CHOICES, FIRST_TIME)
    assert draft.step is Step.PROBLEM and draft.problem == ""


def test_back_goes_one_step_back_and_never_before_the_first():
    draft = answer(start(), Step.TITLE, "A title", CHOICES, FIRST_TIME)

    assert back(draft, FIRST_TIME).step is Step.TITLE
    assert back(back(draft, FIRST_TIME), FIRST_TIME).step is Step.TITLE


def test_an_edit_from_the_check_returns_to_the_check_not_to_the_start():
    draft = walk(start(), FIRST_TIME, ANSWERS)

    editing = edit(draft, Step.PROBLEM, FIRST_TIME)
    assert editing.step is Step.PROBLEM
    done = answer(editing, Step.PROBLEM, "Searching paper takes hours.", CHOICES, FIRST_TIME)

    assert done.step is Step.CHECK
    assert done.problem == "Searching paper takes hours."
    assert done.revision == draft.revision + 1
    assert back(edit(done, Step.TITLE, FIRST_TIME), FIRST_TIME).step is Step.CHECK


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
    draft = walk(start(), FIRST_TIME, ANSWERS)
    smaller = Choices(categories=CHOICES.categories, portfolios=CHOICES.portfolios[:1])

    assert missing(draft, smaller) == [Step.PORTFOLIO]


def test_a_campaign_may_be_none_and_a_draft_from_a_campaign_card_starts_tagged():
    steps = plan(ask_profile=False, campaigns_open=True)
    draft = answer(start(), Step.CAMPAIGN, "none", CHOICES, steps)

    assert draft.campaign == NO_CAMPAIGN
    assert start("ai").campaign == "ai"


@pytest.mark.parametrize("typed, meant", [("Yes", True), ("y", True), ("sure", True),
                                          ("no", False), ("Prefer not", False), (True, True)])
def test_yes_or_no(typed, meant):
    assert yes_or_no(typed) is meant


def test_neither_yes_nor_no_is_refused():
    with pytest.raises(InvalidText):
        yes_or_no("maybe")
