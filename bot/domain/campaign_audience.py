"""Who a campaign's call reaches: the rule that turns an audience into recipients.

Everyone means every person with a 1:1 chat with the bot that was not removed (what a Teams
admin's pre-install of the app produces); a channel must be one the bot is installed in; the
change agents are the organisation file's; a portfolio means its SPOCs and deputies only,
since the bot holds no department membership; a file audience is the members kept with the
campaign. People who stopped campaign calls are left out (a channel is not a person).
Storage reads what the rule needs, each in one query; the rule itself is pure.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from bot.domain.campaigns import Audience, AudienceKind, InvalidCampaign
from bot.domain.organisation import Organisation, normalise_object_id
from bot.domain.outbox import Recipient


def audience_text(audience: Audience) -> str:
    """The audience as the PMO reads it in a preview or a list."""
    match audience.kind:
        case AudienceKind.EVERYONE:
            return "everyone with the app"
        case AudienceKind.CHANNEL:
            return f"the team channel {audience.target}"
        case AudienceKind.CHANGE_AGENTS:
            return "the change agents"
        case AudienceKind.PORTFOLIO:
            return (f"the SPOCs and deputies of the portfolio {audience.target} only (the "
                    "portal does not know who works in each department)")
        case AudienceKind.FILE:
            return f"the {len(audience.members):,} people listed in {audience.target}"


def people_named(audience: Audience, organisation: Organisation | None) -> tuple[str, ...]:
    """The Entra object ids an audience of named people holds (change agents, a portfolio,
    a file); InvalidCampaign when the organisation names nobody for it."""
    match audience.kind:
        case AudienceKind.CHANGE_AGENTS:
            agents = organisation.change_agents if organisation else ()
            if not agents:
                raise InvalidCampaign(["The organisation file names no change agents "
                                       "([change_agents] members), so there is nobody to send "
                                       "to. Nothing was sent."])
            return agents
        case AudienceKind.PORTFOLIO:
            found = [p for p in (organisation.portfolios if organisation else ())
                     if p.key == audience.target]
            if not found:
                raise InvalidCampaign([f"There is no portfolio {audience.target!r} in the "
                                       "organisation now, so there are no SPOCs or deputies "
                                       "to send to (the portal does not know who works in "
                                       "each department). Nothing was sent."])
            return (*found[0].spocs, *found[0].deputies)
        case AudienceKind.FILE:
            return audience.members
        case _:
            return ()


def resolve_audience(audience: Audience, tenant_id: str | None,
                     organisation: Organisation | None, *, with_app: Iterable[str] = (),
                     channel_installed: bool = False,
                     opted_out: Collection[str] = frozenset()) -> tuple[Recipient, ...]:
    """The recipients of a call to `audience`, each once, those who stopped campaign calls
    left out. `with_app`: the people with a 1:1 chat with the bot (for everyone);
    `channel_installed`: whether the bot may post in the channel audience's channel.
    InvalidCampaign, kindly, when the audience comes to nobody."""
    if audience.kind is AudienceKind.CHANNEL:
        if not channel_installed:
            raise InvalidCampaign([
                f"The bot is not installed in the channel {audience.target} (or was removed "
                "from it), so it cannot post there. Add the app to that team, then send "
                "again. Nothing was sent."])
        return (Recipient.channel(audience.target, tenant_id),)
    named = with_app if audience.kind is AudienceKind.EVERYONE else people_named(
        audience, organisation)
    people = dict.fromkeys(normalise_object_id(p) for p in named)
    if not people:
        raise InvalidCampaign(["Nobody has the app yet (a Teams administrator can install it "
                               "for everyone), so there is nobody to send to. Nothing was "
                               "sent."])
    stopped = {normalise_object_id(p) for p in opted_out}
    reached = tuple(Recipient.person(p, tenant_id) for p in people if p not in stopped)
    if not reached:
        raise InvalidCampaign([f"All {len(people):,} people in this audience have stopped "
                               "campaign calls. Nothing was sent."])
    return reached
