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

The last result computed for a key outlives an invalidation as the key's *previous* result: while the new one
computes, `get(..., previous_ok=True)` answers with it at once instead of waiting, and `state` tells whether
what is served is current (the marker api/precompute.py shows). A restarted server seeds it from the result
kept in the store (`seed`). The app's own write forgets its tenant's previous results as well: after a
mutation no date is answered from before it (each waits for its new result).
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
    update: bool = False  # an update after this app's own change: requests wait for it (they read their writes)


@dataclass(frozen=True)
class CacheState(Generic[T]):
    """What the cache would serve for a key: the result (None when nothing was computed yet), whether it is
    current (computed after every change the cache was told of), and whether a computation is under way."""

    result: T | None
    fresh: bool
    computing: bool


class TraceCache(Generic[T]):
    """Results of `compute()` per (tenant, date), at most `max_entries`, least recently used out first."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_age: float | None = None) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._entries: OrderedDict[Key, _Entry[T]] = OrderedDict()
        self._generations: dict[str, int] = {}
        self._previous: OrderedDict[Key, T] = OrderedDict()  # the last result per key, kept across invalidation
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
            if future.cancelled() or future.exception() is not None:
                if self._entries.get(key) is entry:
                    del self._entries[key]
            elif self._current(key, entry) and self.max_entries > 0:
                self._previous[key] = future.result()
                self._previous.move_to_end(key)
                while len(self._previous) > self.max_entries:
                    self._previous.popitem(last=False)

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

    async def get(self, tenant: str, as_of: dt.date, compute: Callable[[], Awaitable[T]], *,
                  previous_ok: bool = False) -> T:
        """The cached result for (tenant, as_of), computing it (once, however many ask at the same time). With
        `previous_ok`, while it computes the previous result (if any) is returned at once instead."""
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
        if previous_ok and not entry.future.done() and not entry.update and key in self._previous:
            return self._previous[key]
        return await asyncio.shield(entry.future)

    def start(self, tenant: str, as_of: dt.date, compute: Callable[[], Awaitable[T]], *, update: bool = False
              ) -> asyncio.Future[T]:
        """Begin computing (tenant, as_of) in the background unless a current computation is there already.
        `update`: begin anyway (an update after the app's own change, built on the one there), and let requests
        wait for it rather than be answered from the previous result. Returns its future."""
        key = (tenant, as_of)
        entry = self._entries.get(key)
        if update or entry is None or not self._current(key, entry):
            entry = self._entries[key] = self._start(key, compute)
            entry.update = update
            while len(self._entries) > max(self.max_entries, 1):
                self._entries.popitem(last=False)
        return entry.future

    def pending(self, tenant: str, as_of: dt.date) -> asyncio.Future[T] | None:
        """The current computation (or computed result) of (tenant, as_of), if any."""
        key = (tenant, as_of)
        entry = self._entries.get(key)
        return entry.future if entry is not None and self._current(key, entry) else None

    def seed(self, tenant: str, as_of: dt.date, result: T) -> None:
        """A previous result from elsewhere (the one kept in the store): served, not current, until computed."""
        if self.max_entries > 0 and (tenant, as_of) not in self._previous:
            self._previous[(tenant, as_of)] = result

    def state(self, tenant: str, as_of: dt.date) -> CacheState[T]:
        key = (tenant, as_of)
        entry = self._entries.get(key)
        current = entry is not None and self._current(key, entry)
        if current and entry is not None and entry.future.done() and not entry.future.cancelled() \
                and entry.future.exception() is None:
            return CacheState(entry.future.result(), True, entry.refreshing)
        return CacheState(self._previous.get(key), False, current)

    def is_current(self, tenant: str, as_of: dt.date, result: T) -> bool:
        """Whether `result` is the current one for (tenant, as_of)."""
        found = self.state(tenant, as_of)
        return found.fresh and found.result is result

    def invalidate(self, tenant: str | None = None, *, forget_previous: bool = False) -> None:
        """Forget a tenant's results (every tenant's with None); computations under way are not kept.
        `forget_previous`: the previous results too, so that no date is answered from before the change (the
        app's own write: it is known to change them, unlike a write seen in the store by another process)."""
        self.version += 1
        tenants = {tenant} if tenant is not None else {k[0] for k in self._entries} | set(self._generations)
        for name in tenants:
            self._generations[name] = self._generations.get(name, 0) + 1
        for key in [k for k in self._entries if tenant is None or k[0] == tenant]:
            del self._entries[key]
        if forget_previous:
            for key in [k for k in self._previous if tenant is None or k[0] == tenant]:
                del self._previous[key]

    def clear(self) -> None:
        """Forget every result, the previous ones too (the app is closing: nothing is asked of it again)."""
        self.invalidate(forget_previous=True)

    def __len__(self) -> int:
        return len(self._entries)
