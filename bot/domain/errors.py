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
