"""Digests per content-defined chunk of a CSV register file's bytes, taken in one pass over the file
(register_reader.scan_file: when a reload compares them with the load record, or while a full load writes, for
its record), so that a reload of a file that differs by a few rows parses, validates, converts and writes only
the rows of the chunks that changed.

A chunk ends at the end of a line (a line feed) that ends a record (outside any quoted field) and whose bytes
have a CRC-32 ending in ROW_BITS zero bits (one line in 32 on average; the chunk holding a given row has about
64, as long chunks hold more rows): a boundary depends on that line alone, so a row changed, added, removed or
moved in the file changes the digest of the chunk(s) holding it and moves no other boundary; a reload writes
the rows of those chunks. A chunk's digest is the SHA-256 of its bytes (the first 128 bits), a record that ends
with LF taken as ending with CRLF, so equal digests mean equal rows, whatever the encoding (the line feed, the
carriage return and the double quote are single bytes that never occur inside a UTF-8 or Big5 character) and
whichever line endings the file was saved with: a register saved again by a tool that writes LF where the last
wrote CRLF (or the other way) is not read whole on its reload. A line break inside a quoted cell is the cell's
own and is taken as it is. A UTF-16 file is not cut (its reload reads it whole).

Whether a line feed is outside quoted fields is told by the parity of the double quotes before it, which is what
the csv module reads only when every quote is where a quoted field may start or end (loaders/csv_quotes, the rule
the column-wise validation reads a file by: an opening quote at the start of a line or after a comma, or right
after a closing quote, an escaped `""`; a closing quote followed by a comma, a line end, another quote or the end
of the file). A file with any other quote
(e.g. `5" screen` in an unquoted cell) gets no chunks: the csv module reads such a quote as a plain character,
and its reload reads the file whole.

The load record (register_digests.LoadRecord.chunks) keeps, per register, the digest of the header (its cells)
and of each chunk in file order. This module's source is part of the rules' digest: changing how chunks are cut
or hashed makes the next load a full one.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .csv_quotes import QuoteLayout

ROW_BITS = 5
LONGEST_LINE = 8 << 20  # bytes without a line feed after which a file is no longer cut (its chunks: none)
_MASK = (1 << ROW_BITS) - 1
_CELL, _ROW = "\x1f", "\x1e"
_QUOTE = b'"'
_LINE_FEED = ord("\n")
_CR = ord("\r")
_NONE_ADDED = np.zeros(0, np.int64)


def _hex(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def header_digest(header: Sequence[str]) -> str:
    return _hex(_CELL.join(header).encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class Span:
    """One chunk: where its bytes start in the file, how many, and their digest."""

    offset: int
    length: int
    digest: str


class ByteChunker:
    """Cuts a file's bytes into chunks as they are fed (any piece sizes), from `start` (after a byte-order mark);
    then `finish()`. Its `quotes` tell whether every quote of the file opens or closes a quoted cell."""

    def __init__(self, start: int = 0) -> None:
        self._offset = start  # of the first byte not yet cut into lines
        self._carry = bytearray()  # the bytes of the line not yet ended
        self._chunk_start = 0  # the first chunk holds the byte-order mark, if any
        self._hash = hashlib.sha256()
        self._spans: list[Span] = []
        self._inside = False  # within a quoted field at the start of the carried bytes
        self.quotes = QuoteLayout()  # fed every byte: whether each quote opens or closes a quoted cell
        self._broken = False

    def feed(self, piece: bytes) -> None:
        if not piece:
            return
        self.quotes.feed(piece)
        if self._broken:  # no more cuts: the rest of the file is hashed into the last chunk as it comes
            self._hash.update(piece)
            self._offset += len(piece)
            return
        end = piece.rfind(b"\n") + 1
        if not end:
            self._carry += piece
            if len(self._carry) > LONGEST_LINE:  # no line feeds (a file of carriage returns alone): not cut
                self._broken = True
                self._hash.update(self._carry)
                self._offset += len(self._carry)
                self._carry = bytearray()
            return
        segment = bytes(self._carry) + piece[:end] if self._carry else piece[:end]
        self._carry = bytearray(piece[end:])
        self._cut(segment)

    def finish(self) -> None:
        """After every piece was fed: the last chunk ends at the end of the file."""
        if self._carry:
            self._hash.update(self._carry)
            self._offset += len(self._carry)
            self._carry = bytearray()
        if not self.quotes.finish():
            self._broken = True  # a quote the parity may misread, or the file ends within a quoted field
        if self._offset > self._chunk_start or not self._spans:
            self._spans.append(Span(self._chunk_start, self._offset - self._chunk_start, self._hash.hexdigest()[:32]))
            self._chunk_start = self._offset

    def spans(self) -> list[Span] | None:
        """The chunks (after `finish`), or None when record ends could not be told (the file's digest is still
        `digest()`)."""
        return None if self._broken else list(self._spans)

    def digest(self) -> str:
        """The file's digest (after `finish`): every byte of it is in one chunk or another."""
        return file_digest(self._spans)

    def _cut(self, segment: bytes) -> None:
        """A run of whole lines (ending with a line feed): its record ends with a line CRC-32 ending in ROW_BITS
        zero bits end chunks."""
        if not self.quotes.fits:
            self._broken = True
        if self._broken:  # one chunk to the end of the file
            self._hash.update(segment)
            self._offset += len(segment)
            return
        inside = self._inside
        quoted = _QUOTE in segment
        crlf, feeds, added = _crlf_records(segment, inside, quoted)
        view = memoryview(crlf)
        position = 0  # in `crlf`: the bytes before it are hashed
        quotes_before, counted = 0, 0
        for cut in _boundaries(crlf, feeds):
            if quoted:
                quotes_before += crlf.count(_QUOTE, counted, cut)
                counted = cut
                if inside != (quotes_before % 2 == 1):  # this line feed lies within a quoted field
                    continue
            self._hash.update(view[position:cut])
            end = self._offset + cut - int(np.searchsorted(added, cut))  # where the cut lies in the file
            self._spans.append(Span(self._chunk_start, end - self._chunk_start, self._hash.hexdigest()[:32]))
            self._hash = hashlib.sha256()
            self._chunk_start, position = end, cut
        self._hash.update(view[position:])
        self._offset += len(segment)
        if quoted:
            self._inside = inside != (segment.count(_QUOTE) % 2 == 1)


def _crlf_records(segment: bytes, inside: bool, quoted: bool) -> tuple[bytes, np.ndarray, np.ndarray]:
    """`segment` (whole lines, ending with a line feed; `inside` a quoted field at its start; `quoted`: it holds a
    double quote) with a carriage return before each line feed that ends a record and has none, where its line
    feeds are, and where each carriage return was added (ascending; both in the result): a file saved with LF line
    endings has the chunks and digests of the same rows saved with CRLF. A file whose records already end with CRLF
    is taken as it is, nothing copied. A line feed within a quoted field is the cell's own and is left as it is."""
    data = np.frombuffer(segment, np.uint8)
    feeds = np.flatnonzero(data == _LINE_FEED)
    bare = feeds[data[np.maximum(feeds - 1, 0)] != _CR]  # a line feed at the start has nothing before it
    if len(bare) and quoted:
        quotes = np.flatnonzero(data == _QUOTE[0])
        # a line feed ends a record when the quotes before it leave the field as it was at the segment's start
        bare = bare[(np.searchsorted(quotes, bare) % 2 == 1) == inside]
    if not len(bare):
        return segment, feeds, _NONE_ADDED
    return (np.insert(data, bare, _CR).tobytes(), feeds + np.searchsorted(bare, feeds, side="right"),
            bare + np.arange(len(bare)))


def _boundaries(segment: bytes, feeds: np.ndarray) -> list[int]:
    """Where in `segment` (whole lines, ending with a line feed, at `feeds`) each line whose bytes have a CRC-32
    ending in ROW_BITS zero bits ends (just after its line feed): the lines' CRC-32s gathered into one array."""
    lines = segment.split(b"\n")
    lines.pop()  # empty: the segment ends with a line feed
    crcs = np.fromiter(map(zlib.crc32, lines), np.uint32, len(lines))
    ends = np.flatnonzero((crcs & _MASK) == 0)
    return [int(at) + 1 for at in feeds[ends]]


def file_digest(spans: Sequence[Span]) -> str:
    """A file's digest from its chunks' (which cover every byte of it)."""
    return hashlib.sha256(" ".join(f"{s.digest}:{s.length}" for s in spans).encode("ascii")).hexdigest()


def stored_counts(record: object) -> Counter[str] | None:
    """The stored chunk digests as a multiset (None: none kept)."""
    chunks = record.get("chunks") if isinstance(record, dict) else None
    if not isinstance(chunks, list):
        return None
    return Counter(str(d) for d in chunks)
