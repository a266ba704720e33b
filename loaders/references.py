"""References to other instruments: 「保險業作業委託他人處理應注意事項」第九點及第十六點 and the like."""

from __future__ import annotations

import re
from collections.abc import Collection

from regtrace.loaders.chinese_numerals import ARABIC_CHARS, NUMERAL_CHARS, parse_number
from regtrace.loaders.provision import Reference

QUOTATION = re.compile(r"「([^「」]+)」")
# A quoted name is an instrument only if it ends like one (a quoted term such as 「雲端服務」 is not).
INSTRUMENT_SUFFIXES: tuple[str, ...] = (
    "法", "條例", "通則", "規則", "細則", "準則", "規範", "要點", "事項", "標準", "原則", "規定", "須知",
    "守則", "指引", "程序",
)
_NUMBER = f"[{NUMERAL_CHARS}{ARABIC_CHARS}]+"
# One cited unit: 第九點, 第 9 條, 第三條第二項 (the parts below 條 or 點 are not kept).
_CITED = re.compile(rf"\s*第\s*(?P<number>{_NUMBER})\s*(?P<unit>條|點)(?:\s*第\s*{_NUMBER}\s*[項款目])*")
_JOINER = re.compile(r"\s*(?P<joiner>[、,，及與和或暨]|至)")


def mask_quotations(text: str, fill: str = "＿") -> str:
    """`text` with the inside of every 「…」 replaced by `fill` (same length), so titles hide their words."""
    return QUOTATION.sub(lambda m: "「" + fill * len(m.group(1)) + "」", text)


def is_instrument_name(name: str) -> bool:
    """Whether a quoted name reads as the title of an instrument rather than a quoted term."""
    return name.strip().endswith(INSTRUMENT_SUFFIXES)


def _cited_numbers(text: str, start: int) -> tuple[list[int], list[int]]:
    """The article (條) and point (點) numbers cited right after position `start`."""
    articles: list[int] = []
    points: list[int] = []
    position, range_from = start, None
    while match := _CITED.match(text, position):
        number, target = parse_number(match["number"]), articles if match["unit"] == "條" else points
        if range_from is not None and range_from < number:
            target.extend(range(range_from + 1, number))
        target.append(number)
        position = match.end()
        joiner = _JOINER.match(text, position)
        if joiner is None or not _CITED.match(text, joiner.end()):
            break
        range_from = number if joiner["joiner"] == "至" else None
        position = joiner.end()
    return articles, points


def find_references(text: str, exclude: Collection[str] = ()) -> list[Reference]:
    """References in `text`, one per instrument in order of first mention; names in `exclude` are skipped."""
    found: dict[str, tuple[list[int], list[int]]] = {}
    for match in QUOTATION.finditer(text):
        name = match.group(1).strip()
        if name in exclude or not is_instrument_name(name):
            continue
        articles, points = _cited_numbers(text, match.end())
        known = found.setdefault(name, ([], []))
        known[0].extend(articles)
        known[1].extend(points)
    return [
        Reference(name, tuple(sorted(set(articles))), tuple(sorted(set(points))))
        for name, (articles, points) in found.items()
    ]
