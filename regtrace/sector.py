"""The associations' view: coverage across the member companies of the store, never one company's data.

The Life and Non-Life Insurance Associations issue the self-regulatory rules and look across their members.
What they see is computed here from each member's trace (regtrace.trace) and nothing else; the figures are
handed over without tenant ids, names, arrangements, controls or evidence.

Disclosure rule (README "Associations' view"):

- A *member* of an article on a date is a tenant of the store with at least one applicable obligation in that
  article on that date (an obligation's own status, as coverage counts it, other than not_applicable). A member
  of an obligation: a tenant for which that obligation applies to at least one subject (the company or an
  arrangement). A member overall: a tenant with at least one applicable obligation.
- A member's coverage is its % covered of what applies there (regtrace.trace.coverage: covered obligations over
  applicable ones, for all its subjects together).
- Every figure is computed over at least MIN_MEMBERS (5) members; under 5, the figure is withheld, and so is the
  number of members itself (`members` null, `withheld` true): "2 members" already tells who outsources such.
- Coverage is given as quartiles only (Q1, median, Q3), each rounded to 0.1 %, computed with
  `statistics.quantiles(method="inclusive")`: linear interpolation between the sorted values at position
  (n − 1)·p, as Excel's QUARTILE.INC and R's type 7. Never the minimum or maximum: each is one member's own
  value, the one member most easily recognised (the sector's laggard or leader).
- The most common gaps: obligations ranked by how many of their members have at least one row of it not
  covered (gap, unevidenced or stale), listed only for obligations with at least 5 members; each with the count
  of members having the gap, the count of members, and the share.

What remains (stated, not hidden): with exactly 5 members the median is one member's value (no member is
named); a figure shared by every member (all at 100 %, or a gap every member has) says something true of each
of them, which is what a sector-wide figure means; and two figures of one obligation on dates a member joined
between could be compared. The threshold and the quartiles keep any figure from being one named company's.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from regtrace.graph.port import Store
from regtrace.tenants import require_some_tenant
from regtrace.trace import TraceRow, trace
from regtrace.trace.trend import trend_dates

MIN_MEMBERS = 5
QUARTILE_METHOD: Final = "inclusive"
GAPS_SHOWN = 10
OPEN = frozenset({"gap", "unevidenced", "stale"})


@dataclass(frozen=True)
class Figure:
    """The distribution of members' coverage: quartiles over `members`, or withheld under MIN_MEMBERS."""

    members: int
    quartiles: tuple[float, float, float] | None

    @property
    def withheld(self) -> bool:
        return self.quartiles is None

    def to_json(self) -> dict[str, Any]:
        if self.quartiles is None:
            return {"members": None, "withheld": True, "coverage": None}
        q1, median, q3 = self.quartiles
        return {"members": self.members, "withheld": False, "coverage": {"q1": q1, "median": median, "q3": q3}}


def figure(rates: Sequence[float]) -> Figure:
    """Quartiles of the members' coverage (%), withheld under MIN_MEMBERS members."""
    if len(rates) < MIN_MEMBERS:
        return Figure(len(rates), None)
    q1, median, q3 = statistics.quantiles(rates, n=4, method=QUARTILE_METHOD)
    return Figure(len(rates), (round(q1, 1), round(median, 1), round(q3, 1)))


@dataclass
class _Tally:
    covered: int = 0
    applicable: int = 0
    open: bool = False

    def add(self, status: str) -> None:
        if status != "not_applicable":
            self.applicable += 1
            self.covered += status == "covered"
            self.open = self.open or status in OPEN

    @property
    def rate(self) -> float:
        return 100.0 * self.covered / self.applicable


@dataclass
class _Member:
    """One member's tallies (kept only while aggregating; never returned)."""

    total: _Tally = field(default_factory=_Tally)
    articles: dict[int, _Tally] = field(default_factory=dict)
    obligations: dict[str, _Tally] = field(default_factory=dict)


def _member(rows: Iterable[TraceRow], labels: dict[str, tuple[str, int, int]]) -> _Member:
    tallies = _Member()
    for row in rows:
        if row.own_status is None:
            continue
        labels.setdefault(row.provision, (row.label, row.article, row.ordinal))
        tallies.total.add(row.own_status)
        tallies.articles.setdefault(row.article, _Tally()).add(row.own_status)
        tallies.obligations.setdefault(row.provision, _Tally()).add(row.own_status)
    return tallies


@dataclass(frozen=True)
class ArticleFigure:
    article: int
    figure: Figure

    def to_json(self) -> dict[str, Any]:
        return {"article": self.article, **self.figure.to_json()}


@dataclass(frozen=True)
class ObligationFigure:
    provision: str
    label: str
    article: int
    figure: Figure

    def to_json(self) -> dict[str, Any]:
        return {"provision": self.provision, "label": self.label, "article": self.article, **self.figure.to_json()}


@dataclass(frozen=True)
class CommonGap:
    """An obligation not covered at several members: how many have it open, of how many members."""

    provision: str
    label: str
    article: int
    members: int
    members_with_gap: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.members_with_gap / self.members, 1)

    def to_json(self) -> dict[str, Any]:
        return {"provision": self.provision, "label": self.label, "article": self.article, "members": self.members,
                "members_with_gap": self.members_with_gap, "percent": self.percent}


@dataclass(frozen=True)
class SectorSnapshot:
    """The sector on one date: overall, per article, per obligation and the most common gaps."""

    date: dt.date
    overall: Figure
    articles: tuple[ArticleFigure, ...]
    obligations: tuple[ObligationFigure, ...]
    common_gaps: tuple[CommonGap, ...]

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "overall": self.overall.to_json(),
                "articles": [a.to_json() for a in self.articles],
                "obligations": [o.to_json() for o in self.obligations],
                "common_gaps": [g.to_json() for g in self.common_gaps]}


def _rates(tallies: Iterable[_Tally | None]) -> list[float]:
    return [t.rate for t in tallies if t is not None and t.applicable]


def snapshot(day: dt.date, members_rows: Iterable[Iterable[TraceRow]]) -> SectorSnapshot:
    """The sector on `day` from each tenant's trace rows of that day (given without the tenant: only figures over
    at least MIN_MEMBERS members come out)."""
    labels: dict[str, tuple[str, int, int]] = {}
    members = [_member(rows, labels) for rows in members_rows]
    articles = sorted({a for m in members for a in m.articles})
    obligations = sorted({o for m in members for o in m.obligations}, key=lambda o: labels[o][2])
    per_obligation = {o: [m.obligations.get(o) for m in members] for o in obligations}
    gaps: list[CommonGap] = []
    for o, tallies in per_obligation.items():
        applicable = [t for t in tallies if t is not None and t.applicable]
        opened = sum(1 for t in applicable if t.open)
        if len(applicable) >= MIN_MEMBERS and opened:
            label, article, _ = labels[o]
            gaps.append(CommonGap(o, label, article, len(applicable), opened))
    gaps.sort(key=lambda g: (-g.members_with_gap, -g.percent, labels[g.provision][2]))
    return SectorSnapshot(
        day,
        figure(_rates(m.total for m in members)),
        tuple(ArticleFigure(a, figure(_rates(m.articles.get(a) for m in members))) for a in articles),
        tuple(ObligationFigure(o, labels[o][0], labels[o][1], figure(_rates(per_obligation[o])))
              for o in obligations),
        tuple(gaps[:GAPS_SHOWN]),
    )


@dataclass(frozen=True)
class TrendFigure:
    """The sector's overall coverage and per article at one date of the trend."""

    date: dt.date
    overall: Figure
    articles: tuple[ArticleFigure, ...]

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), **self.overall.to_json(),
                "articles": [a.to_json() for a in self.articles]}


@dataclass(frozen=True)
class SectorView:
    """What `regtrace sector` prints and the association's dashboard shows."""

    as_of: dt.date
    now: SectorSnapshot
    trend: tuple[TrendFigure, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "min_members": MIN_MEMBERS,
            "quartile_method": QUARTILE_METHOD,
            "overall": self.now.overall.to_json(),
            "articles": [a.to_json() for a in self.now.articles],
            "obligations": [o.to_json() for o in self.now.obligations],
            "common_gaps": [g.to_json() for g in self.now.common_gaps],
            "trend": [t.to_json() for t in self.trend],
        }


def sector_trend(tenants: Sequence[str], trace_of: Callable[[str, dt.date], list[TraceRow]],
                 as_of: dt.date) -> tuple[TrendFigure, ...]:
    """The sector at the last 8 quarter ends on or before `as_of` (regtrace.trace.trend), overall and per article."""
    points = []
    for day in trend_dates(as_of):
        past = snapshot(day, (trace_of(t, day) for t in tenants))
        points.append(TrendFigure(day, past.overall, past.articles))
    return tuple(points)


def sector_view(tenants: Sequence[str], trace_of: Callable[[str, dt.date], list[TraceRow]],
                as_of: dt.date) -> SectorView:
    """The view as of `as_of` with its trend, `trace_of(tenant, day)` giving a tenant's rows."""
    return SectorView(as_of, snapshot(as_of, (trace_of(t, as_of) for t in tenants)),
                      sector_trend(tenants, trace_of, as_of))


def store_sector_view(store: Store, as_of: dt.date) -> SectorView:
    """The sector view of every tenant of the store; NotFoundError for an empty store."""
    tenants = require_some_tenant(store)
    traces: dict[tuple[str, dt.date], list[TraceRow]] = {}  # the as-of date may be a quarter end too

    def trace_of(tenant: str, day: dt.date) -> list[TraceRow]:
        if (tenant, day) not in traces:
            traces[tenant, day] = trace(store, tenant, day)
        return traces[tenant, day]

    return sector_view(tenants, trace_of, as_of)

