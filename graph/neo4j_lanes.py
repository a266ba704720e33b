"""Batches of a load's staged generation written from several sessions at once.

A staged generation's batches of one table do not depend on each other (graph/neo4j_generations.py), so they
can be committed side by side: the server then works on one batch per session while the client packs the
next. `send` hands a batch (one statement, its own transaction, retried by the driver) to the next free
session and blocks while every session is busy (at most `width` batches in flight, one being packed);
`wait` returns once every batch sent has committed, or raises the first failure. A failure stops the
sending: the next `send` raises it, so that a load fails as soon as any of its batches has.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any

import neo4j

from .neo4j_generations import collect_batch


class Lanes:
    """`width` sessions from `open_session`, opened when first needed and closed by `close`."""

    def __init__(self, open_session: Callable[[], neo4j.Session], width: int) -> None:
        self._open = open_session
        self._idle: queue.SimpleQueue[neo4j.Session] = queue.SimpleQueue()
        self._opened: list[neo4j.Session] = []
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(width)
        self._pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix="regtrace-neo4j-lane")
        self._pending: list[Future[None]] = []

    def _session(self) -> neo4j.Session:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            session = self._open()
            with self._lock:
                self._opened.append(session)
            return session

    def _commit(self, statement: str, parameters: Mapping[str, Any]) -> None:
        try:
            session = self._session()
            try:
                session.execute_write(lambda tx: tx.run(statement, dict(parameters)).consume())
                collect_batch()
            finally:
                self._idle.put(session)
        finally:
            self._slots.release()

    def send(self, statement: str, parameters: Mapping[str, Any]) -> None:
        """Commit one batch on the next free session (waits for one); raises a batch's failure sent earlier."""
        if any(f.done() and f.exception() is not None for f in self._pending):
            self.wait()
        self._slots.acquire()
        try:
            self._pending.append(self._pool.submit(self._commit, statement, parameters))
        except BaseException:
            self._slots.release()
            raise

    def wait(self) -> None:
        """Every batch sent has committed; else the first failure (after the others have ended)."""
        failures = self.settle()
        if failures:
            raise failures[0]

    def settle(self) -> list[BaseException]:
        """Wait for the batches in flight, whatever their outcome (before a failed load removes what it staged);
        their failures, in the order they were sent."""
        pending, self._pending = self._pending, []
        return [error for error in (f.exception() for f in pending) if error is not None]

    def close(self) -> None:
        try:
            self.settle()
        finally:
            self._pool.shutdown(wait=True)
            with self._lock:
                opened, self._opened = self._opened, []
            for session in opened:
                session.close()

    def __enter__(self) -> Lanes:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
