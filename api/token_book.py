"""Every API token of the store, kept in memory and read again every few seconds, so that checking a request's
token never waits for the store (nor behind another request's long store work).

The book holds each token's hash, role, tenant, revocation and expiry. A request's token is looked up in it;
expiry is checked against the clock on every request. The book is read again in the background (on the
scheduler's priority lane) when it is older than half of REGTRACE_AUTH_CACHE_SECONDS (default 5), and a request
waits (briefly) for a fresh read only when the book is older than the full period, or when its token is not in the book
(a token created meanwhile: it waits at most 0.2 s before the read, so such reads happen at most five times a
second however many unknown tokens arrive). A token revoked or created by another process (`regtrace token
revoke` beside a running server) takes effect at the first request after the app sees that process's write (the
app compares the store's generation on every request, api/app.py `follow_store`, and then `forget`s the book):
that request waits for the book to be read again, behind at most the store call running then, because a revoked
token must not pass once the revocation is known. A book that is only old (no write seen; e.g. a Neo4j server
written by others) is read again within that many seconds, a request waiting at most 0.25 s for it before using
the old one; 0 reads the tokens for every request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable

from regtrace.graph.port import Row

from regtrace.settings import current

from .auth import Principal, bearer_hash, principal_of

SECONDS = 5.0
STALE_WAIT_SECONDS = 0.25
UNKNOWN_REREAD_SECONDS = 0.2  # unknown tokens cause at most five reads a second


class TokenBook:
    """Tokens by hash, read with `read()` (a coroutine returning every ApiToken row)."""

    def __init__(self, read: Callable[[], Awaitable[list[Row]]], seconds: float = SECONDS) -> None:
        self._read = read
        self.seconds = seconds
        self._by_hash: dict[str, Row] = {}
        self._read_at = -float("inf")
        self._written_at = -float("inf")  # when a write to the store was last seen (`forget`)
        self._reading: asyncio.Task[None] | None = None
        self._reading_started = -float("inf")
        self.reads = 0  # for tests

    @classmethod
    def from_env(cls, read: Callable[[], Awaitable[list[Row]]]) -> TokenBook:
        return cls(read, current().auth_cache_seconds)

    def forget(self) -> None:
        """The store changed under the book (another process wrote it): the next request waits for it to be
        read again."""
        self._read_at = -float("inf")
        self._written_at = time.monotonic()

    @property
    def age(self) -> float:
        return time.monotonic() - self._read_at

    async def _reread(self) -> None:
        rows = await self._read()
        self.reads += 1
        self._by_hash = {r["hash"]: r for r in rows}

    def _start(self) -> asyncio.Task[None]:
        started = time.monotonic()
        task = asyncio.ensure_future(self._reread())

        def done(finished: asyncio.Task[None]) -> None:
            if not finished.cancelled() and finished.exception() is None:
                self._read_at = max(self._read_at, started)

        task.add_done_callback(done)
        self._reading, self._reading_started = task, started
        return task

    async def refresh(self, since: float | None = None) -> None:
        """Make sure the book holds a read started at or after `since` (default: now); reads never overlap,
        callers wanting the same read share it."""
        since = time.monotonic() if since is None else since
        while self._read_at < since:
            reading = self._reading
            if reading is None or reading.done():
                reading = self._start()
            elif self._reading_started < since:
                await asyncio.shield(reading)  # an older read: let it finish, then read again
                continue
            await asyncio.shield(reading)

    def _refresh_soon(self) -> None:
        if self._reading is None or self._reading.done():
            self._start().add_done_callback(lambda task: task.cancelled() or task.exception())

    async def principal(self, authorization: str | None) -> Principal:
        """Who calls with this header; UNAUTHENTICATED (saying why) when missing, unknown, revoked or expired."""
        digest = bearer_hash(authorization)
        arrived = time.monotonic()
        if self.age >= self.seconds and (not self._by_hash or self.seconds <= 0 or self._read_at < self._written_at):
            await self.refresh(arrived)  # nothing read yet, or read before a write seen since: it may be revoked
        elif self.age >= self.seconds:  # stale: wait for a fresh read, but not behind a long store job
            reading = asyncio.ensure_future(self.refresh(arrived))
            reading.add_done_callback(lambda task: task.cancelled() or task.exception())
            await asyncio.wait((reading,), timeout=STALE_WAIT_SECONDS)
        elif self.age >= self.seconds / 2:
            self._refresh_soon()
        row = self._by_hash.get(digest)
        if row is None and self._read_at < arrived:  # perhaps created since the last read
            pause = self._read_at + UNKNOWN_REREAD_SECONDS - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            await self.refresh(arrived)
            row = self._by_hash.get(digest)
        return principal_of(row, dt.datetime.now(dt.UTC))
