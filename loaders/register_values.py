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
FIRST_YEAR, LAST_YEAR = 1911, 2200  # dates outside are typing mistakes (9999-12-31, 0026-11-29, 民國1150年)
LAST_ROC_YEAR = LAST_YEAR - ROC_OFFSET  # 民國289年
# Integers fit a signed 32-bit number: every store, JavaScript and Excel hold them exactly.
INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1
# Control characters are never data: NUL and the C0/C1 controls are refused everywhere; tab and line
# breaks only where free text may hold them (a name or title), never in ids, dates, numbers or choices.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
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


def control_problem(text: str, pattern: re.Pattern[str] = CONTROL) -> str | None:
    """What is wrong when `text` holds a control character `pattern` refuses; None when it holds none."""
    match = pattern.search(text)
    if match is None:
        return None
    char = match[0]
    names = {"\x00": "NUL", "\t": "a tab", "\n": "a line break", "\r": "a carriage return"}
    name = names.get(char, "a control character")
    return (f"holds {name} (U+{ord(char):04X}) at character {match.start() + 1}: control characters are not "
            "text; remove it (tabs and line breaks only in free text such as names and titles)")


def parse_bool(text: str) -> bool | None:
    """Y/N, 是/否, true/false, 1/0 (any case) as a bool; None when the text is not one of them."""
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


def _date(text: str, year: int, month: int, day: int, roc: bool) -> dt.date:
    gregorian = year + ROC_OFFSET if roc else year
    if roc and not 1 <= year <= LAST_ROC_YEAR:
        raise CellError(f"{text!r}: 民國 year {year} is outside 1–{LAST_ROC_YEAR} "
                        f"({FIRST_YEAR + 1}–{LAST_YEAR}); {DATE_HINT}")
    if not roc and not FIRST_YEAR <= gregorian <= LAST_YEAR:
        raise CellError(f"{text!r}: the year {year} is outside {FIRST_YEAR}–{LAST_YEAR} "
                        f"(民國1–{LAST_ROC_YEAR}); {DATE_HINT}")
    if not 1 <= month <= 12:
        raise CellError(f"{text!r} is not a date ({DATE_HINT}): there is no month {month}")
    try:
        return dt.date(gregorian, month, day)
    except ValueError:
        raise CellError(f"{text!r} is not a date ({DATE_HINT}): month {month} of {gregorian} has no "
                        f"day {day}") from None


def read_date(text: str) -> dt.date:
    """ISO (2026-11-29) or ROC (民國115年11月29日, 115/11/29, 115-11-29) as a date; CellError saying why not.

    A year of four digits is Gregorian (2026/11/29 too); one of three digits is a 民國 year (115/11/29,
    099/12/31 as Taiwanese systems pad it). A year of one or two digits is refused unless 民國 comes before
    it: 26/11/29 could be 民國26年 (1937) or 2026, and a wrong guess moves a date by 89 years. Years run
    from 1911 to 2200 (民國1–289). Full-width digits and separators are accepted.
    """
    text = text.strip()
    match = _ISO.fullmatch(text)
    if match is not None:
        return _date(text, int(match[1]), int(match[2]), int(match[3]), roc=False)
    normal = unicodedata.normalize("NFKC", text)
    match = _NUMERIC.fullmatch(normal) or _WORDED.fullmatch(normal)
    if match is None:
        raise CellError(f"{text!r} is not a date ({DATE_HINT})")
    marked, digits = match[1] is not None, len(match[2])
    if marked and digits == 4:
        raise CellError(f"{text!r}: 民國 with a four-digit year is not a date ({DATE_HINT})")  # not year 3937
    if not marked and digits <= 2:
        raise CellError(f"{text!r}: a year of {digits} digit(s) is ambiguous (民國{int(match[2])}年 is "
                        f"{int(match[2]) + ROC_OFFSET}, not 20{match[2]:0>2}); write the whole year: "
                        f"{DATE_HINT}, or 民國 before a short 民國 year")
    return _date(text, int(match[2]), int(match[3]), int(match[4]), roc=marked or digits < 4)


def parse_date(text: str) -> dt.date | None:
    """read_date, or None when the text is not a date it accepts."""
    try:
        return read_date(text)
    except CellError:
        return None


def read_int(text: str) -> int:
    """A whole number (also '12.0' as Excel writes it) within INTEGER_MIN..INTEGER_MAX; CellError if not."""
    text = text.strip()
    digits = text[:-2] if text.endswith(".0") else text
    if not _INTEGER.fullmatch(digits):
        raise CellError(f"{text!r} is not a whole number")
    if len(digits.lstrip("+-").lstrip("0")) > 10:  # never int() a 5,000-digit text (Python refuses them)
        shown = text if len(text) <= 30 else f"{text[:20]}… ({len(text):,} characters)"
        raise CellError(f"{shown!r} is too large (a whole number from {INTEGER_MIN:,} to {INTEGER_MAX:,})")
    value = int(digits)
    if not INTEGER_MIN <= value <= INTEGER_MAX:
        raise CellError(f"{text!r} is too large (a whole number from {INTEGER_MIN:,} to {INTEGER_MAX:,})")
    return value


def parse_int(text: str) -> int | None:
    """read_int, or None when the text is not a whole number it accepts."""
    try:
        return read_int(text)
    except CellError:
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
        return read_date
    if datatype == "integer":
        return read_int
    if allowed:
        return _enumeration(allowed)
    if pattern is not None:
        return _patterned(pattern)
    return None


def pattern_search(datatype: Datatype | None, *, many: bool = False, allowed: Sequence[str] = (),
                   pattern: str | None = None) -> Callable[[str], object] | None:
    """For a column whose only check is a pattern (a cell's value is its text): the compiled pattern's search,
    to judge many cells at once (a cell is valid when it returns a match). None for any other column."""
    if many or allowed or pattern is None or datatype in ("boolean", "date", "integer"):
        return None
    return re.compile(pattern).search


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
