"""Reading a register folder into tables of text cells, without interpreting them.

A folder holds either CSV files named `<register>.csv` or one `.xlsx` workbook with a sheet per register
(a path to the workbook itself works too). The first row of each file or sheet names the columns, in any
order. A CSV file's encoding is detected without asking: UTF-8 with or without a byte-order mark (or
UTF-16 with one), else Big5 / CP950. Rows are read lazily, so a large file is never held whole as text.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first data row is row 2.
Files and sheets that are not registers are ignored, unless their name is close to a register's
(a likely typo such as `evidences.csv`), which is reported.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from regtrace.errors import InputError, Problem

from .csv_quotes import ArrowReading, QuoteLayout
from .register_chunks import ByteChunker, Span
from .register_values import CONTROL, cell_text
from .xlsx_limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, WorkbookTooLarge, check_workbook

WORKBOOK_SUFFIX = ".xlsx"
CSV_SUFFIX = ".csv"
_CHUNK = 1 << 20
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with BOM)", "utf-16": "UTF-16", "cp950": "Big5 (CP950)"}

Cells = Sequence[str]
# What reading rows may raise part way: a malformed or undecodable CSV, a damaged workbook.
READ_ERRORS: tuple[type[Exception], ...] = (csv.Error, UnicodeDecodeError, ValueError, KeyError, OSError,
                                            zipfile.BadZipFile, zlib.error, EOFError, SyntaxError)


@dataclass
class Table:
    """One register as read: its header and a one-pass iterator of the rows after it, the first of which
    is row `first_row`. Reading may raise one of READ_ERRORS (a damaged file) part way."""

    register: str
    source: str
    header: list[str]
    first_row: int
    rows: Iterator[Cells]
    encoding: str | None = None
    # SHA-256 of the bytes the rows come from (the CSV file, or the whole workbook for each of its sheets)
    digest: str | None = None
    # the file holds no control character, tab or quote: no cell can hold a control character or a line break
    plain: bool = False
    # how Arrow's CSV reader reads the file's cells as the csv module does (csv_quotes: no control character but
    # tabs and line breaks, every quote opening or closing a quoted cell); None: it may not (a CSV file's only)
    arrow: ArrowReading | None = None
    # a CSV file's chunks (register_chunks) and path, for a reload that reads only its changed chunks again
    spans: list[Span] | None = None
    path: Path | None = None
    stamp: tuple[int, int] | None = None  # the CSV file's size and modification time when it was opened
    # the rows are every record of the file at `path` after the header: they may be read again column-wise
    # (register_validation_columnar); False once they are replaced by some of them (register_chunked)
    columnar: bool = False


@dataclass(frozen=True)
class Scan:
    """One pass over a CSV file's bytes: whether it decodes as `encoding`, its digest, whether it is plain (no
    control character, tab or double quote anywhere, so no cell holds a control character or line break), how
    Arrow's reader reads it as the csv module does (csv_quotes; None: it may not), and its chunks (register_chunks;
    None for a UTF-16 file, or one whose quotes do not tell where records end)."""

    decodes: bool
    digest: str | None  # None: not taken (scan_file(chunked=False))
    plain: bool
    spans: list[Span] | None = None
    arrow: ArrowReading | None = None


# the bytes that may start something a plain file lacks in UTF-8: a control character, a tab, a quote, or the
# lead byte of U+0080-U+00BF (C1 controls are U+0080-U+009F)
_SUSPECT = bytes([*range(0x00, 0x0A), 0x0B, 0x0C, *range(0x0E, 0x20), 0x22, 0x7F, 0xC2])
_ORDINARY = bytes(b for b in range(256) if b not in _SUSPECT)
_C1 = re.compile(b"\xc2[\x80-\x9f]")


def scan_file(path: Path, encoding: str, *, chunked: bool = True) -> Scan:
    """Read `path` once, a megabyte at a time: whether it decodes as `encoding`, cutting its chunks and hashing
    them (the file's digest is taken from its chunks': one hash pass). UTF-8 is checked and judged plain on the
    bytes (no decoding into text); other encodings are decoded a piece at a time. Stops at the first piece that
    does not decode. Without `chunked`, neither chunks nor digest are taken (most of the pass's time)."""
    bom = next((len(b) for b, e in _BOMS if e == encoding and encoding != "utf-16"), 0)
    chunker = ByteChunker(start=bom) if chunked and encoding != "utf-16" else None
    digest = hashlib.sha256() if chunked and chunker is None else None
    utf8 = encoding in ("utf-8", "utf-8-sig")
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    # the chunker checks the quotes as it cuts; without one, they are checked apart (never in UTF-16)
    layout = chunker.quotes if chunker is not None else QuoteLayout() if encoding != "utf-16" else None
    controls = unplain = False  # a control character seen (CONTROL: not a tab or line break); a tab or quote seen
    carry = b""  # the end of a UTF-8 piece not yet checked (a character's bytes not all read)
    with path.open("rb") as fh:
        first = True
        while True:
            piece = fh.read(_CHUNK)
            if first and bom:
                piece = piece[bom:]
            first = False
            if chunker is not None:
                chunker.feed(piece)
            elif digest is not None:
                digest.update(piece)
            elif layout is not None and not controls:
                layout.feed(piece)
            if utf8:
                data = carry + piece if carry else piece
                cut = _whole_characters(data) if piece else len(data)
                whole, carry = data[:cut], data[cut:]
                if whole and not _valid_utf8(whole):
                    return Scan(False, "", False)
                if not controls:
                    seen_controls, seen_unplain = _utf8_marks(whole)
                    controls, unplain = seen_controls, unplain or seen_unplain
            else:
                try:
                    text = decoder.decode(piece, final=not piece)
                except UnicodeDecodeError:
                    return Scan(False, "", False)
                if not controls:
                    controls = CONTROL.search(text) is not None
                    unplain = unplain or "\t" in text or '"' in text
            if not piece:
                break
    plain = not controls and not unplain
    arrow = layout.reading() if layout is not None and not controls and layout.finish() else None
    if chunker is None:
        return Scan(True, digest.hexdigest() if digest is not None else None, plain, arrow=arrow)
    chunker.finish()
    return Scan(True, chunker.digest(), plain, chunker.spans(), arrow)


def _whole_characters(data: bytes) -> int:
    """How many of the bytes make whole UTF-8 characters, if they are UTF-8: all but a last lead byte and the
    continuation bytes after it (at most 3)."""
    end = len(data)
    back = 0
    while back < 3 and back < end and 0x80 <= data[end - back - 1] <= 0xBF:
        back += 1
    return end - back - 1 if back < end and data[end - back - 1] >= 0xC0 else end


def _utf8_marks(data: bytes) -> tuple[bool, bool]:
    """Whether valid UTF-8 `data` holds a control character (CONTROL: not a tab or line break); whether it holds a
    tab or a double quote (then it is not plain)."""
    suspect = data.translate(None, _ORDINARY)
    if not suspect:
        return False, False
    others = suspect.replace(b'"', b"").replace(b"\t", b"")
    controls = bool(others.strip(b"\xc2")) or (bool(others) and _C1.search(data) is not None)
    return controls, len(others) < len(suspect)


def _valid_utf8(data: bytes) -> bool:
    """Whether `data` is UTF-8 as Python's strict decoder reads it (checked by Arrow, without making text)."""
    import pyarrow as pa

    offsets = pa.array([0, len(data)], pa.int64()).buffers()[1]
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while piece := fh.read(_CHUNK):
            digest.update(piece)
    return digest.hexdigest()


def _first_bad_byte(path: Path, encoding: str) -> tuple[int, int] | None:
    """Where `path` stops decoding as `encoding`: (byte offset, line); None when all of it decodes.

    The file is decoded a line at a time (at most _CHUNK bytes of a very long line at once), so the line
    named is the one holding the offending byte. A line break byte never occurs inside a UTF-8 or Big5
    character; for UTF-16 (BOM files only) the line is approximate.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset, line = 0, 1
    with path.open("rb") as fh:
        while True:
            piece = fh.readline(_CHUNK)
            try:
                decoder.decode(piece, final=not piece)
            except UnicodeDecodeError as exc:
                start = max(0, min(exc.start, len(piece)))
                return offset + start, line + piece.count(b"\n", 0, start)
            if not piece:
                return None
            offset += len(piece)
            line += piece.count(b"\n")


def detect_encoding(path: Path) -> tuple[str | None, str | None]:
    """(encoding, None) for a CSV file, or (None, why it cannot be read as text); see scan_csv."""
    encoding, why, _ = scan_csv(path)
    return encoding, why


def scan_csv(path: Path, *, chunked: bool = True) -> tuple[str | None, str | None, Scan | None]:
    """(encoding, None, its scan) for a CSV file, or (None, why it cannot be read as text, None).

    A file that is neither is judged by which reading gets further: a Big5 file with one bad byte names the
    line of that byte (not the first line with Chinese, where UTF-8 stops). A file that decodes is read once
    in large pieces; only one that does not is read again line by line to name where it stops. Without
    `chunked`, the scan takes neither chunks nor digest."""
    with path.open("rb") as fh:
        head = fh.read(4)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            scan = scan_file(path, encoding, chunked=chunked)
            if scan.decodes:
                return encoding, None, scan
            bad = _first_bad_byte(path, encoding)
            line = bad[1] if bad is not None else 1
            return None, f"starts like {ENCODING_NAMES[encoding]} but line {line} is not valid {encoding}", None
    scan = scan_file(path, "utf-8", chunked=chunked)
    if scan.decodes:
        return "utf-8", None, scan
    big5 = scan_file(path, "cp950", chunked=chunked)
    if big5.decodes:
        return "cp950", None, big5
    utf8_bad = _first_bad_byte(path, "utf-8")
    big5_bad = _first_bad_byte(path, "cp950")
    assert utf8_bad is not None and big5_bad is not None
    if big5_bad[0] > utf8_bad[0]:
        with path.open("rb") as fh:
            fh.seek(big5_bad[0])
            byte = fh.read(2)
        return None, (f"reads as Big5 (CP950) text up to line {big5_bad[1]}, where the bytes {byte.hex(' ')} "
                      "are not Big5; correct that line, or save the file as 'CSV UTF-8'"), None
    return None, (f"is neither UTF-8 (line {utf8_bad[1]} has an invalid byte) nor Big5/CP950 text; "
                  "save it as 'CSV UTF-8' or Big5"), None


def _close_name(name: str, registers: Sequence[str]) -> str | None:
    matches = difflib.get_close_matches(name.lower(), registers, n=1, cutoff=0.8)
    return matches[0] if matches else None


class RegisterFolder:
    """The register tables of a folder (or workbook). Use it as a context manager: files stay open while
    their rows are read. `problems` collects what is wrong with the files themselves, including errors met
    while rows are read; `present` names every register that has a file or sheet, readable or not."""

    def __init__(self, path: Path, registers: Sequence[str], *, digests: bool = True) -> None:
        self.path = path
        self.registers = tuple(registers)
        self.digests = digests
        self.tables: dict[str, Table] = {}
        self.present: set[str] = set()
        self.problems: list[Problem] = []
        self.format = "csv"
        self.workbook: Path | None = None
        self.unusable = False  # the folder itself is wrong: no register can be judged missing
        self._stack = ExitStack()
        try:
            self._open()
        except BaseException:
            self._stack.close()
            raise

    def __enter__(self) -> RegisterFolder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()

    def _problem(self, source: str, message: str, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem(source, row, column, message))

    # ------------------------------------------------------------ finding the files

    def _open(self) -> None:
        path = self.path
        if path.is_file() and path.suffix.lower() == WORKBOOK_SUFFIX:
            self._open_workbook(path)
            return
        if not path.is_dir():
            self._unusable(str(path), "no such folder (give a folder of CSV files or one .xlsx workbook)")
            return
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))
        books = [p for p in files if p.suffix.lower() == WORKBOOK_SUFFIX]
        csvs = [p for p in files if p.suffix.lower() == CSV_SUFFIX]
        if books and csvs:
            self._unusable(str(path), "holds both CSV files and a workbook; keep one or the other: "
                           f"{', '.join(p.name for p in books + csvs)}")
            return
        if len(books) > 1:
            self._unusable(str(path), f"holds {len(books)} workbooks ({', '.join(p.name for p in books)}); "
                           "keep one, with a sheet per register")
            return
        if books:
            self._open_workbook(books[0])
            return
        for file in csvs:
            self._open_csv(file)

    def _unusable(self, source: str, message: str) -> None:
        self.unusable = True
        self._problem(source, message)

    def _register_for(self, name: str, source: str) -> str | None:
        register = name.strip().lower()
        if register in self.registers:
            if register in self.present:
                self._problem(source, f"a second file or sheet for the register {register!r}")
                return None
            self.present.add(register)
            return register
        close = _close_name(register, self.registers)
        if close is not None:
            self._problem(source, f"is not a register; did you mean {close!r}?")
        return None

    # ------------------------------------------------------------ CSV

    def _open_csv(self, file: Path) -> None:
        register = self._register_for(file.stem, file.name)
        if register is None:
            return
        stamp = _stamp(file)
        encoding, why, scan = scan_csv(file, chunked=self.digests)
        if encoding is None or scan is None:
            self._problem(file.name, f"cannot be read: it {why}")
            return
        handle: IO[str] = self._stack.enter_context(file.open(encoding=encoding, newline=""))
        self._add_table(register, file.name, csv.reader(handle), encoding, scan.digest, scan.plain)
        if register in self.tables:
            table = self.tables[register]
            table.spans, table.path, table.stamp, table.columnar = scan.spans, file, stamp, True
            table.arrow = scan.arrow

    def take_digests(self) -> None:
        """The digest and chunks of each CSV file opened without them (read_folder(digests=False)), read once
        more: InputError when a file is not the one opened any more (its size or modification time changed).
        Safe in a worker thread while the folder's rows are no longer read (a first load's write)."""
        for table in self.tables.values():
            if table.digest is not None or table.path is None or table.encoding is None:
                continue
            scan = scan_file(table.path, table.encoding) if _stamp(table.path) == table.stamp else None
            if scan is None or not scan.decodes or scan.digest is None or _stamp(table.path) != table.stamp:
                raise InputError(f"{table.source} changed while it was being loaded; nothing was written: load "
                                 "the folder again")
            table.digest, table.spans = scan.digest, scan.spans

    # ------------------------------------------------------------ XLSX

    def _open_workbook(self, book: Path) -> None:
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        self.format = "xlsx"
        self.workbook = book
        try:
            check_workbook(book)  # before openpyxl holds any of it in memory
        except WorkbookTooLarge as exc:
            self._unusable(book.name, f"is refused before reading: it {exc}")
            return
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            self._unusable(book.name, f"cannot be opened as an .xlsx workbook: {exc}")
            return
        try:
            workbook = load_workbook(book, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            self._unusable(book.name, f"cannot be opened as an .xlsx workbook: {exc}")
            return
        self._stack.callback(workbook.close)
        digest = file_digest(book)
        for sheet in workbook.worksheets:
            source = f"{book.name}:{sheet.title}"
            register = self._register_for(sheet.title, source)
            if register is None:
                continue
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
            self._add_table(register, source, _sheet_rows(sheet.iter_rows(min_row=1, values_only=True)), None,
                            digest)

    # ------------------------------------------------------------ both

    def _add_table(self, register: str, source: str, rows: Iterable[list[str]], encoding: str | None,
                   digest: str | None = None, plain: bool = False) -> None:
        iterator = iter(rows)
        try:
            for number, cells in enumerate(iterator, start=1):
                if any(c.strip() for c in cells):
                    header = [c.strip().lstrip("\ufeff") for c in cells]
                    self.tables[register] = Table(register, source, header, number + 1, iterator, encoding,
                                                  digest, plain)
                    return
        except READ_ERRORS as exc:
            self._problem(source, f"cannot be read: {exc}")
            return
        self._problem(source, "is empty: row 1 must name the columns")


def _sheet_rows(rows: Iterable[Sequence[object]]) -> Iterator[list[str]]:
    """A sheet's rows as text cells, within the limits CSV registers have: no cell over MAX_CELL_CHARS
    characters, no row past MAX_ROWS, no column past MAX_COLUMNS (ValueError, reported at the row)."""
    from openpyxl.utils import get_column_letter

    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise ValueError(f"more than {MAX_ROWS:,} rows, the most a sheet has")
        if len(row) > MAX_COLUMNS:
            raise ValueError(f"more than {MAX_COLUMNS:,} columns, the most a sheet has")
        cells = [cell_text(v) for v in row]
        if max(map(len, cells), default=0) > MAX_CELL_CHARS:
            index = next(i for i, text in enumerate(cells) if len(text) > MAX_CELL_CHARS)
            raise ValueError(f"cell {get_column_letter(index + 1)}{number} holds {len(cells[index]):,} "
                             f"characters (at most {MAX_CELL_CHARS:,}, as in a CSV file)")
        yield cells


def read_folder(path: Path, registers: Sequence[str], *, digests: bool = True) -> RegisterFolder:
    """Open the register files of `path`; see RegisterFolder. Without `digests`, the CSV files' digests and
    chunks are taken later, by `take_digests` (a validation needs none; a first load, only for its record)."""
    return RegisterFolder(path, registers, digests=digests)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns

