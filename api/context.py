"""What one request carries: the store (through its single worker thread), the caller, DataLoaders, caches.

LadybugDB is embedded and its connection is not shared between threads, so every store call of the app runs
on one worker thread, in order; the event loop stays free, so a request can time out while a call runs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphene.utils.dataloader import DataLoader
from regtrace.graph.filters import Filter, Hop, RelatedQuery, SortKey
from regtrace.graph.port import Row, Store

from regtrace.trace import TraceRow, trace

from .auth import Principal
from .pagination import CursorCodec
from .trace_cache import TraceCache

T = TypeVar("T")


class StoreRunner:
    """Runs store calls on the app's one store thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="regtrace-store")
        self.traces: TraceCache[TraceResult] = TraceCache.from_env()  # shared by the app's requests

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


@dataclass(frozen=True)
class TraceResult:
    """A tenant's trace on one date with what gaps and coverage need beside it (as the CLI computes them)."""

    rows: list[TraceRow]
    csp_of: dict[str, str | None]
    material: dict[str, bool]


def compute_trace(store: Store, tenant: str, as_of: dt.date) -> TraceResult:
    from regtrace.tenants import require_tenant

    with store.snapshot():  # one state of the store even if another process loads meanwhile
        require_tenant(store, tenant)  # a tenant with no registers is NOT_FOUND, never 0 % covered
        rows = trace(store, tenant, as_of)
        links = store.links("PROVIDED_BY", "OutsourcingArrangement", "CloudServiceProvider", tenant)
        arrangements = store.nodes("OutsourcingArrangement", tenant)
    csp_of: dict[str, str | None] = {r["source"].split("/", 1)[1]: r["target"].split("/", 1)[1] for r in links}
    material = {r["arrangement_id"]: bool(r["material"]) for r in arrangements}
    return TraceResult(rows, csp_of, material)


def with_tenant(rows: list[Row], tenant: str) -> list[Row]:
    """Rows handed to GraphQL carry the tenant they were read for; nested fields read on with it."""
    return [{**r, "_tenant": tenant} for r in rows]


@dataclass
class RequestContext:
    runner: StoreRunner
    principal: Principal
    codec: CursorCodec
    _loaders: dict[tuple[Any, ...], DataLoader] = field(default_factory=dict)
    _traces: dict[tuple[str, dt.date], asyncio.Future[TraceResult]] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return self.runner.store

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        return await self.runner.call(fn, *args)

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
            self._traces[key] = asyncio.ensure_future(self.runner.traces.get(
                tenant, as_of, lambda: self.call(compute_trace, self.store, tenant, as_of)))
        return await self._traces[key]
