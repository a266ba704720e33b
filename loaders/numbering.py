"""Provision numbers and ids, inserted numbers included.

Amendments insert a provision without renumbering the ones after it: 第十條之一 (cited 第 10-1 條) sits
between 第十條 and 第十一條, 六之一、 between items 六、 and 七、. A number is therefore a pair (number,
insertion): 十 is (10, 0), 十之一 is (10, 1), 十之二 is (10, 2). In an id the insertion follows a hyphen,
as the Arabic citation writes it: `A10-1`, `A4.P1.I6-1`, `A7.P1.I5.S1-1.N2-1`; paragraphs (項) are not
numbered in the text and never carry one. Labels follow the Chinese citation: 第十條之一, 第六款之一,
第一目之一, 第2點之1.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from regtrace.loaders.chinese_numerals import to_chinese

if TYPE_CHECKING:
    from regtrace.loaders.provision import Level

Number = tuple[int, int]  # (number, insertion); insertion 0 for an original provision

_SEGMENT = r"\d+(?:-\d+)?"
# The canonical provision id: A{article}.P{paragraph}.I{item}.S{sub-item}.N{point}, as deep as it goes.
PROVISION_ID = re.compile(
    rf"A{_SEGMENT}(?:\.P\d+(?:\.I{_SEGMENT}(?:\.S{_SEGMENT}(?:\.N{_SEGMENT})?)?)?)?"
)
PROVISION_ID_HINT = "provision ids look like A6.P1.I1, A7.P1.I5.S1.N1 or, for inserted ones, A10-1.P1 and A4.P1.I6-1"

_ID_PREFIXES: dict[Level, str] = {"article": "A", "paragraph": "P", "item": "I", "subitem": "S", "point": "N"}
_LABEL_UNITS: dict[Level, str] = {"article": "條", "paragraph": "項", "item": "款", "subitem": "目", "point": "點"}
_ARTICLE = re.compile(r"A(\d+)(?:-(\d+))?")


def numeral(number: int) -> str:
    """`number` in Chinese numerals when it can be written so, else in Arabic digits."""
    return to_chinese(number) if 1 <= number <= 9999 else str(number)


def segment(number: Number) -> str:
    """The id form of a number: `10`, `10-1`."""
    return f"{number[0]}-{number[1]}" if number[1] else str(number[0])


def provision_id(path: list[tuple[Level, Number]]) -> str:
    """`A4.P1.I6-1` from the (level, number) pairs of a provision and its ancestors."""
    return ".".join(f"{_ID_PREFIXES[level]}{segment(number)}" for level, number in path)


def unit_label(level: Level, number: Number) -> str:
    """One level of a label: 第十條之一, 第三項, 第六款之一, 第2點之1 (points in Arabic digits)."""
    if level == "point":
        return f"第{number[0]}點" + (f"之{number[1]}" if number[1] else "")
    return f"第{numeral(number[0])}{_LABEL_UNITS[level]}" + (f"之{numeral(number[1])}" if number[1] else "")


def provision_label(path: list[tuple[Level, Number]]) -> str:
    """`第七條第一項第五款第一目第2點`, `第十條之一第一項`."""
    return "".join(unit_label(level, number) for level, number in path)


def successors(last: Number | None) -> tuple[Number, ...]:
    """The numbers that may follow `last` in a list: the next one, or one inserted after it (之一, 之二…)."""
    if last is None:
        return ((1, 0),)
    return ((last[0] + 1, 0), (last[0], last[1] + 1))


def article_key(provision_id: str) -> Number:
    """The article number of a provision id: (10, 1) for `A10-1.P2`; ValueError if it is no id."""
    match = _ARTICLE.match(provision_id)
    if match is None:
        raise ValueError(f"not a provision id: {provision_id!r}")
    return int(match[1]), int(match[2] or 0)
