"""Chunks cut from a CSV file's bytes as it is scanned (loaders/register_chunks.py, register_reader.scan_file):
every chunk ends where a record ends, so each chunk read alone with the csv module gives exactly its rows (a
quoted cell spanning lines included, in UTF-8 and in Big5); a changed or inserted row changes the digest of the
chunk holding it and no other; a quote the csv module reads as a plain character leaves the file without chunks
(its reload reads it whole)."""

from __future__ import annotations

import csv
import io
import zlib
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from regtrace.loaders.register_chunks import ROW_BITS, ByteChunker, Span
from regtrace.loaders.register_reader import scan_csv, scan_file

MASK = (1 << ROW_BITS) - 1


def ends_a_chunk(line: bytes, record: bool = True) -> bool:
    """Whether a line (its bytes without the line feed) has the CRC-32 a chunk boundary needs: a record's line
    taken as ended by CRLF (a carriage return added to an LF line), a line within a quoted cell as it is."""
    return not zlib.crc32(line + b"\r" if record and not line.endswith(b"\r") else line) & MASK


def first_such(make: Callable[[int], str], encoding: str, boundary: bool, record: bool = True) -> str:
    """The first text make(0), make(1), ... whose line would (or would not) end a chunk."""
    return next(text for n in range(10_000)
                if ends_a_chunk((text := make(n)).encode(encoding), record) is boundary)


def rows_text(n: int, *, multiline: bool, encoding: str = "utf-8", newline: str = "\n") -> str:
    """A header and n rows, one a line (each ended by `newline`); with `multiline`, every 7th row's title is a
    quoted cell over two lines (a line feed within it) whose first line would end a chunk were the quote ignored,
    and every 5th holds a comma and an escaped quote."""
    lines = ["evidence_id,control_id,title"]
    for i in range(n):
        start = f"EV{i:05d},CTL{i % 40:03d},"
        if multiline and i % 7 == 0:
            lines.append(first_such(lambda k, s=start, i=i: f'{s}"第一行 {i} {k}', encoding, True, False)
                         + '\n第二行"')
        elif multiline and i % 5 == 0:
            lines.append(f'{start}"標題, 含 ""引號"" {i}"')
        else:
            lines.append(f"{start}佐證 {i}")
    return newline.join(lines) + newline


def chunked(data: bytes, piece: int, start: int = 0) -> ByteChunker:
    chunker = ByteChunker(start=start)
    for at in range(start, len(data), piece):
        chunker.feed(data[at:at + piece])
    chunker.finish()
    return chunker


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("encoding", ["utf-8", "cp950"])
@pytest.mark.parametrize("piece", [97, 1 << 20])
def test_each_chunk_read_alone_gives_its_rows(encoding: str, piece: int) -> None:
    """Chunks fed in pieces of any size, in UTF-8 or Big5: the rows of the chunks, each read alone, are the
    file's rows; a line inside a quoted cell whose CRC-32 would end a chunk does not."""
    text = rows_text(3000, multiline=True, encoding=encoding)
    data = text.encode(encoding)
    spans = chunked(data, piece).spans()
    assert spans is not None and len(spans) > 20
    assert sum(s.length for s in spans) == len(data) and spans[0].offset == 0
    assert all(a.offset + a.length == b.offset for a, b in pairwise(spans))
    rows: list[list[str]] = []
    for span in spans:
        rows.extend(parsed(data[span.offset:span.offset + span.length].decode(encoding)))
    assert rows == parsed(text)
    inside = [line for line in text.split("\n") if '"第一行' in line]
    assert len(inside) == 3000 // 7 + 1 and all(ends_a_chunk(line.encode(encoding), False)
                                                    for line in inside)
    assert len(rows) == 3001


def test_the_digests_do_not_depend_on_the_piece_sizes() -> None:
    data = rows_text(2000, multiline=True).encode()
    assert chunked(data, 1 << 20).spans() == chunked(data, 13).spans()
    assert chunked(data, 1 << 20).digest() == chunked(data, 13).digest()


def test_a_changed_row_changes_one_chunk_and_an_inserted_row_moves_no_boundary() -> None:
    """The first row from the 1000th on whose line ends no chunk changed (no boundary after it either): the file
    keeps its chunks but one, whose digest changes. A row inserted (no boundary either): one chunk differs, no
    other chunk moved."""
    lines = rows_text(3000, multiline=False).split("\n")
    at = next(i for i in range(1001, len(lines)) if not ends_a_chunk(lines[i].encode()))
    edited = first_such(lambda k: lines[at].replace("佐證", f"改 {k}"), "utf-8", False)
    changed = [*lines[:at], edited, *lines[at + 1:]]
    inserted = [*lines[:1501], first_such(lambda k: f"EV99999,CTL001,新增 {k}", "utf-8", False), *lines[1501:]]
    old = chunked("\n".join(lines).encode(), 4096).spans()
    assert old is not None
    for after in (changed, inserted):
        new = chunked("\n".join(after).encode(), 4096).spans()
        assert new is not None and len(new) == len(old)
        assert sum((Counter(s.digest for s in new) - Counter(s.digest for s in old)).values()) == 1
        assert sum((Counter(s.digest for s in old) - Counter(s.digest for s in new)).values()) == 1


@pytest.mark.parametrize("body", [
    'EV1,CTL001,5" screen\nEV2,CTL002,x\n',  # a quote inside an unquoted cell: a plain character to the csv module
    'EV1,CTL001,"a"b\nEV2,CTL002,x\n',  # text after a closing quote
    'EV1,CTL001, "a"\nEV2,CTL002,x\n',  # a space before an opening quote
    'EV1,CTL001,"never closed\nEV2,CTL002,x\n',  # the file ends within a quoted cell
])
def test_a_quote_the_parity_cannot_read_leaves_the_file_without_chunks(body: str) -> None:
    data = ("evidence_id,control_id,title\n" + body).encode()
    chunker = chunked(data, 8)
    assert chunker.spans() is None
    other = chunked(data.replace(b"EV2", b"EV3"), 8)
    assert chunker.digest() != other.digest()  # the file's digest still covers every byte


def test_escaped_quotes_empty_quoted_cells_and_crlf_keep_the_chunks() -> None:
    text = rows_text(400, multiline=True).replace("\n", "\r\n") + 'EV1,"say ""hi""",""\r\n"EV2","a,b","x\r\ny"'
    data = text.encode()
    spans = chunked(data, 5).spans()
    assert spans is not None and len(spans) > 1
    rows = [r for s in spans for r in parsed(data[s.offset:s.offset + s.length].decode())]
    assert rows == parsed(text) and rows[-2:] == [["EV1", 'say "hi"', ""], ["EV2", "a,b", "x\r\ny"]]


def chunk_rows(data: bytes, spans: list[Span]) -> list[list[list[str]]]:
    return [parsed(data[s.offset:s.offset + s.length].decode()) for s in spans]


def test_a_file_saved_with_other_line_endings_has_the_same_chunks_and_digests() -> None:
    """The same rows ending in CRLF or in LF (a register saved again by another tool): the same chunks, each
    holding the same rows, with the same digests (their lengths differ by the carriage returns), in pieces of any
    size; the files' digests differ. A line break within a quoted cell is the cell's own: turned from LF to CRLF
    as well, it changes the rows of the chunks holding one, and the digests of those chunks alone."""
    lf = rows_text(3000, multiline=True).encode()
    crlf = rows_text(3000, multiline=True, newline="\r\n").encode()
    assert parsed(lf.decode()) == parsed(crlf.decode()) and len(crlf) == len(lf) + 3001
    old, new = chunked(lf, 4096).spans(), chunked(crlf, 97).spans()
    assert old is not None and new is not None and len(old) > 20
    assert new == chunked(crlf, 1 << 20).spans()
    assert [s.digest for s in new] == [s.digest for s in old]
    assert sum(s.length for s in new) == len(crlf) and all(b.length > a.length for a, b in zip(old, new, strict=True))
    assert chunk_rows(crlf, new) == chunk_rows(lf, old)
    assert chunked(lf, 4096).digest() != chunked(crlf, 4096).digest()
    every = lf.replace(b"\n", b"\r\n")  # the cells' line breaks too: 429 titles differ
    spans = chunked(every, 4096).spans()
    assert spans is not None and len(spans) == len(old)
    same = [a.digest == b.digest for a, b in zip(old, spans, strict=True)]
    assert same == [a == b for a, b in zip(chunk_rows(lf, old), chunk_rows(every, spans), strict=True)]
    assert any(same) and not all(same)


def test_a_carriage_return_in_a_quoted_cell_is_the_cells_own() -> None:
    """Only a record's CRLF ending loses its carriage return in the digest: a cell holding CRLF and one holding
    LF differ, and so do their chunks."""
    head = "evidence_id,control_id,title\r\n"
    crlf, lf = (f'{head}EV1,CTL001,"x{cell}y"\r\nEV2,CTL002,z\r\n'.encode() for cell in ("\r\n", "\n"))
    assert parsed(crlf.decode()) != parsed(lf.decode())
    assert chunked(crlf, 7).spans() != chunked(lf, 7).spans()
    assert chunked(crlf, 7).digest() != chunked(lf, 7).digest()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("text", "plain"), [
    ("id,title\nEV1,佐證一\n", True),
    ("id,title\nEV1,佐證\t一\n", False),  # a tab
    ("id,title\nEV1,佐證\u0085一\n", False),  # a C1 control character (NEL)
    ("id,title\nEV1,\u00e9t\u00e9\n", True),  # U+00E9: the lead byte of C1 controls in UTF-8, but no control
    ("id,title\nEV1,\"佐證\"\n", False),  # a quote
    ("id,title\nEV1,佐證\x7f\n", False),
])
def test_a_utf8_file_is_judged_plain_on_its_bytes(tmp_path: Path, text: str, plain: bool) -> None:
    scan = scan_file(_write(tmp_path / "a.csv", text.encode()), "utf-8")
    assert scan.decodes and scan.plain is plain


@pytest.mark.parametrize("data", [b"id\nEV1,\xed\xa0\x80\n", b"id\nEV1,\xc0\xaf\n", b"id\nEV1,\xe4\xb8\n"])
def test_bytes_python_refuses_as_utf8_are_not_utf8(tmp_path: Path, data: bytes) -> None:
    """A surrogate, an overlong form, a character cut short: not UTF-8 (as Python's strict decoder says)."""
    assert not scan_file(_write(tmp_path / "a.csv", data), "utf-8").decodes


def test_a_big5_file_and_a_bom_file_are_cut_and_read(tmp_path: Path) -> None:
    text = rows_text(500, multiline=True)
    encoding, _, scan = scan_csv(_write(tmp_path / "big5.csv", text.encode("cp950")))
    assert encoding == "cp950" and scan is not None and scan.spans is not None and len(scan.spans) > 2
    bom = b"\xef\xbb\xbf" + text.encode()
    encoding, _, scan = scan_csv(_write(tmp_path / "bom.csv", bom))
    assert encoding == "utf-8-sig" and scan is not None and scan.spans is not None
    first = scan.spans[0]
    assert first.offset == 0 and parsed(bom[:first.length].decode("utf-8-sig"))[0] == [
        "evidence_id", "control_id", "title"]
    encoding, _, scan = scan_csv(_write(tmp_path / "utf16.csv", text.encode("utf-16")))
    assert encoding == "utf-16" and scan is not None and scan.spans is None  # read whole on a reload


def test_a_character_cut_by_the_megabyte_pieces_is_still_utf8(tmp_path: Path) -> None:
    """1,200,000 bytes of three-byte characters on one line: the first megabyte ends inside one."""
    text = "中" * 400_000 + "\n"
    assert scan_file(_write(tmp_path / "a.csv", text.encode()), "utf-8").decodes
    assert not scan_file(_write(tmp_path / "b.csv", text.encode()[:-2] + b"\xff\n"), "utf-8").decodes


def test_a_file_without_line_feeds_is_one_chunk_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Carriage returns alone end its lines (an old Mac export): no line feed to cut at, so the file is one
    chunk; past LONGEST_LINE bytes without one it gets none (its reload reads it whole), its digest still
    taken from every byte."""
    from regtrace.loaders import register_chunks

    text = rows_text(300, multiline=False).replace("\n", "\r")
    spans = scan_file(_write(tmp_path / "a.csv", text.encode()), "utf-8").spans
    assert spans is not None and len(spans) == 1 and spans[0].length == len(text.encode())
    monkeypatch.setattr(register_chunks, "LONGEST_LINE", 1000)
    chunker = chunked(text.encode(), 300)
    assert chunker.spans() is None
    assert chunker.digest() != chunked(text.replace("EV00299", "EV00298").encode(), 300).digest()
