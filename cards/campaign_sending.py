"""The PMO's cards around sending a campaign: what to do after the preview, the confirmations
that say how many people a press reaches, and the answers to each press."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from microsoft_teams.cards.core import Action, SubmitAction

from bot.domain.campaigns import AudienceKind, Campaign
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    as_markdown_text,
    bullets,
    card_message,
    heading,
    paragraph,
    plain,
    problem,
    submit,
)
from cards.campaign_schedule import moment_words, schedule_action
from cards.campaign_words import audience_words, campaign_button, people


def preview_actions_card(campaign: Campaign, portfolio_names: Mapping[str, str]) -> CardMessage:
    """Sent after the call card of a preview: what the PMO member may do with it next (and,
    once it is scheduled, when it goes)."""
    audience = as_markdown_text(audience_words(campaign.audience, portfolio_names))
    when = (f" It is scheduled for **{moment_words(campaign.scheduled_at)}**."
            if campaign.scheduled_at else "")
    text = (f"Above is the call exactly as its audience will see it. It goes to: **{audience}**."
            f"{when} Nothing has been sent.")
    return card_message(
        [heading("Preview of the call for ideas"), plain(campaign.name), paragraph(text),
         paragraph("**Send to change agents first** sends it to the change agents only, so "
                   "that they can see it and promote it; the campaign stays unsent.",
                   subtle=True)],
        summary=f"Preview: {campaign.name}",
        fallback_text=f"Preview of the call for ideas {campaign.name}: nothing has been sent.",
        actions=[*unsent_actions(campaign),
                 submit("Campaigns", CardAction.CAMPAIGNS, inputs=False)],
    )


def unsent_actions(campaign: Campaign) -> list[Action]:
    """What may be done with a call not sent yet: schedule (or reschedule) it, send it now,
    send it to the change agents first, edit it; and, once scheduled, cancel it."""
    actions: list[Action] = [
        schedule_action(campaign),
        campaign_button("Send now instead" if campaign.scheduled_at else "Send now",
                        CardAction.ASK_TO_SEND_CAMPAIGN, campaign),
        campaign_button("Send to change agents first", CardAction.SEND_TO_CHANGE_AGENTS,
                        campaign),
        campaign_button("Edit", CardAction.EDIT_CAMPAIGN, campaign),
    ]
    if campaign.scheduled_at:
        actions.append(campaign_button("Cancel the campaign", CardAction.ASK_TO_CANCEL_CAMPAIGN,
                                       campaign))
    return actions


def scheduled_card(campaign: Campaign, recipients: int | None,
                   nobody: Sequence[str] = ()) -> CardMessage:
    """Scheduled: when the call goes and to about how many (counted now, less those who
    stopped calls), or, when it would reach nobody now, why (`nobody`)."""
    assert campaign.scheduled_at is not None  # the service scheduled it
    when = moment_words(campaign.scheduled_at)
    if recipients is None:
        reach = ("Nobody would get it if it went now: " + " ".join(nobody) + " If that is "
                 "still so then, it goes back to a draft and nothing is sent.")
        headline = f"Scheduled for {when}."
    else:
        reach = ("It goes to its audience as it is then, less anyone who has stopped calls "
                 "for ideas.")
        headline = f"Scheduled for {when} to about {_reach(campaign, recipients)}."
    text = f"{headline} {reach} Nothing has been sent yet."
    return card_message(
        [heading("Scheduled"), plain(campaign.name), paragraph(as_markdown_text(text))],
        summary=f"Scheduled: {campaign.name}",
        fallback_text=f"{campaign.name}: {text}",
        actions=[*unsent_actions(campaign),
                 submit("Campaigns", CardAction.CAMPAIGNS, inputs=False)],
    )


def schedule_refused_card(problems: Sequence[str], campaign: Campaign) -> CardMessage:
    """A schedule refused (a moment past, after the closing day, unreadable) for a campaign
    still unsent: nothing changed, why, and its buttons to choose again."""
    return card_message(
        [problem("Nothing was changed."), plain(campaign.name),
         bullets([as_markdown_text(p) for p in problems])],
        summary="Nothing was changed",
        fallback_text="Nothing was changed: " + " ".join(problems),
        actions=[*unsent_actions(campaign),
                 submit("Campaigns", CardAction.CAMPAIGNS, inputs=False)],
    )


def send_confirm_card(campaign: Campaign, recipients: int) -> CardMessage:
    """Send now, asked once more with the number of people it would reach (a channel's call
    is one post, which everyone in the channel reads)."""
    if campaign.audience.kind is AudienceKind.CHANNEL:
        how = "It is posted once in the channel, for everyone there to read."
    else:
        how = "Each of them gets the call in their chat with the bot, at the pace Teams allows."
    return _confirm_card(
        campaign, f"Send to {_reach(campaign, recipients)}?",
        f"{how} A progress card follows here. It cannot be taken back, but it can be "
        "cancelled before everyone has it.",
        campaign_button("Yes, send it", CardAction.SEND_CAMPAIGN, campaign),
        campaign_button("Not yet", CardAction.PREVIEW_CAMPAIGN, campaign))


def sending_card(campaign: Campaign, recipients: int, *,
                 change_agents: bool = False) -> CardMessage:
    """A send was queued: to everyone in the audience, or to the change agents first."""
    if change_agents:
        text = (f"The call is on its way to the change agents ({people(recipients)}). The "
                "campaign itself is not sent yet: press **Send now** when you are ready.")
        actions = [campaign_button("Send now", CardAction.ASK_TO_SEND_CAMPAIGN, campaign),
                   campaign_button("Edit", CardAction.EDIT_CAMPAIGN, campaign)]
    else:
        text = (f"The call is on its way to {_reach(campaign, recipients)}. A progress card "
                "follows here with how many have it.")
        actions = [campaign_button("Progress", CardAction.CAMPAIGN_PROGRESS, campaign)]
    return card_message(
        [heading("Sending"), plain(campaign.name), paragraph(text)],
        summary=f"Sending: {campaign.name}",
        fallback_text=f"{campaign.name}: {text}".replace("**", ""),
        actions=[*actions, submit("Campaigns", CardAction.CAMPAIGNS, inputs=False)],
    )


def _reach(campaign: Campaign, recipients: int) -> str:
    return ("the team channel" if campaign.audience.kind is AudienceKind.CHANNEL
            else people(recipients))


def cancel_confirm_card(campaign: Campaign) -> CardMessage:
    text = ("Nobody else will be sent the call; those who have it keep it. Nothing already "
            "sent is taken back." if campaign.sent_at else
            "Its call has not been sent, and will not be.")
    return _confirm_card(
        campaign, "Cancel this call for ideas?", text,
        campaign_button("Yes, cancel it", CardAction.CANCEL_CAMPAIGN, campaign),
        campaign_button("Keep it", CardAction.CAMPAIGN_PROGRESS, campaign))


def _confirm_card(campaign: Campaign, question: str, text: str, yes: SubmitAction,
                  no: SubmitAction) -> CardMessage:
    """A press asked once more before it is done."""
    return card_message([heading(question), plain(campaign.name), paragraph(text)],
                        summary=question, fallback_text=f"{question} {campaign.name}",
                        actions=[yes, no])


def resent_card(campaign: Campaign, count: int) -> CardMessage:
    if count:
        text = (f"The call will be sent again to the {people(count)} it failed to reach. "
                "People who blocked or removed the app are not sent it again.")
    else:
        text = ("No message of this call failed, so nothing is sent again. People who "
                "blocked or removed the app are never sent it again.")
    return card_message(
        [heading("Resend to failed"), plain(campaign.name), paragraph(text)],
        summary=f"Resend to failed: {campaign.name}",
        fallback_text=text,
        actions=[campaign_button("Progress", CardAction.CAMPAIGN_PROGRESS, campaign),
                 submit("Campaigns", CardAction.CAMPAIGNS, inputs=False)],
    )


def campaign_refused_card(problems: Sequence[str], campaign_id: int | None = None) -> CardMessage:
    """A press the campaign service refused (a second send, a stale card, a cancelled or
    closed campaign): nothing changed, and why."""
    actions = [submit("Campaigns", CardAction.CAMPAIGNS, inputs=False)]
    if campaign_id is not None:
        actions.insert(0, submit("Progress", CardAction.CAMPAIGN_PROGRESS, inputs=False,
                                 campaign=campaign_id))
    return card_message(
        [problem("Nothing was changed."), bullets([as_markdown_text(p) for p in problems])],
        summary="Nothing was changed",
        fallback_text="Nothing was changed: " + " ".join(problems),
        actions=actions,
    )


def no_such_campaign_card() -> CardMessage:
    return campaign_refused_card(["There is no such campaign; perhaps the card is an old "
                                  "one. Press Campaigns to see them all."])
