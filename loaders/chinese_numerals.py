"""Numbers as regulations write them: 一 … 十一 … 二十, formal 壹貳參, and Arabic digits (half or full width)."""

from __future__ import annotations

DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "兩": 2, "貳": 2, "三": 3, "參": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
MYRIAD: dict[str, int] = {"萬": 10_000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS) + "".join(MYRIAD)
ARABIC_CHARS = "0123456789０１２３４５６７８９"
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_SMALL = "一二三四五六七八九"


def parse_number(text: str) -> int:
    """The value of `text` written in Arabic digits or Chinese numerals; ValueError if it is neither."""
    text = text.strip()
    if not text:
        raise ValueError("empty number")
    if all(c in ARABIC_CHARS for c in text):
        return int(text.translate(_FULL_WIDTH_DIGITS))
    return _parse_chinese(text)


def _parse_chinese(text: str) -> int:
    total = section = 0
    digit: int | None = None
    for char in text:
        if char in DIGITS:
            if digit not in (None, 0) and DIGITS[char] != 0:
                raise ValueError(f"not a Chinese numeral: {text!r} (two digits in a row)")
            digit = DIGITS[char]
        elif char in UNITS:
            section += (1 if digit is None else digit) * UNITS[char]
            digit = None
        elif char in MYRIAD:
            total += (section + (digit or 0) or 1) * MYRIAD[char]
            section, digit = 0, None
        else:
            raise ValueError(f"not a number: {text!r}")
    return total + section + (digit or 0)


def to_chinese(number: int) -> str:
    """`number` (1–9999) in Chinese numerals as labels write it: 十, 十一, 二十, 一百零一."""
    if not 1 <= number <= 9999:
        raise ValueError(f"out of range for a label: {number}")
    parts: list[str] = []
    pending_zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        if not (unit == "十" and digit == 1 and not parts):
            parts.append(_SMALL[digit - 1])
        parts.append(unit)
    return "".join(parts)
