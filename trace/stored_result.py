"""A computed trace as text to keep in the store (the ontology's TraceSnapshot) and back, row for row equal.

    text, digest = encode(rows, {"csp_of": {...}})
    rows, extra = decode(text)          # StoredResultError when the text is not one this version wrote

The rows are JSON (dates, causes and crosswalk paths tagged so that they come back as they were), compressed
with zlib and written as base64; the digest is the SHA-256 of the uncompressed JSON, so an unchanged trace
need not be written again. The field names travel with the rows: a snapshot written by a version whose
TraceRow had other fields is refused, never read into the wrong columns.

Each distinct value is written once, in a table, and a row is the list of its fields' places in it: a large
tenant's 43,000 rows share most of their values (the same evidence ids, causes, labels for every arrangement
alike), so the text is encoded and parsed once per value, not once per row and field, and the rows read back
share their values as the computed ones did. Two values are the same when their JSON is (a `True` is never
taken for a `1`); the fields typed as tuples of strings (ids, texts) are compared as tuples and written as
places in a table of their strings (an evidence id recurs in many rows' tuples: at 1M evidence, 3.7 million
places and 9,236 strings), the others tagged (dates, causes, crosswalk paths). Damaged text is refused by zlib's
checksum; a table place outside the table by the checks in `decode`.
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
from typing import Any, get_type_hints

from regtrace.errors import StoreError

from .model import Cause, TraceRow, Via, trace_row

FORMAT = 2  # 2: a table of distinct values, rows as places in it (1: every value in every row)
FIELDS = tuple(f.name for f in dataclasses.fields(TraceRow))
_HINTS = get_type_hints(TraceRow)
# each field, and whether it holds a tuple of strings (ids and texts: places in the strings' table, no tags)
_KINDS = tuple((name, _HINTS[name] == tuple[str, ...]) for name in FIELDS)


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
    table: list[Any] = []  # each distinct value once, as JSON-ready
    string_tuples: list[int] = []  # the places of the tuples of strings (their strings' places in `strings`)
    by_tuple: dict[tuple[str, ...], int] = {}
    string_at: dict[str, int] = {}  # each string of those tuples once (ids recur in many)
    by_text: dict[str, int] = {}  # a tagged value's JSON -> its place
    by_id: dict[int, int] = {}  # a value object seen before -> its place (the rows share most of their values)
    lines = []
    for row in rows:
        values = row.__dict__
        line = []
        for name, strings in _KINDS:
            value = values[name]
            at = by_id.get(id(value))
            if at is None:
                if strings:
                    at = by_tuple.get(value)
                    if at is None:
                        at = by_tuple[value] = len(table)
                        table.append([string_at.setdefault(x, len(string_at)) for x in value])
                        string_tuples.append(at)
                else:
                    out = _out(value)
                    text = json.dumps(out, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
                    at = by_text.get(text)
                    if at is None:
                        at = by_text[text] = len(table)
                        table.append(out)
                by_id[id(value)] = at
            line.append(at)
        lines.append(line)
    document = {"format": FORMAT, "fields": FIELDS, "extra": dict(extra), "values": table, "plain": string_tuples,
                "strings": list(string_at), "rows": lines}
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
    try:
        string_tuples, strings = frozenset(document["plain"]), document["strings"]
        values = [tuple(map(strings.__getitem__, value)) if at in string_tuples else _in(value)
                  for at, value in enumerate(document["values"])]
        lines = document["rows"]
        if lines and (min(map(min, lines)) < 0 or max(map(max, lines)) >= len(values)
                      or any(len(line) != len(FIELDS) for line in lines)):
            raise ValueError("a row names a value the table does not have")
        rows = [trace_row(dict(zip(FIELDS, map(values.__getitem__, line), strict=True))) for line in lines]
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise StoredResultError(f"the stored trace cannot be read: {exc!r}") from exc
    extra: dict[str, Any] = document["extra"]
    return rows, extra
