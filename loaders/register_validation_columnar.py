"""A register file validated whole columns at a time with Arrow's CSV reader: the same verdict and the same
values as the row-wise checks (register_validation), several times faster on a large file.

Only a file whose checks all look at one cell at a time qualifies (`qualifies`): a UTF-8 or Big5 CSV file (Big5
decoded by the csv module's own codec) with no control character but tabs and line breaks, whose quotes, if any,
each open or close a quoted cell (loaders/csv_quotes: a spreadsheet's export quotes a title holding a comma or a
line break), its header on the first line, with no unnamed or unknown columns, no list column and no rule across a
row's cells (the registers with such rules are small: the row-wise checks judge them). Arrow then reads every
record as one row of text cells, as the csv module does (a row of another width stops it); a tab or line break is
left to the row-wise checks unless in free text naming nothing (a title), where they allow it; and each column is
judged at once:

* every cell trimmed of exactly the characters Python's `str.strip` removes;
* a blank required cell, a line of empty cells (the row-wise checks skip it) or a cell longer than the csv
  module reads makes the file not clean;
* a parsed column's distinct texts are parsed once each by the row-wise checks' own parser (any CellError: not
  clean); a pattern is matched by Arrow only when it is one whose meaning Arrow's engine and Python's `re` share
  (anchored character classes and counts), else by Python's `re` on each distinct text; one class repeated a
  fixed number of times (a SHA-256 digest: `^[0-9a-f]{64}$`) is checked on the column's bytes instead (each
  cell that many bytes, every byte in the class: 4x faster than the engine's match);
* the ids a reference names must all be known, and the register's own ids distinct (set operations).

A file that is not clean, or that Arrow cannot read, is left to the row-wise checks from its first row: nothing
of it was kept or handed on, and they name every problem's file, row and column exactly as before. A clean file
is handed on column-wise as Arrow arrays (kept rows as Python values, as the row-wise checks give them).
"""

from __future__ import annotations

import csv
import queue
import re
import threading
from collections.abc import Callable, Generator, Iterable
from contextlib import closing
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from regtrace.ontology.model import load_ontology

if TYPE_CHECKING:
    from .register_validation import _Validator

T = TypeVar("T")

# the encodings a CSV file is read in (register_reader) -> Arrow's name for them (a byte-order mark is skipped
# with the header line)
ENCODINGS = {"utf-8": "utf8", "utf-8-sig": "utf8", "cp950": "cp950"}
BLOCK_BYTES = 4 << 20  # Arrow reads the file in blocks of this many bytes (~25,000 evidence rows)
ARROW_TYPES: dict[str | None, pa.DataType] = {"date": pa.date32(), "boolean": pa.bool_(), "integer": pa.int64()}
# a pattern Arrow's regular expressions (RE2) read as Python's re does on a text without line breaks: anchored,
# made of character classes of letters, digits and ranges, or such single characters, each with a count or not
_SHARED_PATTERN = re.compile(r"\^(?:(?:\[[0-9A-Za-z-]+\]|[0-9A-Za-z_])(?:\{\d+(?:,\d+)?\}|[+*?])?)+\$")
# one class of ASCII letters and digits (single ones or ranges), a fixed number of times
_ONE_CLASS = re.compile(r"\^\[((?:[0-9A-Za-z]-[0-9A-Za-z]|[0-9A-Za-z])+)\]\{(\d+)\}\$")


def one_class(pattern: str) -> tuple[bytes, int] | None:
    """(the class's bytes, the count) of a pattern `^[class]{n}$` (None for any other): a text matches it when
    it is n bytes long and each of its bytes is in the class (in UTF-8, a character outside ASCII is bytes
    outside any such class)."""
    match = _ONE_CLASS.fullmatch(pattern)
    if match is None:
        return None
    allowed = bytearray()
    for first, _, last in re.findall(r"([0-9A-Za-z])(-([0-9A-Za-z]))?", match.group(1)):
        last = last or first
        if last < first:
            return None
        allowed.extend(range(ord(first), ord(last) + 1))
    return bytes(allowed), int(match.group(2))


def in_class(texts: pa.Array, allowed: bytes, count: int) -> bool:
    """Whether every text that is not null is `count` bytes, each in `allowed` (see `one_class`)."""
    present = texts.drop_null()
    if not len(present):
        return True
    if pc.min_max(pc.binary_length(present)).as_py() != {"min": count, "max": count}:
        return False
    offsets, data = present.buffers()[1:3]
    ends = memoryview(offsets).cast("i")  # a string array's 32-bit offsets
    first, last = ends[present.offset], ends[present.offset + len(present)]
    return not bytes(memoryview(data)[first:last]).translate(None, allowed)


# What str.strip() removes: every character Python counts as whitespace (tests/test_register_columnar.py
# checks it against all of Unicode; computing it there costs a third of a second a load)
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


class _NotClean(Exception):
    """Something in the file may be wrong, or is read otherwise than the csv module reads it."""


def qualifies(v: _Validator) -> bool:
    """Whether the validator's table may be judged column-wise (see the module's text)."""
    table = v.table
    return (table.columnar and table.path is not None and table.encoding in ENCODINGS and table.arrow is not None
            and table.first_row == 2 and not v.unnamed and not v.extra and not v.unreadable
            and v.model.max_rows is None and not v.checks and not v.ids
            and not any(c.field.many for c in v.columns))


def validate_columns(v: _Validator) -> bool:
    """Judge the validator's whole file column-wise; when it is clean, add its rows (kept and/or handed on as
    the row-wise checks would) and its ids, and return True. False, with nothing added, otherwise."""
    try:
        judged = _judge(v)
    except (_NotClean, pa.ArrowException, OSError, ValueError):  # ValueError: a CellError, a codec's error
        return False
    batches, keys = judged
    if v.has_key:
        v.ids.update(keys)
    kept = v.register.kept
    for columns in batches:
        v.take(None, [c.to_pylist() if kept else c for c in columns])
    return True


class _Column:
    """How one register column of the file is judged and what values it gives."""

    def __init__(self, v: _Validator, position: int, index: int, required: bool) -> None:
        column = next(c for c in v.columns if c.position == position)
        f = column.field
        self.position, self.index, self.required = position, index, required
        self.parse = column.parse
        self.type = ARROW_TYPES.get(f.datatype, pa.string())
        target = f.target or ""
        self.known = v.known.get(target) if f.target is not None else None
        self.search: Callable[[str], object] | None = v.searches.get(index)
        self.shared_pattern = f.pattern if f.pattern is not None and _SHARED_PATTERN.fullmatch(f.pattern) else None
        self.one_class = one_class(f.pattern) if f.pattern is not None else None
        self.cache: dict[str, Any] = {}  # text -> parsed value, across the file's blocks
        # a tab or line break (a file not plain may hold them) is left to the row-wise checks but in free text that
        # names nothing, where they allow it (titles, names)
        free = self.parse is None and self.search is None and self.known is None and position != 0
        self.line_checked = not v.table.plain and not free

    def values(self, raw: pa.Array) -> pa.Array:
        """The column's values (null for a blank cell); _NotClean when any cell may be wrong."""
        texts = pc.utf8_trim(raw, characters=WHITESPACE)
        if self.line_checked and pc.any(pc.match_substring_regex(texts, "[\t\r\n]")).as_py():
            raise _NotClean  # the row-wise checks name it, or judge it (a date's or a pattern's text)
        blank = pc.equal(texts, "")
        if pc.any(blank).as_py():
            if self.required:
                raise _NotClean
            texts = pc.if_else(blank, pa.scalar(None, pa.string()), texts)
        if self.parse is None:  # free text, or an id of another register
            if self.known is not None and not self._named(texts) <= self.known:
                raise _NotClean
            return texts
        if self.search is not None:  # a pattern: the value is the text itself
            if self.one_class is not None:
                if not in_class(texts, *self.one_class):
                    raise _NotClean
            elif self.shared_pattern is not None:
                if pc.any(pc.invert(pc.match_substring_regex(texts, self.shared_pattern))).as_py():
                    raise _NotClean
            elif not all(map(self.search, self._named(texts))):
                raise _NotClean
            return texts
        distinct = pc.unique(texts.drop_null())
        cache, parse = self.cache, self.parse
        for text in distinct.to_pylist():
            if text not in cache:
                cache[text] = parse(text)  # CellError: not clean
        parsed = [cache[text] for text in distinct.to_pylist()]
        if self.known is not None and not set(parsed) <= self.known:
            raise _NotClean
        return pa.array(parsed, self.type).take(pc.index_in(texts, value_set=distinct))

    @staticmethod
    def _named(texts: pa.Array) -> set[str]:
        return set(pc.unique(texts.drop_null()).to_pylist())


def _reader(v: _Validator) -> pacsv.CSVStreamingReader:
    table = v.table
    assert table.path is not None and table.encoding is not None
    names = [f"c{i}" for i in range(len(table.header))]
    assert table.arrow is not None
    return pacsv.open_csv(
        table.path,
        read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, block_size=BLOCK_BYTES, use_threads=False,
                                       encoding=ENCODINGS[table.encoding]),
        parse_options=table.arrow.parse_options(),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))


def read_ahead(batches: Iterable[T], depth: int = 2) -> Generator[T, None, None]:
    """The items of `batches`, the next ones taken by a thread of their own meanwhile (Arrow's reader parses
    a block with the interpreter released, while the caller judges the one before: ~0.2 s of a million
    evidence rows' 0.8 s). What taking them raises is raised here, in order; leaving the loop early stops the
    thread (it ends once the item it is taking is taken)."""
    ahead: queue.Queue[tuple[bool, T | BaseException | None]] = queue.Queue(depth)
    stop = threading.Event()

    def hand(done: bool, item: T | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                ahead.put((done, item), timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def take() -> None:
        try:
            for item in batches:
                if not hand(False, item):
                    return
            hand(True, None)
        except BaseException as exc:  # raised to the caller, in its thread
            hand(True, exc)

    thread = threading.Thread(target=take, name="regtrace-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            done, item = ahead.get()
            if isinstance(item, BaseException):
                raise item
            if done:
                return
            yield cast(T, item)
    finally:
        stop.set()
        thread.join()


def _judge(v: _Validator) -> tuple[list[list[pa.Array]], list[Any]]:
    """Every block of the file judged: (its columns, the register's columns then `extra`, per block; the ids)."""
    width = len(v.model.columns)
    limit = csv.field_size_limit()
    columns = [_Column(v, c.position, c.index, c.field.required) for c in v.columns]
    batches: list[list[pa.Array]] = []
    key_parts: list[pa.Array] = []
    with closing(read_ahead(_reader(v))) as blocks:  # the reading thread stopped however the loop ends
        for batch in blocks:
            n = batch.num_rows
            if not n:
                continue
            lengths = [pc.binary_length(raw) for raw in batch.columns]
            if max(pc.max(length).as_py() for length in lengths) > limit:
                raise _NotClean  # the csv module refuses such a cell
            empty = lengths[0] if len(lengths) == 1 else pc.max_element_wise(*lengths)
            if pc.any(pc.equal(empty, 0)).as_py():
                raise _NotClean  # a line of empty cells: the row-wise checks skip it, keeping the row numbers
            values: list[pa.Array] = [pa.nulls(n)] * width + [pa.nulls(n, pa.string())]  # absent columns, `extra`
            for column in columns:
                values[column.position] = column.values(batch.column(column.index))
            if v.has_key:
                key_parts.append(values[0])
            batches.append(values)
    keys: list[Any] = []
    if v.has_key and key_parts:
        ids = pa.chunked_array(key_parts, key_parts[0].type).drop_null()
        if len(pc.unique(ids)) != len(ids):
            raise _NotClean  # an id twice: the row-wise checks name both rows
        keys = ids.to_pylist() if _referenced(v) else []
    return batches, keys


def _referenced(v: _Validator) -> bool:
    """Whether another register names this one's ids (then they are kept for its checks)."""
    return any(f.target == v.model.name for c in load_ontology().registers for f in c.references)
