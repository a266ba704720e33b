"""A computed trace as text to keep in the store (the ontology's TraceSnapshot) and back, row for row equal.

    text, digest = encode(rows, {"csp_of": {...}})
    rows, extra = decode(text)          # StoredResultError when the text is not one this version wrote

The rows are JSON (dates, causes and crosswalk paths tagged so that they come back as they were), compressed
with zlib and written as base64; the digest is the SHA-256 of the uncompressed JSON, so an unchanged trace
need not be written again. The field names travel with the rows: a snapshot written by a version whose
TraceRow had other fields is refused, never read into the wrong columns.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from regtrace.errors import StoreError

from .model import Cause, TraceRow, Via

FORMAT = 1
FIELDS = tuple(f.name for f in dataclasses.fields(TraceRow))


class StoredResultError(StoreError):
    """A stored trace that cannot be read back (another format, or damaged)."""


def _out(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Cause):
        return {"c": [value.kind, [[k, _out(v)] for k, v in value.details]]}
    if isinstance(value, Via):
        return {"v": [value.kind, value.id, value.target]}
    if isinstance(value, tuple | list):
        return [_out(v) for v in value]
    return value


def _in(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_in(v) for v in value)
    if isinstance(value, dict):
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        if "c" in value:
            kind, details = value["c"]
            return Cause(kind, tuple((k, _in(v)) for k, v in details))
        kind, ident, target = value["v"]
        return Via(kind, ident, target)
    return value


def encode(rows: Sequence[TraceRow], extra: Mapping[str, Any]) -> tuple[str, str]:
    """The rows and some JSON-ready extras as compressed text, and the SHA-256 of what was compressed."""
    document = {"format": FORMAT, "fields": FIELDS, "extra": dict(extra),
                "rows": [[_out(getattr(row, name)) for name in FIELDS] for row in rows]}
    plain = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    return base64.b64encode(zlib.compress(plain, 6)).decode("ascii"), hashlib.sha256(plain).hexdigest()


def decode(text: str) -> tuple[list[TraceRow], dict[str, Any]]:
    """The rows and extras `encode` was given."""
    try:
        document = json.loads(zlib.decompress(base64.b64decode(text.encode("ascii"), validate=True)))
    except (binascii.Error, zlib.error, ValueError, UnicodeError) as exc:
        raise StoredResultError(f"the stored trace cannot be read: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT or tuple(document.get("fields", ())) \
            != FIELDS:
        raise StoredResultError("the stored trace was written by another version of regtrace")
    rows = []
    for values in document["rows"]:
        row = dict(zip(FIELDS, values, strict=True))
        rows.append(TraceRow(**{name: _in(value) for name, value in row.items()}))
    extra: dict[str, Any] = document["extra"]
    return rows, extra
