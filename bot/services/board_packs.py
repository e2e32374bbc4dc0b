"""The monthly board pack: its figures for a month and a scope of portfolios, and the signed,
short-lived link through which the PMO and SPOCs download it from Teams.

The PMO's pack covers every portfolio; a SPOC's (or deputy's) only the portfolios they
follow, whatever they ask. A link names its person, month and scope; when it is used, the
person's roles are read again, so a link outlives no role it was given for. Issuing a link and
every download are audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.audit import AuditEntry
from bot.domain.board_pack import (
    WINDOW_MONTHS,
    BoardPack,
    DiversityTable,
    SlaMonthFigure,
    month_starts,
)
from bot.domain.errors import InvalidText, NotAllowed
from bot.domain.ideas import add_months, uk_day
from bot.domain.organisation import Organisation
from bot.domain.profile import (
    FUNCTIONS,
    GRADES,
    NOT_RECORDED,
    PREFER_NOT,
    PREFER_NOT_LABEL,
    ROLE_TYPES,
)
from bot.domain.report_links import ReportGrant, grant_for, sign, verify
from bot.domain.sla_counts import SlaCounts
from bot.domain.suppression import suppress
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWorkFactory

NOT_STAFF = ("Board packs are for the PMO team and the portfolios' SPOCs. Type **my ideas** "
             "to follow your own ideas.")
NOT_NOW = "This link was made for someone, or for portfolios, you no longer cover."

_ANSWERS = {PREFER_NOT: PREFER_NOT_LABEL, NOT_RECORDED: "Not recorded"}
_DIMENSIONS = (("department", "Department"), ("function", "Function"),
               ("location", "Location"), ("grade", "Seniority"), ("role_type", "Role type"))


@dataclass(frozen=True, slots=True)
class PackOffer:
    """What `report` answers with: the last full month's pack and the link to download it."""

    pack: BoardPack
    token: str
    expires_at: datetime


def last_full_month(now: datetime) -> date:
    """The first day of the month before the one `now` falls in (UK calendar)."""
    return add_months(uk_day(now).replace(day=1), -1)


class BoardPacks:
    """Board packs for the command line (any month, any scope) and for Teams (the last full
    month, in the asker's scope, through a signed link)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, secret: bytes | None = None,
                 organisation: OrganisationCache | None = None) -> None:
        """`secret` signs and checks links (None: packs only, as on the command line)."""
        self._uow = uow
        self._clock = clock
        self._secret = secret
        self._organisation = organisation or OrganisationCache()

    async def monthly(self, month: date, scope: Sequence[str] | None = None,
                      sla_months: int = WINDOW_MONTHS) -> BoardPack:
        """The pack of the month beginning `month` for the portfolios in `scope` (None: all),
        with the promise's trend over its last `sla_months` months."""
        now = self._clock.now()
        keys = tuple(sorted(set(scope))) if scope is not None else None
        async with self._uow() as uow:
            names = await uow.board_pack.portfolio_names()
            unknown = sorted(set(keys or ()) - set(names))
            if unknown:
                raise InvalidText("portfolio", f"There is no portfolio {', '.join(unknown)}; "
                                  f"the portfolios are {', '.join(sorted(names)) or 'none yet'}.")
            counts = await uow.board_pack.counts(month, keys)
        trend = await self._sla_trend(month_starts(month, sla_months), now, keys)
        return BoardPack(
            month=month, made_at=now,
            scope=None if keys is None else tuple(names.get(key, key) for key in keys),
            counts=counts, sla_trend=trend,
            diversity=tuple(DiversityTable(dimension, title, _labels(dimension, names),
                                           suppress(counts.diversity.get(dimension, {})))
                            for dimension, title in _DIMENSIONS))

    async def offer(self, actor: str) -> PackOffer:
        """The last full month's pack in `actor`'s scope and a link to it (NotAllowed for
        anyone but the PMO and SPOCs); the link's issue is audited."""
        now = self._clock.now()
        month = last_full_month(now)
        async with self._uow() as uow:
            scope = _scope_of(await self._organisation.read(uow), actor)
        pack = await self.monthly(month, scope, sla_months=1)
        grant = grant_for(actor, month, scope, now)
        async with self._uow() as uow:
            await uow.audit.record(AuditEntry(
                actor=actor, action="report.link_issued", subject=f"report:{month:%Y-%m}",
                at=now, detail=_detail(grant)))
            await uow.commit()
        return PackOffer(pack, sign(grant, self._signing()), grant.expires_at)

    async def download(self, token: str) -> BoardPack:
        """The pack a link names, for the person it names, if they still cover its scope;
        InvalidLink for a bad or expired link, NotAllowed when their roles changed. Audited."""
        now = self._clock.now()
        grant = verify(token, self._signing(), now)
        async with self._uow() as uow:
            organisation = await self._organisation.read(uow)
            if not _still_covers(organisation, grant):
                raise NotAllowed(NOT_NOW)
        pack = await self.monthly(grant.month, grant.scope)
        async with self._uow() as uow:
            await uow.audit.record(AuditEntry(
                actor=grant.object_id, action="report.downloaded",
                subject=f"report:{grant.month:%Y-%m}", at=now, detail=_detail(grant)))
            await uow.commit()
        return pack

    def _signing(self) -> bytes:
        if not self._secret:
            raise RuntimeError("board pack links need a secret")
        return self._secret

    async def _sla_trend(self, months: list[date], now: datetime,
                         scope: tuple[str, ...] | None) -> tuple[SlaMonthFigure, ...]:
        """The promise for the ideas due in each of `months`, judged now, counted as the SLA
        month report counts them, in one statement grouped by month."""
        first, last = months[0], add_months(months[-1], 1) - timedelta(days=1)
        async with self._uow() as uow:
            # An empty scope is taken as every portfolio, as the pack has always read it.
            groups = await uow.promises.counted(first, last, now, portfolios=scope or None,
                                                months=months)
        counted = {group.month: group.counts for group in groups}
        return tuple(_figure(start, counted.get(start, SlaCounts())) for start in months)


def _scope_of(organisation: Organisation | None, actor: str) -> tuple[str, ...] | None:
    roles = organisation.roles_of(actor) if organisation else None
    if roles is None or not roles.is_staff:
        raise NotAllowed(NOT_STAFF)
    return None if roles.pmo else tuple(sorted(roles.assesses))


def _still_covers(organisation: Organisation | None, grant: ReportGrant) -> bool:
    if organisation is None:
        return False
    roles = organisation.roles_of(grant.object_id)
    if roles.pmo:
        return True
    return grant.scope is not None and bool(grant.scope) and set(grant.scope) <= roles.assesses


def _detail(grant: ReportGrant) -> dict[str, object]:
    return {"month": f"{grant.month:%Y-%m}",
            "scope": "all" if grant.scope is None else list(grant.scope),
            "expires_at": grant.expires_at.isoformat()}


def _figure(start: date, counts: SlaCounts) -> SlaMonthFigure:
    return SlaMonthFigure(start, counts.due, counts.kept + counts.kept_unreachable,
                          counts.breached, counts.open, counts.compliance,
                          counts.median_days_to_first_response)


def _labels(dimension: str, portfolios: Mapping[str, str]) -> dict[str, str]:
    """What people read for each answer of one diversity question."""
    known: Mapping[str, str] = {"department": portfolios, "function": dict(FUNCTIONS),
                                "grade": dict(GRADES), "role_type": dict(ROLE_TYPES)
                                }.get(dimension, {})
    return {**known, **_ANSWERS}
