"""Which quotes let Arrow's CSV reader read a file as the csv module does (loaders/csv_quotes): examples worked out
by hand, the answer the same however the bytes are fed, and the claim itself: whenever the quotes fit, Arrow, read
as the layout says, gives every cell as the csv module does."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from regtrace.loaders.csv_quotes import ArrowReading, QuoteLayout

# the bytes, whether a quoted cell holds a line break
FITTING = [
    (b'a,"b, c",d\r\n', False),  # a comma in a quoted cell
    (b'"a""b",c\n', False),  # an escaped quote
    (b'a,"",b\n', False),  # an empty quoted cell
    (b'""""\n', False),  # a cell that is one quote
    (b'"a"""\n', False),  # a cell ending with a quote
    (b'"x"', False),  # the file's end right after a closing quote
    (b'a,b\n"c",d', False),  # a quoted cell at a line's start
    (b'"a",\r\n"b"\r\n', False),
    (b"plain,line\n", False),
    (b'a\r"b",c\r', False),  # lines ended by a lone carriage return
    (b'a,"b\nc",d\n', True),  # a line feed in a quoted cell
    (b'a,"b\r\nc",d\r\n', True),  # a CRLF in one
    (b'a,"b\rc",d\n', True),  # a lone carriage return in one
    (b'"a\n""b""\n",c\n', True),  # line breaks and escaped quotes
]
NOT_FITTING = [
    b'a,5" screen\n',  # a quote inside an unquoted cell
    b'"a"b,c\n',  # text after a closing quote
    b'a, "b"\n',  # a space before an opening quote
    b'"abc\n',  # a quoted cell never closed
    b'a""b,c\n',  # quotes inside an unquoted cell
    b'"a"\n"b',  # the file ends within a quoted cell
    b'"a\nb"c,d\n',  # text after a closing quote, on the cell's second line
]


def fed(data: bytes, size: int) -> QuoteLayout:
    layout = QuoteLayout()
    for start in range(0, len(data), size):
        layout.feed(data[start:start + size])
    layout.finish()
    return layout


SIZES = (1, 2, 3, 7, 1 << 20)


@pytest.mark.parametrize(("data", "line_breaks"), FITTING)
def test_quotes_that_open_and_close_cells_fit(data: bytes, line_breaks: bool) -> None:
    for size in SIZES:
        layout = fed(data, size)
        assert layout.reading() == ArrowReading(b'"' in data, line_breaks), size


@pytest.mark.parametrize("data", NOT_FITTING)
def test_any_other_quote_does_not_fit(data: bytes) -> None:
    assert all(fed(data, size).reading() is None for size in SIZES)


def test_a_file_without_quotes_fits_and_is_not_quoted() -> None:
    assert fed(b"a,b\r\nc,d\r\n", 3).reading() == ArrowReading(False, False)
    assert fed(b'a,"b"\r\n', 3).reading() == ArrowReading(True, False)


def arrow_rows(data: bytes, width: int, reading: ArrowReading) -> list[list[str]] | None:
    """The rows as the column-wise validation reads the file (None: Arrow refuses it)."""
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(io.BytesIO(data), read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
                               parse_options=reading.parse_options(),
                               convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                                    strings_can_be_null=False,
                                                                    quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None
    columns = [table.column(name).to_pylist() for name in names]
    return [list(row) for row in zip(*columns, strict=True)]


CELL = st.text(st.sampled_from('ab契 ,"\r\n'), max_size=5)


@st.composite
def csv_bytes(draw: st.DrawFn) -> tuple[bytes, int]:
    """Rows of a few cells, each line written by the csv module (quoting as needed, or every cell) or its cells
    joined with commas as they are (quotes anywhere); any line ending."""
    width = draw(st.integers(1, 4))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        cells = draw(st.lists(CELL, min_size=width, max_size=width))
        how = draw(st.sampled_from(["joined", csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
        if how == "joined":
            lines.append(",".join(cells))
        else:
            out = io.StringIO()
            csv.writer(out, quoting=how, lineterminator="").writerow(cells)
            lines.append(out.getvalue())
    text = ending.join(lines) + (ending if draw(st.booleans()) else "")
    return text.encode("utf-8"), width


@settings(max_examples=400, deadline=None)
@given(csv_bytes(), st.integers(1, 9))
def test_where_the_quotes_fit_arrow_reads_every_cell_as_the_csv_module(drawn: tuple[bytes, int], size: int) -> None:
    """Whatever the bytes and however they are fed (the answer the same): when the quotes fit, Arrow read as the
    layout says (as the column-wise validation reads the file) gives the csv module's cells, or refuses the file
    (a row of another width: then the file is judged row-wise)."""
    data, width = drawn
    reading = fed(data, size).reading()
    assert reading == fed(data, len(data) + 1).reading()
    expected = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    if reading is None:
        event("does not fit")
        return
    assert reading.line_breaks == any("\r" in cell or "\n" in cell for row in expected for cell in row)
    got = arrow_rows(data, width, reading)
    event(f"fits{', line breaks in cells' if reading.line_breaks else ''}; "
          f"Arrow {'refused' if got is None else 'read it'}")
    if got is not None:  # a blank line: no cells for the csv module, empty ones for Arrow (declined as such)
        assert [row for row in got if any(row)] == [row for row in expected if any(row)]
