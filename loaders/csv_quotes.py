"""Whether a CSV file's double quotes are ones Arrow's CSV reader and Python's csv module read alike, so that a
file with quoted cells (a title holding a comma, as a spreadsheet's export quotes it) can still be judged
column-wise (register_validation_columnar) rather than row by row.

They are when every record is one line and each quote opens or closes a quoted field: quotes come in pairs
within each line (no quoted field holds a line feed or a carriage return, which Arrow would read as the end of
the row); an opening quote starts the line or follows a comma (or the closing quote before it: `""`, an escaped
quote); a closing quote ends the line or the file, or is followed by a comma (or by the opening quote after it).
Read with quoting and `""` as an escaped quote, Arrow then gives each cell's text exactly as the csv module does.
Any other quote (`5" screen` in an unquoted cell, text after a closing quote, a quoted line break) and the file
is judged row by row, as before.

The line feed, the carriage return, the comma and the double quote are single bytes that never occur inside a
UTF-8 or Big5 character, so the bytes are checked as they are read, a megabyte at a time, without decoding.
"""

from __future__ import annotations

import numpy as np

_QUOTE = ord('"')
_BREAKS = b"\r\n"
# what may come just before an opening quote (a line's start is checked apart) and just after a closing one
_BEFORE_OPENING = np.zeros(256, bool)
_BEFORE_OPENING[[ord(","), ord("\r"), ord("\n"), _QUOTE]] = True
_AFTER_CLOSING = _BEFORE_OPENING  # the same four bytes


class QuoteLayout:
    """Fed a CSV file's bytes (after any byte-order mark) piece by piece, then `finish()`: whether its quotes are
    as the module's text says (`fits`), and whether it holds any (`quoted`)."""

    def __init__(self) -> None:
        self.fits = True
        self.quoted = False
        self._carry = b""  # the bytes after the last line break fed: a line not yet ended

    def feed(self, piece: bytes) -> None:
        if not self.fits or not piece:
            return
        if b'"' not in piece and b'"' not in self._carry:  # no quote yet in the line: nothing copied or checked
            end = max(piece.rfind(b"\n"), piece.rfind(b"\r")) + 1
            self._carry = piece[end:] if end else self._carry + piece
            return
        data = self._carry + piece if self._carry else piece
        end = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
        if not end:
            self._carry = data
            return
        self._carry = data[end:]
        self._check(data, end)

    def finish(self) -> bool:
        """After the last piece: whether the file's quotes fit (the last line need not end with a line break)."""
        if self._carry:
            self._check(self._carry, len(self._carry))
            self._carry = b""
        return self.fits

    def _check(self, data: bytes, end: int) -> None:
        """The whole lines `data[:end]` (the last may be the file's end without a line break), from a line's
        start."""
        if not self.fits or data.find(b'"', 0, end) < 0:
            return
        self.quoted = True
        self.fits = lines_fit(memoryview(data)[:end])


def lines_fit(lines: bytes | memoryview) -> bool:
    """Whether the quotes of `lines` (starting at a line's start) pair up within each line, each opening or
    closing a quoted field."""
    data = np.frombuffer(lines, np.uint8)
    quotes = np.flatnonzero(data == _QUOTE)
    if len(quotes) % 2:
        return False  # a quoted field left open at the end
    breaks = np.flatnonzero((data == _BREAKS[0]) | (data == _BREAKS[1]))
    if len(breaks) and np.any(np.searchsorted(quotes, breaks) % 2):
        return False  # a line break inside a quoted field
    # every line starts outside quotes: the quotes alternate opening and closing from the start
    opening, closing = quotes[0::2], quotes[1::2]
    before = data[np.maximum(opening - 1, 0)]
    if not np.all(_BEFORE_OPENING[before] | (opening == 0)):
        return False
    after = closing + 1
    inside = after < len(data)
    return bool(np.all(_AFTER_CLOSING[data[after[inside]]]))
