"""Checking an .xlsx workbook's size before anything reads it, so a small file cannot expand into gigabytes.

An .xlsx file is a zip of XML parts. openpyxl reads the whole shared-string table into memory when it opens
a workbook and builds each cell's text whole, so a 600 KB file whose parts inflate to 600 MB would cost
gigabytes before a single row is validated. `check_workbook` looks first at the zip's directory (the sizes
each part declares; Python's zipfile stops a part at its declared size and then fails its CRC check, so
they cannot lie), then streams the shared strings and every sheet through a decompressor in chunks, never
holding more than a chunk, and refuses:

* more than MAX_PARTS parts, a part declaring more than MAX_PART_BYTES or all of them more than
  MAX_TOTAL_BYTES uncompressed, or a part larger than RATIO_GRACE_BYTES that inflates more than MAX_RATIO
  times (Apache POI's zip-bomb rule: real spreadsheets' XML compresses 5–30 times);
* any run of text between two XML tags longer than MAX_CELL_BYTES (a cell, shared string or attribute:
  MAX_CELL_CHARS characters, CSV's limit, take at most 4 bytes each);
* a row or column beyond Excel's own limits (MAX_ROWS, MAX_COLUMNS): such a sheet was not written by a
  spreadsheet, and openpyxl would pad every missing row up to it.

Each refusal is a message naming the part; `WorkbookTooLarge` carries it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

MAX_CELL_CHARS = 131_072  # the csv module's field limit, which CSV registers already have
MAX_CELL_BYTES = 4 * MAX_CELL_CHARS
MAX_ROWS = 1_048_576  # Excel's sheet limits
MAX_COLUMNS = 16_384
MAX_PARTS = 10_000
MAX_PART_BYTES = 2 << 30
MAX_TOTAL_BYTES = 4 << 30
MAX_RATIO = 100
RATIO_GRACE_BYTES = 1 << 20
_CHUNK = 1 << 20
_LARGE_ROW = re.compile(rb'\sr="[A-Z]*(\d{7,})"')  # a row or cell reference at row 1,000,000 or beyond
_WIDE_COLUMN = re.compile(rb'\sr="([A-Z]{3,})\d')  # a cell in column AAA (703) or beyond


class WorkbookTooLarge(ValueError):
    """The workbook exceeds a limit; the message says which part and which limit."""


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB" if size >= 1 << 20 else f"{size:,} bytes"


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_directory(book: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = book.infolist()
    if len(infos) > MAX_PARTS:
        raise WorkbookTooLarge(f"has {len(infos):,} parts (at most {MAX_PARTS:,})")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise WorkbookTooLarge(f"part {info.filename} expands to {_mb(info.file_size)} "
                                   f"(at most {_mb(MAX_PART_BYTES)})")
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise WorkbookTooLarge(
                f"part {info.filename} expands from {_mb(info.compress_size)} to {_mb(info.file_size)}, "
                f"{info.file_size // max(info.compress_size, 1):,} times (at most {MAX_RATIO}): "
                "a compression bomb, not a spreadsheet")
    if total > MAX_TOTAL_BYTES:
        raise WorkbookTooLarge(f"expands to {_mb(total)} in all (at most {_mb(MAX_TOTAL_BYTES)})")
    return infos


def _is_content(name: str) -> bool:
    return name.startswith("xl/") and name.endswith(".xml") and (
        name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/"))


def _check_part(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Stream one XML part: no text run longer than MAX_CELL_BYTES, no row or column past Excel's."""
    sheet = info.filename.startswith("xl/worksheets/")
    run = 0  # bytes since the last '<', carried across chunks
    tail = b""  # the end of the previous chunk, so a tag cut in two is still seen whole
    with book.open(info) as part:
        while chunk := part.read(_CHUNK):
            pieces = chunk.split(b"<")
            longest = run + len(pieces[0])
            if len(pieces) > 1:
                run = len(pieces[-1])
                longest = max(longest, run, max(map(len, pieces[1:-1]), default=0))
            else:
                run = longest
            if longest > MAX_CELL_BYTES:
                raise WorkbookTooLarge(f"part {info.filename} holds a text of more than {MAX_CELL_CHARS:,} "
                                       "characters (a cell or shared string; at most that, as in a CSV file)")
            if sheet:
                _check_places(info.filename, tail + chunk)
                tail = chunk[-64:]


def _check_places(part: str, data: bytes) -> None:
    """Rows and columns past Excel's limits; only the rare references that could be (7+ digits, 3+ letters)
    are looked at closely, so a large sheet costs one C-speed scan."""
    for match in _LARGE_ROW.finditer(data):
        if int(match[1]) > MAX_ROWS:
            raise WorkbookTooLarge(f"part {part} has a row {int(match[1]):,} (a sheet has at most {MAX_ROWS:,})")
    for match in _WIDE_COLUMN.finditer(data):
        if len(match[1]) > 3 or _column_number(match[1]) > MAX_COLUMNS:
            raise WorkbookTooLarge(f"part {part} has a cell in column {match[1].decode()} "
                                   f"(a sheet has at most {MAX_COLUMNS:,} columns, up to XFD)")


def check_workbook(path: Path) -> None:
    """Raise WorkbookTooLarge when `path` exceeds a limit (see the module); a damaged zip raises
    zipfile.BadZipFile, zlib.error or OSError, as opening it would."""
    with zipfile.ZipFile(path) as book:
        for info in _check_directory(book):
            if _is_content(info.filename):
                _check_part(book, info)

