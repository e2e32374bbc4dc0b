"""Help: what makes a good suggestion, what happens next, FAQs and how to reach the PMO."""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards.core import AdaptiveCard, ShowCardAction

from bot.domain.campaigns import Campaign
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    bullets,
    card_message,
    heading,
    paragraph,
    plain,
    subheading,
    submit,
)
from cards.welcome import PMO_COMMANDS, STAFF_COMMANDS, open_calls, start_buttons

GOOD_SUGGESTION = (
    "**Start with the problem**: what is wrong today, who it affects and why it matters.",
    "**Say what you would change**: a new way of working, or an improvement to an existing "
    "process, system or capability.",
    "**Name the benefit**: time saved, money, public service, safety or wellbeing.",
    "**Think about who owns it**: every idea needs the department that would run it.",
    "**Check it is new**: about a third of ideas turn out to be under way already, to exist "
    "already, or to repeat another idea.",
)

NEXT_STEPS = (
    "The PMO team reads every idea and passes it to the portfolio that would own it.",
    "That portfolio's business lead assesses it: approve, escalate, defer or decline.",
    "You hear about every decision here, in plain words, and within two calendar months "
    "of submitting at the latest.",
)

FAQS = (
    ("Who sees my idea?",
     "The PMO team and the business leads of the portfolio it is allocated to read all of "
     "it. Colleagues can find it when they search earlier ideas, unless you keep it private "
     "when you submit it (the last card before you send it asks): they see its reference, "
     "title, status and outcome, never your name or the rest of what you wrote. Ideas "
     "submitted before searching began stay private unless the PMO team publishes them, and "
     "the PMO team may hide an idea from searches or change the title colleagues see."),
    ("Can I see what others have suggested?",
     "Yes: type **search** and a few words, such as **search custody handovers**, to look "
     "through earlier ideas and what became of them, and the change work the force already "
     "has under way. Checking first saves you suggesting something already done."),
    ("Will I be named if it is delivered?",
     "Only if you say so when you submit it. You can still be thanked privately."),
    ("Can I change my mind?",
     "Yes: you can withdraw an idea at any time before a decision is made, or while it "
     "is deferred."),
    ("What if my idea is declined?",
     "You are told why, in plain words. A deferred idea is kept with a date to look at "
     "it again, so it is not lost."),
    ("Should I include names or crime references?",
     "No. Describe the problem without personal or operational details; the bot warns you "
     "if something looks sensitive."),
)


def help_card(pmo_contact: str, *, staff: bool = False, pmo: bool = False,
              campaigns: Sequence[Campaign] = ()) -> CardMessage:
    """Help, with the buttons to start (by role: see start_buttons) and the calls for ideas
    open now."""
    contact = pmo_contact.strip() or "Ask your line manager to put you in touch with the PMO team."
    for_staff = ([subheading("For the PMO team and business leads"),
                  bullets((*STAFF_COMMANDS, *(PMO_COMMANDS if pmo else ())))]
                 if staff or pmo else [])
    faqs = AdaptiveCard(
        version="1.5",
        body=[element for question, answer in FAQS
              for element in (subheading(question), paragraph(answer))],
    )
    return card_message(
        [
            heading("How the Improvement and Innovation Portal works"),
            *open_calls(campaigns),
            subheading("What makes a good suggestion"),
            bullets(GOOD_SUGGESTION),
            subheading("What happens next"),
            bullets(NEXT_STEPS),
            subheading("Contact the PMO team"),
            plain(contact),
            *for_staff,
            paragraph("Type **new idea** to suggest an improvement, **my ideas** to see yours, "
                      "**search** and a few words to look through earlier ideas, or "
                      "**feedback** at any time to tell us how the bot could be better.",
                      subtle=True),
        ],
        summary="How the Improvement and Innovation Portal works",
        fallback_text=(
            "Help: start with the problem, say what you would change, name the benefit, think "
            f"about who owns it and check it is new. Contact the PMO team: {contact}"
        ),
        actions=[
            *start_buttons(staff=staff, pmo=pmo),
            ShowCardAction(title="Frequently asked questions", card=faqs),
            submit("Give feedback", CardAction.OPEN_FEEDBACK),
        ],
    )
