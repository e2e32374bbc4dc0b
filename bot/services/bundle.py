"""The portal's use cases as one value, built once by the composition root (bot/app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.board_packs import BoardPacks
from bot.services.campaigns import CampaignService
from bot.services.conversations import ConversationService
from bot.services.decisions import DecisionService
from bot.services.digests import DigestService
from bot.services.feedback import FeedbackService
from bot.services.greeting import GreetingService
from bot.services.ideas import IdeaService
from bot.services.initiatives import InitiativeService
from bot.services.legacy_claims import ImportedIdeasClaims
from bot.services.organisation import OrganisationService
from bot.services.search import EarlierIdeas
from bot.services.similar import SimilarIdeas
from bot.services.staff_desk import StaffDesk
from bot.services.supporters import SupportService
from bot.services.visibility import IdeaFindability


@dataclass(frozen=True, slots=True)
class Services:
    conversations: ConversationService
    organisation: OrganisationService
    feedback: FeedbackService
    ideas: IdeaService
    decisions: DecisionService
    staff: StaffDesk
    campaigns: CampaignService
    digests: DigestService
    claims: ImportedIdeasClaims
    greeting: GreetingService
    board_packs: BoardPacks
    similar: SimilarIdeas
    findability: IdeaFindability
    search: EarlierIdeas
    supporters: SupportService
    initiatives: InitiativeService
