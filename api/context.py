"""What one request carries: the store (through the app's store scheduler), the caller, its budget of store
work, DataLoaders, caches.

Every store call of a request is queued on the app's StoreScheduler (api/scheduler.py) under the request's
Budget: fairly per member company and per request, and taken off the queue when the request ends. The event
loop stays free, so a request can time out while a call runs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from graphene.utils.dataloader import DataLoader
from regtrace.graph.filters import Filter, Hop, RelatedQuery, SortKey
from regtrace.graph.port import Row, Store
from regtrace.trace import TraceInputs, TraceRow, evaluate, gather

from regtrace.errors import StoreChangedError

from .auth import Principal
from .errors import RequestTimeoutError
from .pagination import CursorCodec
from .scheduler import Budget, Job, StoreScheduler
from .trace_cache import TraceCache

if TYPE_CHECKING:
    from .precompute import Precompute

T = TypeVar("T")
SNAPSHOT_ATTEMPTS = 3  # reads of a trace's inputs while loads keep publishing new registers


class StoreRunner:
    """The app's store, its scheduler and the trace results shared by its requests."""

    def __init__(self, store: Store, workers: int = 1) -> None:
        self.store = store
        self.scheduler = StoreScheduler(workers)
        # the trace rules are pure Python: one thread, so that they never crowd the event loop out of the GIL
        self.rules = ThreadPoolExecutor(max_workers=1, thread_name_prefix="regtrace-rules")
        self.traces: TraceCache[TraceResult] = TraceCache.from_env()  # shared by the app's requests
        self.computing: dict[tuple[str, dt.date], Job[TraceReads]] = {}  # trace reads queued or running
        self.precompute: Precompute | None = None  # the background traces (api/precompute.py), set by the app

    async def call(self, fn: Callable[..., T], *args: Any, budget: Budget | None = None, priority: bool = False
                   ) -> T:
        return await self.scheduler.call(fn, *args, budget=budget, priority=priority)

    def shutdown(self) -> None:
        """Stop the threads and let the results go: a process that builds apps one after another (tests, the
        benchmarks) would otherwise keep every closed app's traces, as its endpoints stay referenced by
        FastAPI's callable caches."""
        self.scheduler.shutdown()
        self.rules.shutdown(wait=True)
        self.traces.clear()
        self.computing.clear()


@dataclass(frozen=True)
class TraceResult:
    """A tenant's trace on one date with what gaps and coverage need beside it (as the CLI computes them)."""

    rows: list[TraceRow]
    csp_of: dict[str, str | None]
    material: dict[str, bool]
    as_of: dt.date | None = None  # the date it is a trace of
    computed_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    generation: str | None = None  # the store generation it was read from, when known (api/precompute.py)
    digest: str | None = None  # of its rows, when read back from the store


@dataclass(frozen=True)
class TraceReads:
    """What a trace needs from the store (read on the store's queue); the rules then run off it."""

    inputs: TraceInputs
    csp_of: dict[str, str | None]
    material: dict[str, bool]


def gather_trace(store: Store, tenant: str, as_of: dt.date) -> TraceReads:
    from regtrace.tenants import require_tenant

    for attempt in range(SNAPSHOT_ATTEMPTS):
        try:
            with store.snapshot():  # one state of the store even if another process loads meanwhile
                require_tenant(store, tenant)  # a tenant with no registers is NOT_FOUND, never 0 % covered
                inputs = gather(store, tenant, as_of)
                links = store.links("PROVIDED_BY", tenant)
                arrangements = store.nodes("OutsourcingArrangement", tenant)
            break
        except StoreChangedError:  # a load published new registers while they were read: read them
            if attempt == SNAPSHOT_ATTEMPTS - 1:
                raise
    csp_of: dict[str, str | None] = {r["source"].split("/", 1)[1]: r["target"].split("/", 1)[1] for r in links}
    material = {r["arrangement_id"]: bool(r["material"]) for r in arrangements}
    return TraceReads(inputs, csp_of, material)


def finish_trace(reads: TraceReads) -> TraceResult:
    """The rules over what was read (pure computation: it runs beside the store's queue, not on it)."""
    return TraceResult(evaluate(reads.inputs), reads.csp_of, reads.material, reads.inputs.as_of)


def compute_trace(store: Store, tenant: str, as_of: dt.date) -> TraceResult:
    """A tenant's trace as the CLI computes it (regtrace.trace.trace)."""
    return finish_trace(gather_trace(store, tenant, as_of))


def with_tenant(rows: list[Row], tenant: str) -> list[Row]:
    """Rows handed to GraphQL carry the tenant they were read for; nested fields read on with it."""
    return [{**r, "_tenant": tenant} for r in rows]


@dataclass
class RequestContext:
    runner: StoreRunner
    principal: Principal
    codec: CursorCodec
    budget: Budget | None = None
    _loaders: dict[tuple[Any, ...], DataLoader] = field(default_factory=dict)
    _traces: dict[tuple[str, dt.date], asyncio.Future[TraceResult]] = field(default_factory=dict)
    _tenants: asyncio.Future[list[str]] | None = None
    served: dict[tuple[str, dt.date], TraceResult] = field(default_factory=dict)  # the trace results answered from
    volatile: bool = False  # the answer says how the app's state is now (traceState): never kept

    @property
    def store(self) -> Store:
        return self.runner.store

    async def known_tenant(self, tenant: str) -> str:
        """`tenant` when the store holds its registers; NOT_FOUND naming the tenants there are when not, so that
        a list query for a mistyped tenant is an error, never an empty answer (one store read per request, none
        when the background traces read the tenants since the store last changed: api/precompute.py)."""
        from regtrace.tenants import tenant_among

        background = self.runner.precompute
        if background is not None and background.enabled and background.tenants_current \
                and tenant in background.tenants:
            return tenant  # so the first request after a start or a load does not queue behind a trace's reads
        if self._tenants is None:
            self._tenants = asyncio.ensure_future(self.call(self.store.tenants))
        tenants = await asyncio.shield(self._tenants)
        return tenant if tenant in tenants else tenant_among(tenants, tenant, self.store.uri)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        return await self.runner.call(fn, *args, budget=self.budget)

    def related_loader(self, source: str, path: tuple[Hop, ...], tenant: str, where: Filter | None,
                       sort: tuple[SortKey, ...]) -> DataLoader:
        """Loads, for many source uids at once, the rows at the end of `path` (one store call per batch)."""
        key = ("related", source, path, tenant, where, sort)
        if key not in self._loaders:
            async def batch(uids: list[str]) -> list[list[Row]]:
                query = RelatedQuery(source, tuple(uids), path, tenant, where, sort)
                rows = await self.call(self.store.related, query)
                grouped: dict[str, list[Row]] = {u: [] for u in uids}
                for row in with_tenant(rows, tenant):
                    grouped[row.pop("_from")].append(row)
                return [grouped[u] for u in uids]

            self._loaders[key] = DataLoader(batch)
        return self._loaders[key]

    def node_loader(self, label: str, tenant: str) -> DataLoader:
        """Loads nodes of a label by uid, many at once (None for a uid that is not there)."""
        key = ("node", label, tenant)
        if key not in self._loaders:
            async def batch(uids: list[str]) -> list[Row | None]:
                rows = await self.call(self.store.nodes_by_uid, label, list(uids), tenant)
                by_uid = {r["uid"]: r for r in with_tenant(rows, tenant)}
                return [by_uid.get(u) for u in uids]

            self._loaders[key] = DataLoader(batch)
        return self._loaders[key]

    async def trace(self, tenant: str, as_of: dt.date) -> TraceResult:
        """The trace of a tenant on a date, computed once for every request of the app until the tenant changes
        (api/trace_cache.py)."""
        key = (tenant, as_of)
        if key not in self._traces:
            self._traces[key] = asyncio.ensure_future(self._shared_trace(key))
        result = await self._traces[key]
        self.served[key] = result
        return result

    async def _shared_trace(self, key: tuple[str, dt.date]) -> TraceResult:
        """The cached trace; a computation queued by another request is adopted (it stays queued while any
        request waits for it), and one dropped because its requests ended is started again."""
        computing = self.runner.computing
        background = self.runner.precompute
        if background is not None and background.enabled and self.runner.traces.state(*key).result is not None:
            # the previous result is answered at once, marked (api/trace_state.py), while the new one computes
            # in the background lane
            return await self.runner.traces.get(*key, background.compute(*key), previous_ok=True)

        async def compute() -> TraceResult:
            job = self.runner.scheduler.submit(gather_trace, self.store, *key, budget=self.budget)
            computing[key] = job
            try:
                reads = await job.result()
            finally:
                if computing.get(key) is job:
                    del computing[key]
            # the rules take most of a trace's time: off the store's queue, so other reads go on meanwhile
            return await asyncio.get_running_loop().run_in_executor(self.runner.rules, finish_trace, reads)

        for _ in range(3):
            pending = computing.get(key)
            if pending is not None:
                pending.adopt(self.budget)
            try:
                return await self.runner.traces.get(*key, compute)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # this request is being cancelled itself
        raise RequestTimeoutError("the trace was started and dropped repeatedly; try again")
