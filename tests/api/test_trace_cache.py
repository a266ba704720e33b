"""The app's trace cache: one computation per (tenant, date) for all requests, dropped by a mutation of the
tenant, never keeping a failure, surviving a caller that gave up."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from api_fixtures import Api
from regtrace.api import context as api_context
from regtrace.api.trace_cache import TraceCache

DAY = dt.date(2026, 11, 29)


class Counter:
    """compute() factories that count their calls and can be held back or made to fail."""

    def __init__(self) -> None:
        self.calls = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail = False

    def __call__(self, value: str) -> Any:
        async def compute() -> str:
            self.calls += 1
            await self.gate.wait()
            if self.fail:
                raise RuntimeError("store down")
            return f"{value}#{self.calls}"

        return compute


def test_one_computation_for_concurrent_and_later_callers() -> None:
    async def scenario() -> None:
        cache: TraceCache[str] = TraceCache()
        count = Counter()
        count.gate.clear()
        waiting = [asyncio.ensure_future(cache.get("a", DAY, count("a"))) for _ in range(5)]
        await asyncio.sleep(0)
        count.gate.set()
        assert await asyncio.gather(*waiting) == ["a#1"] * 5
        assert await cache.get("a", DAY, count("a")) == "a#1"
        assert await cache.get("a", DAY + dt.timedelta(days=1), count("a")) == "a#2"
        assert await cache.get("b", DAY, count("b")) == "b#3"
        assert count.calls == 3 and cache.computed == 3

    asyncio.run(scenario())


def test_invalidate_drops_one_tenant_and_computations_under_way() -> None:
    async def scenario() -> None:
        cache: TraceCache[str] = TraceCache()
        count = Counter()
        assert await cache.get("a", DAY, count("a")) == "a#1"
        assert await cache.get("b", DAY, count("b")) == "b#2"
        count.gate.clear()
        under_way = asyncio.ensure_future(cache.get("a", DAY + dt.timedelta(days=1), count("a")))
        await asyncio.sleep(0)
        cache.invalidate("a")
        count.gate.set()
        assert await under_way == "a#3"  # its caller still gets an answer, but it is not kept
        assert await cache.get("a", DAY + dt.timedelta(days=1), count("a")) == "a#4"
        assert await cache.get("a", DAY, count("a")) == "a#5"
        assert await cache.get("b", DAY, count("b")) == "b#2"
        cache.invalidate()
        assert await cache.get("b", DAY, count("b")) == "b#6"

    asyncio.run(scenario())


def test_a_failure_is_not_kept_and_a_caller_that_gives_up_does_not_cancel() -> None:
    async def scenario() -> None:
        cache: TraceCache[str] = TraceCache()
        count = Counter()
        count.fail = True
        with pytest.raises(RuntimeError):
            await cache.get("a", DAY, count("a"))
        count.fail = False
        assert await cache.get("a", DAY, count("a")) == "a#2"
        count.gate.clear()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(cache.get("b", DAY, count("b")), 0.01)
        count.gate.set()
        assert await cache.get("b", DAY, count("b")) == "b#3"
        assert count.calls == 3

    asyncio.run(scenario())


def test_least_recently_used_out_and_old_entries_refreshed_in_the_background() -> None:
    async def scenario() -> None:
        cache: TraceCache[str] = TraceCache(max_entries=2)
        count = Counter()
        days = [DAY + dt.timedelta(days=i) for i in range(3)]
        for day in days:
            await cache.get("a", day, count("a"))
        assert len(cache) == 2
        assert await cache.get("a", days[0], count("a")) == "a#4"  # was evicted
        aging: TraceCache[str] = TraceCache(max_age=0.0001)
        assert await aging.get("a", DAY, count("a")) == "a#5"
        await asyncio.sleep(0.01)
        assert await aging.get("a", DAY, count("a")) == "a#5"  # served while a fresh one is computed
        await asyncio.sleep(0.01)
        assert await aging.get("a", DAY, count("a")) == "a#6"

    asyncio.run(scenario())


def test_the_app_traces_once_and_a_mutation_shows_at_once(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    today = dt.date.today()  # the day the app computes in the background (api/precompute.py)
    calls: list[tuple[str, dt.date]] = []
    real = api_context.gather_trace

    def counting(store: Any, tenant: str, as_of: dt.date) -> Any:
        calls.append((tenant, as_of))
        return real(store, tenant, as_of)

    monkeypatch.setattr(api_context, "gather_trace", counting)
    day = f'asOf: "{today.isoformat()}"'
    query = (f'{{ coverageOverall({day}) {{ covered }} gaps({day}) {{ totalCount }} '
             f'trace({day}, arrangement: "ARR-02", leavesOnly: true, first: 1000) '
             "{ edges { node { evidence } } } }")
    traces = api.client.app.state.runner.traces  # type: ignore[attr-defined]
    before = api.data(query)
    started = traces.computed  # today's traces of both tenants, begun in the background at start (api/precompute.py)
    assert api.data(query) == before
    api.data(f"{{ coverage(groupBy: CSP, {day}) {{ key }} }}", as_="board")
    assert traces.computed == started and calls.count(("alpha", today)) <= 1
    assert not any("E-NEW" in e["node"]["evidence"] for e in before["trace"]["edges"])
    collected = today - dt.timedelta(days=9)
    api.data("""mutation($input: EvidenceInput!) { attachEvidence(input: $input) { evidence_id } }""", {"input": {
        "evidence_id": "E-NEW", "control_id": "C-DD", "arrangement_id": "ARR-02", "collected_on": collected.isoformat(),
        "valid_until": (collected + dt.timedelta(days=365)).isoformat(), "title": "New due diligence"}})
    after = api.data(query)
    assert any("E-NEW" in e["node"]["evidence"] for e in after["trace"]["edges"])
    assert traces.computed == started + 1  # the update after the mutation, which the next request waited for
    assert calls[-1] == ("alpha", today)
    api.data(f"{{ coverageOverall({day}) {{ covered }} }}", as_="beta_officer")
    assert traces.computed == started + 1


def test_views_of_a_result_equal_filtering_every_row(api_store: Any) -> None:
    from regtrace.api.trace_views import coverage_json, gap_rows, overall_json, select_rows
    from regtrace.trace import gaps
    from regtrace.trace.coverage import coverage, overall

    result = api_context.compute_trace(api_store, "alpha", DAY)
    rows = result.rows
    for subject in (None, "company", "ARR-01", "ARR-404"):
        for provisions in (set(), {"A5"}, {f"A{n}" for n in range(1, 14)}, {"A7.P1.I2", "A4"}):
            for leaves in (False, True):
                for statuses in (set(), {"gap", "stale"}):
                    expected = [r for r in rows if (subject is None or r.subject == subject)
                                and (not provisions or r.provision in provisions) and (not leaves or r.obligation)
                                and (not statuses or r.status in statuses)]
                    assert select_rows(result, subject=subject, provisions=provisions, leaves_only=leaves,
                                       statuses=statuses) == expected
    assert gap_rows(result) == gaps(rows, result.material) and gap_rows(result) is gap_rows(result)
    for group in ("article", "arrangement", "csp"):
        assert coverage_json(result, group) == [c.to_json() for c in coverage(rows, group, result.csp_of)]
    assert overall_json(result) == overall(rows).to_json()


def test_an_app_holds_no_finished_store_job_and_lets_its_traces_go_when_closed(api_store: Any,
                                                                               api_template: Any) -> None:
    """A server lives for months: the background traces after each write must not pile up their inputs (each
    a tenant's registers) in the app; and a closed app keeps none of its traces (tests and benchmarks build
    many apps in one process)."""
    import gc
    import time

    from fastapi.testclient import TestClient
    from regtrace.api.app import create_app
    from regtrace.api.scheduler import Budget

    today = dt.date.today().isoformat()
    state = f'{{ traceState(asOf: "{today}") {{ fresh }} }}'
    app = create_app(api_store)
    runner = app.state.runner
    with TestClient(app) as client:
        api = Api(client, api_template.tokens)
        for n in range(3):  # each write has the app compute today's trace again in the background
            api.data("""mutation($input: EvidenceInput!) { attachEvidence(input: $input) { evidence_id } }""",
                     {"input": {"evidence_id": f"E-KEEP-{n}", "control_id": "C-DD", "arrangement_id": "ARR-02",
                                "collected_on": today, "title": "Due diligence"}})
            deadline = time.monotonic() + 60
            while not api.data(state)["traceState"]["fresh"]:
                assert time.monotonic() < deadline, "today's trace was not computed again"
                time.sleep(0.05)
        assert runner.traces.computed >= 3
        gc.collect()
        held = [job for budget in gc.get_objects() if isinstance(budget, Budget) for job in budget.jobs
                if job.future.done()]
        assert held == []
    assert len(runner.traces) == 0 and runner.traces.state("alpha", dt.date.today()).result is None
