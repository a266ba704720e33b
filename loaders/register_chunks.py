"""Digests per content-defined chunk of a register file's rows, so that a reload of a file that differs by a few
rows validates, converts and writes only the rows of the chunks that changed.

A chunk ends after a row whose CRC-32 ends in ROW_BITS zero bits (one row in 64 on average): a boundary
depends on that row's text alone, so a row changed, added, removed or moved in the file changes the digest
of the chunk(s) holding it and moves no other boundary. A chunk's digest is the BLAKE2b of its rows' cells,
the cells of a row joined by U+001F and rows by U+001E (a valid register has no control character in a cell:
`unambiguous` checks that a chunk's text can be split back into the same cells).

The load record (register_digests.LoadRecord.chunks) keeps, per register, the digest of the header and of
each chunk in file order. This module's source is part of the rules' digest: changing how chunks are cut or
hashed makes the next load a full one.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

ROW_BITS = 6
_MASK = (1 << ROW_BITS) - 1
CELL, ROW = "\x1f", "\x1e"
_CELL, _ROW = CELL.encode(), ROW.encode()


def _digest(texts: Sequence[bytes]) -> str:
    return hashlib.blake2b(_ROW.join(texts), digest_size=16).hexdigest()


def header_digest(header: Sequence[str]) -> str:
    return _digest([CELL.join(header).encode("utf-8", "surrogatepass")])


def _cut(rows: Iterable[Sequence[str]]) -> Iterator[tuple[Sequence[str], bytes, bool]]:
    """Each row with its text (its cells joined, encoded) and whether a chunk ends after it."""
    crc, join = zlib.crc32, CELL.join
    for cells in rows:
        text = join(cells).encode("utf-8", "surrogatepass")
        yield cells, text, not crc(text) & _MASK


@dataclass
class Chunk:
    """Rows of a file that make one chunk: the file's row number of the first, the rows' cells, the digest."""

    first: int
    rows: list[Sequence[str]]
    digest: str
    texts: list[bytes]  # each row's cells joined, encoded


@dataclass
class RowChunker:
    """Cuts a table's rows into chunks as they pass (`wrap`, for a load that validates every row) or hands
    the chunks on (`chunks`, for a reload that compares them with the stored digests)."""

    header: Sequence[str]
    digests: list[str] = field(default_factory=list)

    def record(self) -> dict[str, object]:
        """What the load record keeps for the register."""
        return {"header": header_digest(self.header), "chunks": list(self.digests)}

    def chunks(self, rows: Iterable[Sequence[str]], first_row: int) -> Iterator[Chunk]:
        """The rows in chunks, each with its digest (which is also appended to `digests`)."""
        texts: list[bytes] = []
        kept: list[Sequence[str]] = []
        first = first_row
        for cells, text, ends in _cut(rows):
            texts.append(text)
            kept.append(cells)
            if ends:
                yield self._chunk(first, kept, texts)
                first += len(kept)
                texts, kept = [], []
        if kept:
            yield self._chunk(first, kept, texts)

    def wrap(self, rows: Iterable[Sequence[str]]) -> Iterator[Sequence[str]]:
        """The rows as they come (a read error part way reaches the reader at the row it happened), their
        chunk digests taken on the way (complete once the rows are exhausted)."""
        texts: list[bytes] = []
        for cells, text, ends in _cut(rows):
            texts.append(text)
            if ends:
                self.digests.append(_digest(texts))
                texts = []
            yield cells
        if texts:
            self.digests.append(_digest(texts))

    def _chunk(self, first: int, rows: list[Sequence[str]], texts: list[bytes]) -> Chunk:
        digest = _digest(texts)
        self.digests.append(digest)
        return Chunk(first, rows, digest, texts)


def unambiguous(chunk: Chunk) -> bool:
    """Whether the chunk's text holds no separator but those between its cells and rows (so that an equal
    digest means equal cells)."""
    separators = sum(text.count(_CELL) + text.count(_ROW) for text in chunk.texts)
    return separators == sum(map(len, chunk.rows)) - len(chunk.rows)


def stored_counts(record: object) -> Counter[str] | None:
    """The stored chunk digests as a multiset (None: none kept)."""
    chunks = record.get("chunks") if isinstance(record, dict) else None
    if not isinstance(chunks, list):
        return None
    return Counter(str(d) for d in chunks)
