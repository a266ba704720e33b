"""Store work of the app's requests, queued fairly and dropped when nobody waits for it any more.

Every store call of a request is a Job owned by the request's Budget. Jobs wait in a queue per lane (a
member company: the caller's tenant) and, inside a lane, per request; the workers take one job from each lane
in turn and, inside a lane, from each request in turn. So a request asking for a hundred store reads cannot
make another company's small query wait behind all of them, nor another request of the same company: it waits
for at most one job per busy lane. A few jobs (token look-ups, the readiness probe) go to a priority lane
taken before any other.

When a request ends (answered, timed out, or the client went away), its Budget is closed: each job it owned
that has not started yet and that no other request waits for is taken off the queue. A job that has started
runs to its end (a store call cannot be interrupted from outside), and its result goes to whoever still waits.

`workers` threads take jobs. LadybugDB's connection is not shared between threads, so the app uses one today;
a store whose reads may run side by side (published read-only generations, a Neo4j driver pool) can be given
more without changing the queueing.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

T = TypeVar("T")
PRIORITY = "\x00priority"  # the lane taken first (never a tenant name)
_ids = itertools.count()


class Budget:
    """One request's claim on queued store work."""

    def __init__(self, lane: str) -> None:
        self.lane = lane
        self.key = next(_ids)
        self.jobs: set[Job[Any]] = set()
        self.closed = False

    def close(self) -> None:
        """The request ended: drop its jobs that have not started and that nobody else waits for."""
        self.closed = True
        for job in list(self.jobs):
            job.release(self)
        self.jobs.clear()


class Job(Generic[T]):
    """A store call waiting in a lane, then running on a worker; its result lands in `future`."""

    def __init__(self, scheduler: StoreScheduler, lane: str, key: int, fn: Callable[..., T], args: tuple[Any, ...]
                 ) -> None:
        self.scheduler = scheduler
        self.lane = lane
        self.key = key
        self.fn = fn
        self.args = args
        self.future: Future[T] = Future()
        self.owners: set[Budget] = set()

    def adopt(self, budget: Budget | None) -> None:
        """Another request waits for this job too."""
        if budget is not None and not budget.closed:
            self.owners.add(budget)
            budget.jobs.add(self)

    def release(self, budget: Budget) -> None:
        self.owners.discard(budget)
        if not self.owners:
            self.scheduler.withdraw(self)

    async def result(self) -> T:
        try:
            return await asyncio.wrap_future(self.future)
        finally:
            if self.future.done() and not self.future.cancelled():  # a cancelled one is withdrawn by its budgets
                self.finished()

    def finished(self) -> None:
        """The job ran: nothing is left to withdraw, so its owners let it go. A budget that is never closed (the
        background traces', api/precompute.py) would otherwise keep every result it got."""
        for budget in list(self.owners):
            budget.jobs.discard(self)
        self.owners.clear()


class StoreScheduler:
    """Fair queues per lane and request in front of `workers` store threads."""

    def __init__(self, workers: int = 1, name: str = "regtrace-store") -> None:
        self._lanes: OrderedDict[str, OrderedDict[int, deque[Job[Any]]]] = OrderedDict()
        self._ready = threading.Condition()
        self._stopping = False
        self.started = 0  # jobs run (for tests)
        self.withdrawn = 0  # jobs taken off the queue before they ran (for tests)
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., T], *args: Any, budget: Budget | None = None, priority: bool = False
               ) -> Job[T]:
        lane = PRIORITY if priority or budget is None else budget.lane
        key = -1 if budget is None else budget.key
        job: Job[T] = Job(self, lane, key, fn, args)
        job.adopt(budget)
        with self._ready:
            if self._stopping:
                raise RuntimeError("the store scheduler is shut down")
            self._lanes.setdefault(lane, OrderedDict()).setdefault(key, deque()).append(job)
            self._ready.notify()
        return job

    async def call(self, fn: Callable[..., T], *args: Any, budget: Budget | None = None, priority: bool = False
                   ) -> T:
        return await self.submit(fn, *args, budget=budget, priority=priority).result()

    def withdraw(self, job: Job[Any]) -> None:
        """Take a job off its queue if it has not started (its future is cancelled)."""
        with self._ready:
            requests = self._lanes.get(job.lane)
            queue = requests.get(job.key) if requests is not None else None
            if queue is None or job not in queue:
                return
            queue.remove(job)
            if not queue:
                del requests[job.key]  # type: ignore[union-attr]
            if not requests:
                del self._lanes[job.lane]
            self.withdrawn += 1
        job.future.cancel()

    def queued(self, lane: str | None = None) -> int:
        with self._ready:
            lanes = [self._lanes.get(lane, OrderedDict())] if lane is not None else list(self._lanes.values())
            return sum(len(q) for requests in lanes for q in requests.values())

    def _next(self) -> Job[Any] | None:
        """The next job in turn (priority lane first); called with the lock held."""
        if not self._lanes:
            return None
        lane = PRIORITY if PRIORITY in self._lanes else next(iter(self._lanes))
        requests = self._lanes[lane]
        key = next(iter(requests))
        queue = requests[key]
        job = queue.popleft()
        if queue:
            requests.move_to_end(key)
        else:
            del requests[key]
        if requests:
            self._lanes.move_to_end(lane)
        else:
            del self._lanes[lane]
        return job

    def _work(self) -> None:
        while True:
            with self._ready:
                job = self._next()
                while job is None:
                    if self._stopping:
                        return
                    self._ready.wait()
                    job = self._next()
            if not job.future.set_running_or_notify_cancel():
                continue
            self.started += 1
            try:
                result = job.fn(*job.args)
            except BaseException as exc:  # handed to the awaiting request, which maps it to a GraphQL error
                job.future.set_exception(exc)
            else:
                job.future.set_result(result)

    def shutdown(self) -> None:
        """Finish the jobs queued, then stop the workers."""
        with self._ready:
            self._stopping = True
            self._ready.notify_all()
        for thread in self._threads:
            thread.join()
