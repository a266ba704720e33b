"""Whole answers to read-only queries, kept per role, tenant and request until the data may have changed.

Every member of a tenant's board opens the same dashboard, and its queries (coverage, gaps, heatmap pages,
certifications, findings) are the same few documents with the same variables. Executing one costs tens of
milliseconds of graphql-core work even with the trace cached; sending back the bytes of the last answer costs
almost nothing. An answer is kept when it is a query (never a mutation) that succeeded without errors, keyed by
who asks, the document, operation name, variables and today's date (`asOf` defaults to today). Who asks is the
role and tenant of the token (what an answer depends on: every token of a tenant's board gets the same
coverage), or the token itself for a document that mentions `viewer` (the token's own name and id). It is
dropped when the app writes anything (the version of the trace cache, bumped by every mutation, is part of
what it was computed under), when it is older than REGTRACE_TRACE_CACHE_SECONDS (when set), or when the
answers kept pass REGTRACE_RESPONSE_CACHE_MB (default 64; 0 turns the cache off), oldest use first.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import OrderedDict
from dataclasses import dataclass

from regtrace.settings import Settings, current

from .auth import Principal
from .execution import GraphQLRequest

MEGABYTES = int(Settings.response_cache_mb)
Key = tuple[str, str, str | None, str, dt.date]


@dataclass(frozen=True)
class _Answer:
    body: bytes
    version: int
    born: float


class ResponseCache:
    """Answers by request key, valid while the data version they were computed under is current."""

    def __init__(self, max_bytes: int = MEGABYTES << 20, max_age: float | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._answers: OrderedDict[Key, _Answer] = OrderedDict()
        self._bytes = 0
        self.hits = 0

    @classmethod
    def from_env(cls) -> ResponseCache:
        """Sized by REGTRACE_RESPONSE_CACHE_MB, its max age from REGTRACE_TRACE_CACHE_SECONDS (regtrace.settings)."""
        settings = current()
        seconds = settings.trace_cache_seconds
        return cls(int(settings.response_cache_mb * (1 << 20)), seconds if seconds > 0 else None)

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @staticmethod
    def key(principal: Principal, request: GraphQLRequest) -> Key:
        who = f"token {principal.token_id}" if "viewer" in request.query else f"{principal.role}@{principal.tenant}"
        variables = json.dumps(request.variables, sort_keys=True, ensure_ascii=False, default=str)
        return who, request.query, request.operation_name, variables, dt.date.today()

    def get(self, key: Key, version: int) -> bytes | None:
        """The kept answer, if it was computed under `version` and is not too old."""
        answer = self._answers.get(key)
        if answer is None:
            return None
        if answer.version != version or (self.max_age is not None and time.monotonic() - answer.born > self.max_age):
            self._drop(key)
            return None
        self._answers.move_to_end(key)
        self.hits += 1
        return answer.body

    def put(self, key: Key, version: int, body: bytes) -> None:
        if not self.enabled or len(body) > self.max_bytes // 8:
            return
        if key in self._answers:
            self._drop(key)
        self._answers[key] = _Answer(body, version, time.monotonic())
        self._bytes += len(body)
        while self._bytes > self.max_bytes:
            self._drop(next(iter(self._answers)))

    def _drop(self, key: Key) -> None:
        self._bytes -= len(self._answers.pop(key).body)

    def clear(self) -> None:
        self._answers.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._answers)
