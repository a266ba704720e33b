"""Register cell values at their edges: ROC and ISO dates, flags, whole numbers, lists, Excel cells."""

from __future__ import annotations

import datetime as dt

import pytest
from regtrace.loaders.register_values import (
    CellError,
    cell_text,
    column_parser,
    memoisable,
    parse_bool,
    parse_date,
    parse_int,
    split_list,
)

D = dt.date(2026, 11, 29)


@pytest.mark.parametrize("text", [
    "2026-11-29", "民國115年11月29日", "115/11/29", "115-11-29", "115.11.29", "115年11月29日",
    "民國 115 年 11 月 29 日", "  115/11/29  ", "2026/11/29", "2026年11月29日", "１１５／１１／２９",
    "2026-11-29 13:45:00", "2026-11-29T00:00:00", "民國115年11月29",
])
def test_dates_iso_and_roc(text: str) -> None:
    assert parse_date(text) == D


@pytest.mark.parametrize("text", [
    "", "   ", "115/2/30", "2026-02-30", "2026-13-01", "0/1/1", "民國2026年11月29日", "115/11", "29/11/2026",
    "11/29/115", "明天", "2026-11-29x", "115//11/29", "1151129",
])
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None


def test_roc_year_edges() -> None:
    assert parse_date("民國1/1/1") == dt.date(1912, 1, 1)  # a short 民國 year needs 民國 before it
    assert parse_date("001/01/01") == dt.date(1912, 1, 1)  # or three digits, as Taiwanese systems pad it
    assert parse_date("民國289年12月31日") == dt.date(2200, 12, 31)
    assert parse_date("民國113年2月29日") == dt.date(2024, 2, 29)  # leap year in ROC 113
    assert parse_date("民國114年2月29日") is None


@pytest.mark.parametrize(("text", "value"), [
    ("Y", True), ("y", True), ("N", False), ("n", False), ("是", True), ("否", False), ("TRUE", True),
    ("true", True), ("False", False), ("1", True), ("0", False), (" yes ", True), ("No", False),
])
def test_booleans(text: str, value: bool) -> None:
    assert parse_bool(text) is value


@pytest.mark.parametrize("text", ["", " ", "maybe", "2", "對", "T", "YN"])
def test_not_booleans(text: str) -> None:
    assert parse_bool(text) is None


def test_integers() -> None:
    assert parse_int("12") == 12
    assert parse_int(" -3 ") == -3
    assert parse_int("12.0") == 12
    for bad in ("", "1.5", "1_000", "twelve", "12個月", "1e3"):
        assert parse_int(bad) is None


def test_lists_trim_and_drop_empties() -> None:
    assert split_list(" A6.P1.I1 ; ;A6.P1.I2;；A7 ") == ["A6.P1.I1", "A6.P1.I2", "A7"]
    assert split_list("") == []
    assert split_list(";;") == []
    assert split_list("*") == ["*"]


def test_excel_cells_become_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(dt.datetime(2026, 11, 29, 0, 0)) == "2026-11-29"
    assert cell_text(dt.datetime(2026, 11, 29, 15, 30)) == "2026-11-29"
    assert cell_text(dt.date(2026, 11, 29)) == "2026-11-29"
    assert cell_text(True) == "true"
    assert cell_text(False) == "false"
    assert cell_text(12.0) == "12"
    assert cell_text(12.5) == "12.5"
    assert cell_text(7) == "7"
    assert cell_text(" text ") == " text "
    assert parse_date(cell_text(dt.datetime(2026, 11, 29))) == D


def test_column_parsers_raise_with_a_message_only_for_bad_cells() -> None:
    date = column_parser("date")
    assert date is not None
    assert date("115/11/29") == D
    with pytest.raises(CellError, match=r"'115/2/30' is not a date \(use 2026-11-29"):
        date("115/2/30")
    flag = column_parser("boolean")
    assert flag is not None
    assert flag("是") is True
    with pytest.raises(CellError, match="is not yes or no"):
        flag("maybe")
    number = column_parser("integer")
    assert number is not None
    with pytest.raises(CellError, match="not a whole number"):
        number("six")
    assert column_parser("string") is None  # free text is kept as it is


def test_enumerations_are_case_insensitive_and_canonical() -> None:
    model = column_parser("string", allowed=("IaaS", "PaaS", "SaaS"))
    assert model is not None
    assert model("iaas") == "IaaS"
    assert model("SAAS") == "SaaS"
    with pytest.raises(CellError, match="'FaaS' is not one of IaaS, PaaS, SaaS"):
        model("FaaS")


def test_patterns() -> None:
    sha = column_parser("string", pattern="^[0-9a-f]{64}$")
    assert sha is not None
    good = "a" * 64
    assert sha(good) == good
    for bad in ("A" * 64, "a" * 63, "g" * 64, "a" * 65):
        with pytest.raises(CellError, match="64 lowercase hex digits"):
            sha(bad)


def test_list_columns_parse_each_item() -> None:
    dates = column_parser("date", many=True)
    assert dates is not None
    assert dates("115/11/29; 2026-11-30") == [D, dt.date(2026, 11, 30)]
    with pytest.raises(CellError):
        dates("115/11/29;soon")
    ids = column_parser(None, many=True)
    assert ids is not None
    assert ids("ARR-1; ARR-2;") == ["ARR-1", "ARR-2"]


def test_memoisable_columns() -> None:
    assert memoisable("date") and memoisable("boolean") and memoisable("string", ("a", "b"))
    assert not memoisable("string") and not memoisable("integer") and not memoisable(None)
