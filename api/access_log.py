"""One line per HTTP request on the `regtrace.access` logger: when, method, path (never the query string, which
may carry GraphQL variables), status, milliseconds, client address, and who asked (token id, role, tenant —
never the token itself).

REGTRACE_ACCESS_LOG chooses the form: `text` (default, one readable line), `json` (JSON lines for a log
collector) or `off`. Lines go to standard error.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

ENV_FORMAT = "REGTRACE_ACCESS_LOG"
FORMATS = ("text", "json", "off")
log = logging.getLogger("regtrace.access")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def access_format(value: str | None = None) -> str:
    """The chosen form (REGTRACE_ACCESS_LOG when not given); a wrong value is a configuration error."""
    from regtrace.errors import ConfigError
    from regtrace.settings import current

    chosen = (value if value is not None else current().access_log).strip().lower() or "text"
    if chosen not in FORMATS:
        raise ConfigError(f"{ENV_FORMAT}={chosen!r}: use one of {', '.join(FORMATS)}")
    return chosen


def _handler() -> None:
    if not any(getattr(h, "_regtrace_access", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._regtrace_access = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def line(entry: dict[str, Any], form: str) -> str:
    if form == "json":
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    who = f" {entry['role']}@{entry['tenant']} token {entry['token_id']}" if entry.get("token_id") else ""
    return (f"{entry['time']} {entry['client']} {entry['method']} {entry['path']} {entry['status']} "
            f"{entry['ms']:.1f} ms{who}")


class AccessLog:
    """ASGI middleware writing one access line per HTTP request (the app puts the caller in scope["state"])."""

    def __init__(self, app: ASGIApp, form: str) -> None:
        self.app = app
        self.form = form
        if form != "off":
            _handler()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.form == "off":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [0]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client")
            principal = (scope.get("state") or {}).get("principal")
            entry: dict[str, Any] = {
                "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "method": scope.get("method"), "path": scope.get("path"), "status": status[0] or 499,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "client": f"{client[0]}:{client[1]}" if client else None}
            if principal is not None:
                entry.update(token_id=principal.token_id, role=principal.role, tenant=principal.tenant)
            log.info(line(entry, self.form))
