"""Whether a CSV file's double quotes are ones Arrow's CSV reader and Python's csv module read alike, so that a
file with quoted cells (a title holding a comma or a line break, as a spreadsheet's export quotes it) can still be
judged column-wise (register_validation_columnar) rather than row by row.

They are when each quote opens or closes a quoted cell, told by the parity of the quotes before it (the file starts
outside any): an opening quote starts the file or a line, or follows a comma (or the closing quote before it: `""`,
an escaped quote); a closing quote ends the file, or is followed by a comma, a line break (CR or LF) or the opening
quote after it; and the file does not end within a quoted cell. Read with quoting, `""` as an escaped quote and,
where a quoted cell holds a line break, line breaks in values, Arrow then gives each cell's text exactly as the csv
module does. Any other quote (`5" screen` in an unquoted cell, a space before an opening quote, text after a closing
one) and the file is judged row by row, as before.

The line feed, the carriage return, the comma and the double quote are single bytes that never occur inside a
UTF-8 or Big5 character, so the bytes are checked as they are read, a megabyte at a time, without decoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow.csv as pacsv

_QUOTE = ord('"')
_CR, _LF = ord("\r"), ord("\n")
# what may come just before an opening quote (or start the file) and just after a closing one (or end it)
_BEFORE_OPENING = np.zeros(256, bool)
_BEFORE_OPENING[[ord(","), _CR, _LF, _QUOTE]] = True
_AFTER_CLOSING = _BEFORE_OPENING  # the same four bytes


@dataclass(frozen=True)
class ArrowReading:
    """How Arrow's CSV reader reads a file's cells as the csv module does."""

    quoted: bool  # it holds double quotes: read with quoting, `""` within a quoted cell as one quote
    line_breaks: bool  # a quoted cell holds a line break: read with line breaks in values

    def parse_options(self) -> pacsv.ParseOptions:
        """Arrow's parse options for the file: each record one row of cells, as the csv module reads it (an empty
        line kept, for the caller to tell apart)."""
        import pyarrow.csv as pacsv  # only where Arrow reads the file: reading a register folder needs it not

        return pacsv.ParseOptions(quote_char='"' if self.quoted else False, double_quote=self.quoted,
                                  escape_char=False, newlines_in_values=self.line_breaks, ignore_empty_lines=False)


class QuoteLayout:
    """Fed a CSV file's bytes (after any byte-order mark) piece by piece, then `finish()`: whether each of its
    quotes opens or closes a quoted cell (`fits`), whether it holds any (`quoted`), and whether a quoted cell holds
    a line break (`line_breaks`)."""

    def __init__(self) -> None:
        self.fits = True
        self.quoted = False
        self.line_breaks = False
        self._inside = False  # within a quoted cell after the bytes fed
        self._last = _LF  # the last byte fed (the file starts as after a line's end)
        self._closed_at_end = False  # the last byte fed closed a quoted cell: the next byte must be one allowed

    def feed(self, piece: bytes) -> None:
        if not self.fits or not piece:
            return
        if self._closed_at_end:
            self._closed_at_end = False
            if not _AFTER_CLOSING[piece[0]]:
                self.fits = False
                return
        if b'"' not in piece:
            if self._inside and not self.line_breaks and (b"\n" in piece or b"\r" in piece):
                self.line_breaks = True
            self._last = piece[-1]
            return
        self.quoted = True
        data = np.frombuffer(piece, np.uint8)
        quotes = np.flatnonzero(data == _QUOTE)
        first = 1 if self._inside else 0  # the first quote closes the cell it is in, or opens one
        opening, closing = quotes[first::2], quotes[1 - first::2]
        before = data[np.maximum(opening - 1, 0)]
        if len(opening) and opening[0] == 0:
            before[0] = self._last
        after = closing + 1
        within = after < len(data)
        if not (np.all(_BEFORE_OPENING[before]) and np.all(_AFTER_CLOSING[data[after[within]]])):
            self.fits = False
            return
        self._closed_at_end = bool(len(closing)) and int(closing[-1]) == len(data) - 1
        if not self.line_breaks:
            breaks = np.flatnonzero((data == _CR) | (data == _LF))
            # a line break lies within a quoted cell when the quotes before it leave the parity it started with
            # changed (outside at the start) or unchanged (inside)
            if np.any((np.searchsorted(quotes, breaks) % 2 == 1) != self._inside):
                self.line_breaks = True
        self._inside = self._inside != (len(quotes) % 2 == 1)
        self._last = piece[-1]

    def finish(self) -> bool:
        """After the last piece: whether every quote fits (the file does not end within a quoted cell)."""
        if self._inside:
            self.fits = False
        return self.fits

    def reading(self) -> ArrowReading | None:
        """After `finish()`: how Arrow reads the file as the csv module does (None: it may not)."""
        return ArrowReading(self.quoted, self.line_breaks) if self.fits else None
