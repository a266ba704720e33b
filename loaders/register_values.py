"""Register cell values: text to booleans, dates (ISO and ROC 民國), integers and ';' lists.

Every cell arrives as text (`cell_text` turns an openpyxl cell value into the same text a CSV would hold).
A blank cell (empty after trimming) is missing and never reaches a parser. `column_parser` builds one parser
per column, once: it returns the parsed value or raises `CellError` with a message for the user (only bad
cells raise). Columns whose texts repeat (`memoisable`) can cache the parsed value of each text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence

from regtrace.ontology.model import Datatype

Parser = Callable[[str], object]

ROC_OFFSET = 1911  # 民國 year + 1911 = Gregorian year
LIST_SEPARATORS = re.compile(r"[;；]")
_TRUE = frozenset({"y", "yes", "true", "1", "是"})
_FALSE = frozenset({"n", "no", "false", "0", "否"})
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_NUMERIC = re.compile(r"(?:(民國)\s*)?(\d{1,4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})")
_WORDED = re.compile(r"(?:(民國)\s*)?(\d{1,4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_INTEGER = re.compile(r"[+-]?\d+")
DATE_HINT = "use 2026-11-29, 115/11/29 or 民國115年11月29日"
BOOLEAN_HINT = "use Y/N, 是/否, true/false or 1/0"
PATTERN_HINTS = {
    "^[0-9a-f]{64}$": "64 lowercase hex digits",
    "^[A-Z]{2}$": "an ISO 3166-1 alpha-2 country code in capitals (TW, SG, JP, US …)",
}


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message is meant for the user."""


def cell_text(value: object) -> str:
    """An openpyxl cell value as the text a CSV cell would hold (Excel dates become ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_bool(text: str) -> bool | None:
    """Y/N, 是/否, true/false, 1/0 (any case) as a bool; None when the text is not one of them."""
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


def _date(year: int, month: int, day: int, roc: bool) -> dt.date | None:
    if roc:
        if year < 1:
            return None
        year += ROC_OFFSET
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    """ISO (2026-11-29) or ROC (民國115年11月29日, 115/11/29, 115-11-29) as a date; None when not a date.

    A year of four digits is Gregorian (2026/11/29 too), a shorter one is a ROC year unless it is 0.
    Full-width digits and separators are accepted.
    """
    text = text.strip()
    match = _ISO.fullmatch(text)
    if match is not None:
        return _date(int(match[1]), int(match[2]), int(match[3]), roc=False)
    text = unicodedata.normalize("NFKC", text)
    match = _NUMERIC.fullmatch(text) or _WORDED.fullmatch(text)
    if match is None:
        return None
    roc = match[1] is not None or len(match[2]) < 4
    if match[1] is not None and len(match[2]) == 4:
        return None  # 民國2026年 is a mistake, not year 3937
    return _date(int(match[2]), int(match[3]), int(match[4]), roc=roc)


def parse_int(text: str) -> int | None:
    """A whole number (also '12.0' as Excel writes it); None when the text is not one."""
    text = text.strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    if text.endswith(".0") and _INTEGER.fullmatch(text[:-2]):
        return int(text[:-2])
    return None


def split_list(text: str) -> list[str]:
    """A ';'-separated list (full-width '；' too): items trimmed, empty items dropped."""
    return [item for item in (part.strip() for part in LIST_SEPARATORS.split(text)) if item]


def _checked(parse: Callable[[str], object | None], message: Callable[[str], str]) -> Callable[[str], object]:
    def parser(text: str) -> object:
        value = parse(text)
        if value is None:
            raise CellError(message(text))
        return value

    return parser


def _enumeration(allowed: Sequence[str]) -> Callable[[str], object]:
    canonical = {a.casefold(): a for a in allowed}
    choices = ", ".join(allowed)

    def parser(text: str) -> object:
        value = canonical.get(text.casefold())
        if value is None:
            raise CellError(f"{text!r} is not one of {choices}")
        return value

    return parser


def _patterned(pattern: str) -> Callable[[str], object]:
    compiled = re.compile(pattern)
    hint = PATTERN_HINTS.get(pattern, f"the pattern {pattern}")

    def parser(text: str) -> object:
        if compiled.search(text) is None:
            raise CellError(f"{text!r} does not match {hint}")
        return text

    return parser


def scalar_parser(datatype: Datatype | None, allowed: Sequence[str] = (), pattern: str | None = None) -> Parser | None:
    """The parser of one value of a column; None for free text kept as it is (already trimmed)."""
    if datatype == "boolean":
        return _checked(parse_bool, lambda t: f"{t!r} is not yes or no ({BOOLEAN_HINT})")
    if datatype == "date":
        return _checked(parse_date, lambda t: f"{t!r} is not a date ({DATE_HINT})")
    if datatype == "integer":
        return _checked(parse_int, lambda t: f"{t!r} is not a whole number")
    if allowed:
        return _enumeration(allowed)
    if pattern is not None:
        return _patterned(pattern)
    return None


def memoisable(datatype: Datatype | None, allowed: Sequence[str] = ()) -> bool:
    """Whether a column's values repeat enough (flags, dates, enumerations) to parse each text only once."""
    return datatype in ("boolean", "date") or bool(allowed)


def column_parser(datatype: Datatype | None, *, many: bool = False, allowed: Sequence[str] = (),
                  pattern: str | None = None) -> Parser | None:
    """The parser of a non-blank, trimmed cell of a column: one value, or a list of values when `many`."""
    one = scalar_parser(datatype, allowed, pattern)
    if not many:
        return one
    if one is None:
        return split_list

    def parse_list(text: str) -> object:
        return [one(item) for item in split_list(text)]

    return parse_list
