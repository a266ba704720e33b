"""Trace results shared by every request of one app, per (tenant, as-of date), until the tenant changes.

A tenant's trace over a million evidence items takes seconds to compute, and every dashboard request needs
it (coverage, gaps, the heatmap, a cell's trace). The app computes it once per (tenant, date) and keeps the
last `max_entries` results. A mutation through the app invalidates its tenant (api/mutations.py calls
`invalidate` before it queues the write; the store thread runs calls in order, so every later computation
sees the write, and a computation queued earlier is not kept). A computation outlives a request that timed
out waiting for it (the next request gets its result), and a failed one is not kept.

A LadybugDB folder has one writer, the server, so nothing else changes it while the app runs. A store that
other processes write too (a Neo4j server shared by several apps, or loaded by the CLI meanwhile) can bound
staleness with REGTRACE_TRACE_CACHE_SECONDS=N: an entry older than N seconds is served while a fresh one is
computed in the background. REGTRACE_TRACE_CACHE_ENTRIES=N keeps N results (default 8; 0 turns the cache off,
so each request computes its own, as benchmarks do to compare).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from regtrace.settings import Settings, current

T = TypeVar("T")
Key = tuple[str, dt.date]
MAX_ENTRIES = Settings.trace_cache_entries


@dataclass
class _Entry(Generic[T]):
    future: asyncio.Future[T]
    generation: int
    born: float = field(default_factory=time.monotonic)
    refreshing: bool = False


class TraceCache(Generic[T]):
    """Results of `compute()` per (tenant, date), at most `max_entries`, least recently used out first."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_age: float | None = None) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._entries: OrderedDict[Key, _Entry[T]] = OrderedDict()
        self._generations: dict[str, int] = {}
        self.computed = 0  # how many computations were started (for tests and benchmarks)
        self.version = 0  # bumped by every invalidation: answers computed under an older one are out of date

    @classmethod
    def from_env(cls) -> TraceCache[Any]:
        """A cache sized by REGTRACE_TRACE_CACHE_ENTRIES, its max age from REGTRACE_TRACE_CACHE_SECONDS (unset or
        0: until a write)."""
        settings = current()
        seconds = settings.trace_cache_seconds
        return cls(max_entries=settings.trace_cache_entries, max_age=seconds if seconds > 0 else None)

    def _start(self, key: Key, compute: Callable[[], Awaitable[T]]) -> _Entry[T]:
        self.computed += 1
        entry = _Entry(asyncio.ensure_future(compute()), self._generations.get(key[0], 0))

        def settle(future: asyncio.Future[T]) -> None:
            if (future.cancelled() or future.exception() is not None) and self._entries.get(key) is entry:
                del self._entries[key]

        entry.future.add_done_callback(settle)
        return entry

    def _current(self, key: Key, entry: _Entry[T] | None) -> bool:
        return entry is not None and entry.generation == self._generations.get(key[0], 0)

    def _refresh(self, key: Key, entry: _Entry[T], compute: Callable[[], Awaitable[T]]) -> None:
        """Recompute an old entry in the background; it replaces the old one when it succeeds."""
        entry.refreshing = True
        fresh = self._start(key, compute)

        def swap(future: asyncio.Future[T]) -> None:
            entry.refreshing = False
            if not future.cancelled() and future.exception() is None and self._entries.get(key) is entry \
                    and self._current(key, fresh):
                self._entries[key] = fresh

        fresh.future.add_done_callback(swap)

    async def get(self, tenant: str, as_of: dt.date, compute: Callable[[], Awaitable[T]]) -> T:
        """The cached result for (tenant, as_of), computing it (once, however many ask at the same time)."""
        key = (tenant, as_of)
        entry = self._entries.get(key)
        if entry is None or not self._current(key, entry):
            entry = self._entries[key] = self._start(key, compute)
        elif self.max_age is not None and entry.future.done() and not entry.refreshing \
                and time.monotonic() - entry.born > self.max_age:
            self._refresh(key, entry, compute)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return await asyncio.shield(entry.future)

    def invalidate(self, tenant: str | None = None) -> None:
        """Forget a tenant's results (every tenant's with None); computations under way are not kept."""
        self.version += 1
        tenants = {tenant} if tenant is not None else {k[0] for k in self._entries} | set(self._generations)
        for name in tenants:
            self._generations[name] = self._generations.get(name, 0) + 1
        for key in [k for k in self._entries if tenant is None or k[0] == tenant]:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
