"""Who a bearer token is, remembered for a few seconds so that a busy dashboard does not look its token up in
the store on every request (a store call each, on the store's one thread).

Only successful look-ups are kept, under the SHA-256 of the Authorization header, for
REGTRACE_AUTH_CACHE_SECONDS (default 5; 0 looks every request up). A token revoked meanwhile is refused at
the latest that many seconds later: with LadybugDB the CLI cannot revoke while the server holds the store, so
this only matters for a Neo4j store written by other processes.
"""

from __future__ import annotations

import hashlib
import time

from regtrace.settings import Settings, current

from .auth import Principal

SECONDS = Settings.auth_cache_seconds
MAX_ENTRIES = 10_000


class PrincipalCache:
    """Principals by Authorization header, each for `seconds` after it was looked up."""

    def __init__(self, seconds: float = SECONDS) -> None:
        self.seconds = seconds
        self._known: dict[str, tuple[float, Principal]] = {}

    @classmethod
    def from_env(cls) -> PrincipalCache:
        """Keeping each principal for REGTRACE_AUTH_CACHE_SECONDS (see regtrace.settings)."""
        return cls(current().auth_cache_seconds)

    @staticmethod
    def _key(header: str) -> str:
        return hashlib.sha256(header.encode("utf-8", "surrogateescape")).hexdigest()

    def get(self, header: str | None) -> Principal | None:
        if header is None or self.seconds <= 0:
            return None
        found = self._known.get(self._key(header))
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, header: str | None, principal: Principal) -> None:
        if header is None or self.seconds <= 0:
            return
        if len(self._known) >= MAX_ENTRIES:
            now = time.monotonic()
            self._known = {k: v for k, v in self._known.items() if v[0] >= now}
            if len(self._known) >= MAX_ENTRIES:
                self._known.clear()
        self._known[self._key(header)] = (time.monotonic() + self.seconds, principal)
