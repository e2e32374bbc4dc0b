"""The PMO's "you said, we did" for the workforce: `digest` previews it, a button sends it."""

from __future__ import annotations

from bot.domain.errors import NotAllowed
from bot.domain.messages import CardMessage
from bot.domain.requests import SendDigest, ShowDigest
from bot.presenters.asking import Asking
from bot.services.digests import DigestRefused, DigestService, NothingDelivered
from cards.base import day_text
from cards.digest import (
    digest_preview_card,
    digest_refused_card,
    digest_sent_card,
    nothing_delivered_card,
)
from cards.notices import not_staff_card


class DigestDesk:
    """Only the PMO prepares or sends a digest; anyone else is told so, politely."""

    def __init__(self, digests: DigestService) -> None:
        self._digests = digests

    async def show(self, _request: ShowDigest, asking: Asking) -> CardMessage:
        """A new digest of what was delivered since the last, previewed to the asker alone."""
        caller = asking.person
        try:
            digest = await self._digests.prepare(caller.object_id)
        except NotAllowed as refusal:
            return not_staff_card(str(refusal))
        except NothingDelivered as nothing:
            return nothing_delivered_card(day_text(nothing.since))
        return digest_preview_card(digest, await self._digests.audience(caller.tenant_id))

    async def send(self, request: SendDigest, asking: Asking) -> CardMessage:
        """The preview's confirmed Send: the digest queued to everyone, once."""
        caller = asking.person
        try:
            digest = await self._digests.send(request.digest_id, caller.object_id,
                                              tenant_id=caller.tenant_id)
        except NotAllowed as refusal:
            return not_staff_card(str(refusal))
        except DigestRefused as refusal:
            return digest_refused_card(str(refusal))
        return digest_sent_card(digest)
