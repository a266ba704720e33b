"""The store scheduler: one job per member company in turn and, inside a company, one per request in turn; the
priority lane first; a request's queued jobs dropped when it ends unless another request waits for them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import pytest
from regtrace.api.scheduler import Budget, StoreScheduler


@pytest.fixture
def held() -> Iterator[tuple[StoreScheduler, list[str], threading.Event]]:
    """A one-worker scheduler whose worker is busy until the event is set; jobs append their names."""
    scheduler = StoreScheduler(workers=1)
    ran: list[str] = []
    gate = threading.Event()
    started = threading.Event()

    def block() -> None:
        started.set()
        gate.wait(10)

    scheduler.submit(block, budget=Budget("held"))
    assert started.wait(10)
    yield scheduler, ran, gate
    gate.set()
    scheduler.shutdown()


def named(ran: list[str], name: str) -> Callable[[], str]:
    def job() -> str:
        ran.append(name)
        return name

    return job


def test_companies_take_turns(held: tuple[StoreScheduler, list[str], threading.Event]) -> None:
    scheduler, ran, gate = held
    alpha, beta = Budget("alpha"), Budget("beta")
    jobs = [scheduler.submit(named(ran, f"a{i}"), budget=alpha) for i in range(1, 6)]
    jobs.append(scheduler.submit(named(ran, "b1"), budget=beta))
    gate.set()
    assert [j.future.result(10) for j in jobs][-1] == "b1"
    assert ran == ["a1", "b1", "a2", "a3", "a4", "a5"]


def test_requests_of_one_company_take_turns(held: tuple[StoreScheduler, list[str], threading.Event]) -> None:
    scheduler, ran, gate = held
    big, small = Budget("alpha"), Budget("alpha")
    jobs = [scheduler.submit(named(ran, f"big{i}"), budget=big) for i in range(1, 4)]
    jobs.append(scheduler.submit(named(ran, "small"), budget=small))
    gate.set()
    for job in jobs:
        job.future.result(10)
    assert ran == ["big1", "small", "big2", "big3"]


def test_the_priority_lane_goes_first(held: tuple[StoreScheduler, list[str], threading.Event]) -> None:
    scheduler, ran, gate = held
    jobs = [scheduler.submit(named(ran, f"a{i}"), budget=Budget("alpha")) for i in range(3)]
    jobs.append(scheduler.submit(named(ran, "tokens"), priority=True))
    gate.set()
    for job in jobs:
        job.future.result(10)
    assert ran[0] == "tokens"


def test_a_closed_request_leaves_its_queued_jobs_undone(held: tuple[StoreScheduler, list[str],
                                                                    threading.Event]) -> None:
    scheduler, ran, gate = held
    gone, waiting = Budget("alpha"), Budget("alpha")
    dropped = [scheduler.submit(named(ran, f"gone{i}"), budget=gone) for i in range(3)]
    shared = scheduler.submit(named(ran, "shared"), budget=gone)
    shared.adopt(waiting)  # another request waits for this one too
    assert scheduler.queued("alpha") == 4
    gone.close()
    assert all(job.future.cancelled() for job in dropped) and scheduler.queued("alpha") == 1
    gate.set()
    assert shared.future.result(10) == "shared"
    assert ran == ["shared"] and scheduler.withdrawn == 3


def test_a_budget_never_closed_keeps_no_finished_job() -> None:
    """The background traces' budget lives as long as the app: the jobs it got answers for (each holding a
    tenant's trace inputs) must not pile up in it."""
    scheduler = StoreScheduler(workers=1)
    background = Budget("alpha")
    try:
        async def run_all() -> list[int]:
            return [await scheduler.submit(lambda n=n: n * n, budget=background).result() for n in range(5)]

        assert asyncio.run(run_all()) == [0, 1, 4, 9, 16]
        assert background.jobs == set()
        assert not background.closed  # still usable
        assert asyncio.run(run_all()) == [0, 1, 4, 9, 16]
        assert background.jobs == set()
    finally:
        scheduler.shutdown()
