"""Coverage over time: because the trace holds as of any date, coverage can be read at several dates.

The dates of a trend are the ends of the last 8 calendar quarters on or before the as-of date (31 Mar, 30 Jun,
30 Sep, 31 Dec; a quarter ending on the as-of date itself has ended by then and counts), plus any dates asked for
(none may lie after the as-of date: a trace of a later day would assume nothing is collected meanwhile), oldest
first, each date once. At each date the coverage is the one of `regtrace coverage --as-of DATE`
(regtrace.trace.coverage): obligations counted by their own status, % covered of what applies, per article and
overall. Arrangements not started by a date are not in that date's trace; ended ones stay in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from regtrace.graph.port import Store

from regtrace.errors import InputError

from .coverage import Coverage, coverage, overall
from .model import TraceRow

QUARTERS = 8
_QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))


def quarter_ends(as_of: dt.date, count: int = QUARTERS) -> list[dt.date]:
    """The last `count` quarter ends on or before `as_of`, oldest first."""
    ends: list[dt.date] = []
    year = as_of.year
    while len(ends) < count:
        for month, day in reversed(_QUARTER_ENDS):
            end = dt.date(year, month, day)
            if end <= as_of and len(ends) < count:
                ends.append(end)
        year -= 1
    return sorted(ends)


def trend_dates(as_of: dt.date, asked: Iterable[dt.date] = (), quarters: int = QUARTERS) -> list[dt.date]:
    """The quarter ends and the dates asked for, oldest first, once each; InputError for a date after as_of."""
    extra = sorted(set(asked))
    later = [d for d in extra if d > as_of]
    if later:
        raise InputError(f"--date {later[0].isoformat()} is after the as-of date {as_of.isoformat()}; "
                         "a trend reads coverage on or before it")
    return sorted({*quarter_ends(as_of, quarters), *extra})


@dataclass(frozen=True)
class TrendPoint:
    """Coverage on one date: overall and per article."""

    date: dt.date
    total: Coverage
    articles: tuple[Coverage, ...]

    @property
    def covered(self) -> int:
        return self.total.covered

    @property
    def applicable(self) -> int:
        return self.total.applicable

    @property
    def percent(self) -> float | None:
        return self.total.percent

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "covered": self.covered,
            "applicable": self.applicable,
            "percent": self.percent,
            "counts": self.total.to_json()["counts"],
            "articles": [{"article": int(c.key), "covered": c.covered, "applicable": c.applicable,
                          "percent": c.percent} for c in self.articles],
        }


def trend_point(day: dt.date, rows: Iterable[TraceRow]) -> TrendPoint:
    """Coverage of one date's trace rows (regtrace.trace.coverage, grouped by article, and overall)."""
    listed = list(rows)
    return TrendPoint(day, overall(listed), tuple(coverage(listed, "article", {})))


def trend(trace_on: Callable[[dt.date], list[TraceRow]], dates: Iterable[dt.date]) -> list[TrendPoint]:
    """Coverage at each date, `trace_on(date)` giving that date's trace rows."""
    return [trend_point(day, trace_on(day)) for day in dates]


def tenant_trend(store: Store, tenant: str, as_of: dt.date, asked: Iterable[dt.date] = ()) -> list[TrendPoint]:
    """A tenant's coverage at the quarter ends before `as_of` and the dates asked for (one trace per date)."""
    from regtrace.trace import trace

    return trend(lambda day: trace(store, tenant, day), trend_dates(as_of, asked))
