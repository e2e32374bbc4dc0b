"""The rules every request carries: where it may be answered, and whether it needs to know
who asks. The channel applies them once, for all requests (bot.domain.requests has them)."""

from __future__ import annotations

from typing import ClassVar


class Asked:
    """What every request says of itself. Private by default: everyone in a shared
    conversation (a team channel or a group chat) reads what the bot says there, so only what
    is the same for everyone is answered there; anything else, and anything added later, is
    offered in the person's 1:1 chat. Most requests need the caller's Entra identity."""

    __slots__ = ()
    answered_in_shared: ClassVar[bool] = False
    needs_identity: ClassVar[bool] = True


class ForAnyone(Asked):
    """Answered the same for everyone, anywhere, without knowing who asks."""

    __slots__ = ()
    answered_in_shared: ClassVar[bool] = True
    needs_identity: ClassVar[bool] = False
