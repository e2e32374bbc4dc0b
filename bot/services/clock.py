"""The real clock, and one stopped at a moment; tests pass their own."""

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class StoppedClock:
    """A clock that always reads `moment`: a pass moved in time (`iip jobs run-due --now`)."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment
