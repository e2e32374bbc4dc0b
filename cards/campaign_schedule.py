"""Scheduling a campaign's call from Teams: the Schedule button, which opens a UK day and time
with a confirm button, and how a scheduled moment reads on the PMO's cards.

The ids of its inputs are read back in one place, cards.requests (into a ScheduleCampaign).
"""

from __future__ import annotations

from datetime import datetime

from microsoft_teams.cards.core import AdaptiveCard, DateInput, ShowCardAction, TimeInput

from bot.domain.campaign_schedule import uk_moment_text
from bot.domain.campaigns import Campaign
from bot.domain.ideas import LONDON
from cards.actions import CardAction
from cards.base import day_text, paragraph, submit

SCHEDULE_DAY = "campaign.schedule.day"
SCHEDULE_TIME = "campaign.schedule.time"
# A draft's form suggests its opening day at this time (UK).
SUGGESTED_TIME = "09:00"


def moment_words(moment: datetime) -> str:
    """A moment as the PMO reads it: "Tuesday 8 December 2026 at 09:00 (UK time)"."""
    return f"{moment.astimezone(LONDON):%A} {uk_moment_text(moment)} (UK time)"


def schedule_action(campaign: Campaign) -> ShowCardAction:
    """Schedule (Reschedule, when it is): a UK day and time, then the button that confirms
    them; filled in with the moment it is scheduled for, or its opening day in the morning."""
    if campaign.scheduled_at is not None:
        local = campaign.scheduled_at.astimezone(LONDON)
        day, time, title = local.date().isoformat(), f"{local:%H:%M}", "Reschedule"
    else:
        day, time, title = campaign.opens.isoformat(), SUGGESTED_TIME, "Schedule"
    return ShowCardAction(title=title, card=AdaptiveCard(version="1.5", body=[
        paragraph("Choose when the call goes to its audience, in UK time (summer time when the "
                  f"clocks have gone forward), on or before its closing day, "
                  f"{day_text(campaign.closes)}."),
        DateInput(id=SCHEDULE_DAY, label="Day (UK)", is_required=True, value=day,
                  max=campaign.closes.isoformat(), error_message="Please choose the day."),
        TimeInput(id=SCHEDULE_TIME, label="Time (UK time, 24-hour clock)", is_required=True,
                  value=time, error_message="Please choose the time."),
    ], actions=[submit(f"Confirm: {title.lower()}", CardAction.SCHEDULE_CAMPAIGN,
                       campaign=campaign.id)]))
