"""Who is asking, and where: what a presenter needs of a turn besides the request itself."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.identity import Caller


@dataclass(frozen=True, slots=True)
class Asking:
    """`caller` is None when Teams sent no Entra identity; `shared` when others read the
    conversation (a team channel or a group chat); `card_id`, the card a form was sent from."""

    caller: Caller | None
    first_name: str | None = None
    shared: bool = False
    card_id: str | None = None

    @property
    def person(self) -> Caller:
        """The caller, for a request that needs one (the channel answers the others before
        any presenter sees them)."""
        if self.caller is None:
            raise LookupError("this request needs the caller's identity")
        return self.caller

    @property
    def object_id(self) -> str | None:
        return self.caller.object_id if self.caller else None
