"""What the dashboard queries read from one (cached) trace result, computed once per result: coverage per group,
the gaps in order, the rows per subject and per provision. Requests then only slice and convert one page, so
their cost no longer grows with the tenant's size (a large tenant has ~40k trace rows).

Results are kept beside the TraceResult they come from and go with it (api/trace_cache.py drops results).
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable
from typing import Any, TypeVar, cast

from regtrace.trace import TraceRow, gaps
from regtrace.trace.coverage import GroupBy, coverage, overall

from .context import TraceResult

V = TypeVar("V")
_MEMO: dict[int, dict[Hashable, Any]] = {}


def memo(owner: object, key: Hashable, compute: Callable[[], V]) -> V:
    """compute() once per owner object and key, kept while the owner lives."""
    per_owner = _MEMO.get(id(owner))
    if per_owner is None:
        per_owner = _MEMO[id(owner)] = {}
        weakref.finalize(owner, _MEMO.pop, id(owner), None)
    if key not in per_owner:
        per_owner[key] = compute()
    value: V = per_owner[key]
    return value


def coverage_json(result: TraceResult, group_by: str) -> list[dict[str, Any]]:
    """`regtrace.trace.coverage.coverage` as JSON rows (shared: callers must not change them)."""
    group = cast(GroupBy, group_by)
    return memo(result, ("coverage", group), lambda: [c.to_json() for c in coverage(result.rows, group, result.csp_of)])


def overall_json(result: TraceResult) -> dict[str, Any]:
    return memo(result, "overall", lambda: overall(result.rows).to_json())


def gap_rows(result: TraceResult) -> list[TraceRow]:
    """`regtrace.trace.gaps`, worst first."""
    return memo(result, "gaps", lambda: gaps(result.rows, result.material))


def _index(result: TraceResult, attribute: str) -> dict[str, list[TraceRow]]:
    def build() -> dict[str, list[TraceRow]]:
        groups: dict[str, list[TraceRow]] = defaultdict(list)
        for row in result.rows:
            groups[getattr(row, attribute)].append(row)
        return dict(groups)

    return memo(result, ("index", attribute), build)


def select_rows(result: TraceResult, *, subject: str | None = None, provisions: Collection[str] = (),
                leaves_only: bool = False, statuses: Collection[str] = ()) -> list[TraceRow]:
    """The trace rows of one subject and/or some provisions, in trace order, optionally leaves or statuses only."""
    if subject is not None:
        rows = _index(result, "subject").get(subject, [])
        if provisions:
            rows = [r for r in rows if r.provision in provisions]
    elif provisions:
        by_provision = _index(result, "provision")
        order = memo(result, "order", lambda: {id(r): i for i, r in enumerate(result.rows)})
        rows = sorted((r for p in set(provisions) for r in by_provision.get(p, [])), key=lambda r: order[id(r)])
    else:
        rows = result.rows
    if leaves_only or statuses:
        rows = [r for r in rows if (not leaves_only or r.obligation) and (not statuses or r.status in statuses)]
    return rows
