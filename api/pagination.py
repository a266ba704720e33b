"""Relay cursor pagination with opaque, tamper-evident cursors bound to a tenant and a list.

A cursor is base64url(JSON {t: tenant, s: scope, i: position}) + "." + HMAC-SHA256 of it (truncated).
A cursor that was forged, altered, or issued for another tenant or another list is BAD_USER_INPUT.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from regtrace.errors import InputError

DEFAULT_PAGE = 100
MAX_PAGE = 1000
_MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Signs and checks cursors with one secret (per app, or given by REGTRACE_CURSOR_SECRET)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, tenant: str, scope: str, position: int) -> str:
        payload = json.dumps({"t": tenant, "s": scope, "i": position}, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def decode(self, cursor: str, tenant: str, scope: str) -> int:
        """The position a cursor stands for; BAD_USER_INPUT unless it is ours, for this tenant and list."""
        try:
            head, _, mac = cursor.partition(".")
            payload = _unb64(head)
            if not hmac.compare_digest(_unb64(mac), self._mac(payload)):
                raise ValueError("bad signature")
            data = json.loads(payload)
            position = data["i"]
            if data["t"] != tenant or data["s"] != scope or not isinstance(position, int) or position < 0:
                raise ValueError("not for this list")
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise InputError("invalid cursor") from exc
        return position


def window(first: int | None, after: str | None, codec: CursorCodec, tenant: str, scope: str) -> tuple[int, int]:
    """(offset, size) of the page that `first` and `after` ask for."""
    size = DEFAULT_PAGE if first is None else first
    if size < 0 or size > MAX_PAGE:
        raise InputError(f"first must be between 0 and {MAX_PAGE}")
    offset = codec.decode(after, tenant, scope) + 1 if after else 0
    return offset, size


def check_limit(limit: int | None, offset: int | None) -> tuple[int, int | None]:
    """(skip, limit) of a plain list's `offset` and `limit`."""
    if limit is not None and (limit < 0 or limit > MAX_PAGE):
        raise InputError(f"limit must be between 0 and {MAX_PAGE}")
    if offset is not None and offset < 0:
        raise InputError("offset must not be negative")
    return offset or 0, limit


@dataclass
class Page:
    """One page of a connection: rows from `offset`, whether more follow, and the total (known or counted)."""

    rows: Sequence[Any]
    offset: int
    has_next: bool
    tenant: str
    scope: str
    codec: CursorCodec
    total: int | None = None
    counter: Callable[[], Awaitable[int]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, rows: Sequence[Any], offset: int, size: int, tenant: str, scope: str, codec: CursorCodec) -> Page:
        """A page cut from every row of a list (all known in memory)."""
        return cls(rows[offset:offset + size], offset, len(rows) > offset + size, tenant, scope, codec, len(rows))

    def cursor(self, index: int) -> str:
        return self.codec.encode(self.tenant, self.scope, self.offset + index)

    def page_info(self) -> dict[str, Any]:
        return {
            "hasNextPage": self.has_next,
            "hasPreviousPage": self.offset > 0,
            "startCursor": self.cursor(0) if self.rows else None,
            "endCursor": self.cursor(len(self.rows) - 1) if self.rows else None,
        }

    async def total_count(self) -> int:
        if self.total is None:
            assert self.counter is not None
            self.total = await self.counter()
        return self.total
