"""The call for ideas a campaign sends: what its recipients see, and their two buttons.

Everything the PMO typed (name, theme, description, questions) is shown in TextRuns, never as
Markdown. With every field at its longest the card stays far under Teams' 28 KB message
limit (tests/unit/test_campaign_cards.py measures it as it is sent).
"""

from __future__ import annotations

from microsoft_teams.cards.core import (
    CardElement,
    ExecuteAction,
    Image,
    RefreshDefinition,
    RichTextBlock,
    TextRun,
)

from bot.domain.campaigns import Campaign
from cards.actions import CardAction
from cards.base import CardMessage, card_message, day_text, paragraph, plain, problem, submit


def call_card(campaign: Campaign, *, closed: bool = False,
              reminder: bool = False) -> CardMessage:
    """The campaign's call: once it has `closed`, it says so in place of its Share button;
    a `reminder` says first that it closes soon.

    Teams redraws each copy from `call_card(campaign, closed=...)` as it comes into view (the
    refresh below), so that nobody is offered a closed call without 12,000 updates."""
    closes = day_text(campaign.closes)
    body: list[CardElement] = []
    if reminder and not closed:
        body.append(paragraph(f"**Reminder:** this call for ideas closes on {closes}."))
    body += [
        RichTextBlock(inlines=[TextRun(text=campaign.name, size="Large", weight="Bolder")]),
        RichTextBlock(inlines=[TextRun(text="Call for ideas: ", is_subtle=True),
                               TextRun(text=campaign.theme, is_subtle=True)]),
    ]
    if campaign.image_url:
        body.append(Image(url=campaign.image_url, alt_text=campaign.name, size="Stretch"))
    body.append(plain(campaign.description))
    if campaign.questions:
        body.append(paragraph("Besides the usual questions, you will also be asked:"))
        body += [plain(f"• {question}") for question in campaign.questions]
    if closed:
        body.append(problem(f"This campaign closed on {closes}. Thank you to everyone who "
                            "shared an idea."))
    else:
        body.append(paragraph(f"Share your idea by **{closes}**, when the campaign closes. "
                              "It goes to the team that would own it, and you hear back "
                              "within two months."))
    body.append(paragraph("Decisions about your own ideas always reach you, whether or not "
                          "you stop campaign calls.", subtle=True))
    actions = [] if closed else [submit("Share an idea", CardAction.CAMPAIGN_IDEA,
                                        inputs=False, campaign=campaign.key)]
    actions.append(submit("Stop campaign calls", CardAction.STOP_CAMPAIGNS, inputs=False))
    state = f"closed on {closes}" if closed else f"open until {closes}"
    message = card_message(
        body,
        summary=f"{'Closes soon' if reminder else 'Call for ideas'}: {campaign.name}",
        fallback_text=f"Call for ideas: {campaign.name} ({campaign.theme}), {state}.",
        actions=actions,
    )
    # No userIds: Teams refreshes a card on view for everyone in a chat or channel of at most
    # 60 people when userIds is left out (a 1:1 chat always is), while `userIds: []` turns the
    # automatic refresh off. In a larger channel the card is refreshed only by its "Refresh
    # card" menu item. Source: learn.microsoft.com/microsoftteams/platform/task-modules-and-
    # cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-
    # adaptive-cards#user-ids-in-refresh, and the userIds property of IRefreshDefinition in
    # learn.microsoft.com/javascript/api/teams-sdk-typescript/@microsoft/teams.cards.
    message.card["refresh"] = RefreshDefinition(action=ExecuteAction(
        title="Refresh", verb=CardAction.REFRESH_CALL,
        data={"action": CardAction.REFRESH_CALL.value, "campaign": campaign.id},
    )).model_dump(exclude_none=True, by_alias=True)
    return message


def calls_stopped_card(*, newly: bool) -> CardMessage:
    """The answer to "Stop campaign calls": no more calls, while decisions still come."""
    first = ("Done: you will get no more campaign calls." if newly
             else "You had already stopped campaign calls; you will get no more.")
    text = (f"{first} News of your own ideas, and the decisions about them, still reach you "
            "here as before.")
    return card_message(
        [paragraph(text),
         paragraph("Changed your mind? Type **start campaigns** at any time.", subtle=True)],
        summary="No more campaign calls", fallback_text=text,
        actions=[submit("Start campaign calls again", CardAction.START_CAMPAIGNS,
                        inputs=False)])


def calls_resumed_card(*, newly: bool) -> CardMessage:
    """The answer to `start campaigns`: the PMO's calls for ideas come again."""
    text = ("Done: you will get the PMO team's campaign calls again." if newly
            else "You already get the campaign calls, so nothing changed.")
    return card_message(
        [paragraph(text),
         paragraph("To stop them, type **stop campaigns** or press the button on a call.",
                   subtle=True)],
        summary="Campaign calls", fallback_text=text,
        actions=[submit("New idea", CardAction.NEW_IDEA, inputs=False)])
