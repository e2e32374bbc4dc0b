"""Errors the domain raises; each carries a message fit to show a person."""


class DomainError(Exception):
    """A rule was broken. `str(error)` is written for the person who broke it."""


class InvalidText(DomainError):
    """Text a person typed cannot be accepted as it is."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class OrganisationError(DomainError):
    """An organisation file is wrong; `problems` lists every mistake found, not just the first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class AlreadyReceived(DomainError):
    """The same form was sent twice (a double tap): the first one counts."""


class NotFound(DomainError):
    """No such thing for this person: the same answer whether it does not exist or is not
    theirs to see."""


class OutOfDate(DomainError):
    """A card was pressed after what it shows had changed."""


class Incomplete(DomainError):
    """Something must still be answered; `steps` names what (as the intake's step values)."""

    def __init__(self, message: str, steps: list[str]) -> None:
        super().__init__(message)
        self.steps = steps


class NotAllowed(DomainError):
    """The idea's state, or the person's role, does not allow this."""


class Malformed(DomainError):
    """A request from a card or a typed line is not one the bot ever offers: broken or forged
    data. Nothing changes; the message says so kindly."""
