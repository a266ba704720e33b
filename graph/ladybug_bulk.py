"""Bulk writes for LadybugDB: many fresh nodes or links at once go through COPY FROM a temporary CSV file.

UNWIND with parameters costs about 70 µs a node and far more a link on this engine; COPY costs a few µs.
COPY runs inside the caller's transaction (a failure or rollback leaves nothing). Only labels whose
properties are all single values qualify; lists and relationship properties take the UNWIND path. None is
written as an empty cell, which COPY reads as null, so a stored empty string becomes null: callers of the
bulk path (register loads) never store empty strings. COPY cannot read a carriage return inside a value, so
line breaks in text are stored as "\n" (CRLF and CR become LF).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

from .port import Link, Row
from .schema import NodeSchema, Property, RelSchema

COPY_MIN_ROWS = 5_000
Execute = Callable[[str, Mapping[str, Any] | None], list[Row]]


def copyable(properties: Sequence[Property]) -> bool:
    """Whether COPY can write these properties (no lists)."""
    return not any(p.many for p in properties)


def _text(value: Any, dates: dict[Any, str]) -> str:
    """A non-string value as CSV text; dates (which repeat a lot) are remembered in `dates`."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dt.date):
        text = dates[value] = value.isoformat()
        return text
    return str(value)


def _csv_lines(rows: Iterable[Sequence[Any]], width: int, multiline: list[bool]) -> Iterator[str]:
    """CSV lines; plain rows are joined directly (several times faster than csv.writer), rows that need
    quoting go through csv.writer. Sets multiline[0] when a quoted value holds a line break."""
    buffer = io.StringIO()
    quote = csv.writer(buffer, lineterminator="\n")
    commas = width - 1
    dates: dict[Any, str] = {}  # holds dates only, so True (== 1) never finds an integer's text
    for row in rows:
        fields = [v if v.__class__ is str else "" if v is None else dates.get(v) or _text(v, dates) for v in row]
        line = ",".join(fields)
        if '"' in line or "\n" in line or "\r" in line or line.count(",") != commas:
            if "\n" in line or "\r" in line:
                multiline[0] = True
                fields = [f.replace("\r\n", "\n").replace("\r", "\n") for f in fields]
            buffer.seek(0)
            buffer.truncate()
            quote.writerow(fields)
            yield buffer.getvalue()
        else:
            yield line + "\n"


def _link_lines(links: Iterable[Link], multiline: list[bool]) -> Iterator[str]:
    """CSV lines of (source, target) uid pairs: the plain case without building a row per link."""
    for link in links:
        line = f"{link.source},{link.target}"
        if '"' in line or "\n" in line or "\r" in line or line.count(",") != 1:
            yield from _csv_lines([(link.source, link.target)], 2, multiline)
        else:
            yield line + "\n"


def _copy(execute: Execute, table: str, lines: Callable[[list[bool]], Iterable[str]]) -> None:
    with tempfile.TemporaryDirectory(prefix="regtrace-copy-") as folder:
        path = Path(folder) / f"{table}.csv"
        multiline = [False]
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(lines(multiline))
        # Quoted line breaks need the serial reader; otherwise read in parallel (about twice as fast).
        parallel = "false" if multiline[0] else "true"
        location = str(path).replace("'", "''")
        execute(f"COPY {table} FROM '{location}' (HEADER=false, PARALLEL={parallel})", None)


def copy_nodes(execute: Execute, node: NodeSchema, rows: Sequence[Row]) -> None:
    """Create `rows` as new nodes of `node` (none may exist yet)."""
    values = map(itemgetter(*node.names), rows)
    _copy(execute, node.label, lambda multiline: _csv_lines(values, len(node.names), multiline))


def copy_links(execute: Execute, rel: RelSchema, links: Sequence[Link]) -> None:
    """Create `links` as new relationships between existing nodes (no relationship properties)."""
    _copy(execute, rel.type, lambda multiline: _link_lines(links, multiline))
