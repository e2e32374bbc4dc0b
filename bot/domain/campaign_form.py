"""The campaign form as the PMO filled it in, and the campaign it asks for.

The card's data is bounded and typed once at the edge (cards/requests.py) into a CampaignForm
of plain text; here that text becomes a CampaignRequest, or a refusal naming every mistake.
The campaign's own rules (lengths, dates, the image address) are checked after that, by
bot.domain.campaigns.check_request, in the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.domain.campaigns import (
    MAX_QUESTIONS,
    Audience,
    AudienceKind,
    Campaign,
    CampaignRequest,
    InvalidCampaign,
    parse_audience,
)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FILE_AUDIENCE_ON_THE_COMMAND_LINE = (
    "A list of people from a CSV file is chosen on the command line only "
    "(iip campaign create --audience file:PATH.csv).")


@dataclass(frozen=True, slots=True)
class CampaignForm:
    """The form's answers as text (dates as the card's Input.Date sends them, yyyy-mm-dd; the
    audience as a choice's value such as `portfolio:crime`); `questions` holds the form's
    three question boxes, blanks included."""

    name: str = ""
    theme: str = ""
    description: str = ""
    questions: tuple[str, ...] = ()
    opens: str = ""
    closes: str = ""
    audience: str = ""
    image_url: str = ""
    remind: bool = False


def form_of(campaign: Campaign) -> CampaignForm:
    """The form filled in with `campaign` as it is, for Edit."""
    return CampaignForm(
        name=campaign.name, theme=campaign.theme, description=campaign.description,
        questions=campaign.questions, opens=campaign.opens.isoformat(),
        closes=campaign.closes.isoformat(), audience=str(campaign.audience),
        image_url=campaign.image_url or "", remind=campaign.remind_before_close)


def request_of(form: CampaignForm, kept: Audience | None = None) -> CampaignRequest:
    """The campaign the form asks for, or InvalidCampaign naming every answer it cannot use.

    `kept`: the audience of the campaign being edited, which the form offers as it is (a file
    audience's people cannot be chosen on the card, only kept)."""
    problems: list[str] = []
    opens = day_of(form.opens, "opening", problems)
    closes = day_of(form.closes, "closing", problems)
    audience = _audience(form.audience, kept, problems)
    questions = tuple(q for q in form.questions if q.strip())
    if len(form.questions) > MAX_QUESTIONS:
        problems.append(f"A campaign asks at most {MAX_QUESTIONS} questions of its own.")
    if problems or opens is None or closes is None or audience is None:
        raise InvalidCampaign(problems)
    return CampaignRequest(
        name=form.name, theme=form.theme, description=form.description, opens=opens,
        closes=closes, audience=audience, questions=questions,
        image_url=form.image_url.strip() or None, remind_before_close=form.remind)


def day_of(text: str, which: str, problems: list[str]) -> date | None:
    """The day an Input.Date sent (yyyy-mm-dd), or None with why added to `problems`
    (`which`: the day's name in the message, such as "opening")."""
    if not text.strip():
        problems.append(f"Please choose the {which} day.")
        return None
    try:
        if _DAY.match(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    problems.append(f"The {which} day {text.strip()[:20]!r} is not a day of the calendar. "
                    "Please choose it with the date picker.")
    return None


def _audience(text: str, kept: Audience | None, problems: list[str]) -> Audience | None:
    if not text.strip():
        problems.append("Please choose who the call goes to.")
        return None
    if kept is not None and text.strip() == str(kept):
        return kept
    try:
        audience = parse_audience(text)
    except InvalidCampaign as refusal:
        problems.extend(refusal.problems)
        return None
    if audience.kind is AudienceKind.FILE:
        problems.append(FILE_AUDIENCE_ON_THE_COMMAND_LINE)
        return None
    return audience
