"""Deontic markers: 應 (shall), 不得 (must not), 宜 (should), 得 / 可 as permission (may), and their traps.

A marker is a character with force; many words contain the same characters without it: 應用程式,
因應, 供應, 相應, 對應, 應變 (response), 取得 / 獲得 (obtain), 事宜 (matters), 可能 (possibly), and 可
meaning "can" (是否可將系統遷移 = whether the system can be migrated). Words inside 「…」 are the titles of
instruments (「…應注意事項」) and never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from regtrace.loaders.provision import MODALITY_STRENGTH, Modality
from regtrace.loaders.references import mask_quotations

# Words that contain a marker character without its force. A trap that starts before the marker character
# (因應) is found first because the scan runs left to right; one that starts on it (應用) is tried before it.
_TRAPS = "|".join((
    # 應
    r"應用", r"應變(?!更)", r"(?<!原)因應", r"(?<!提)供應", r"相應", r"(?<!針)對應", r"反應",
    r"(?<![收撤取移買退送返])回應", r"響應", r"(?<!合)適應", r"感應", r"呼應", r"(?<!有)效應", r"答應",
    r"順應",
    # 得
    r"取得", r"獲得", r"值得", r"使得", r"所得", r"記得", r"懂得", r"覺得", r"習得", r"免得", r"顯得",
    r"贏得", r"博得", r"求得", r"難得", r"得到", r"得知", r"得標", r"得分",
    # 得以 + verb is "so as to be able to"; 得以 + a means (得以書面通知) is a permission, see _MAY.
    r"得以(?!書面|電子|電磁|傳真|口頭|其他方式|網路|線上)",
    # 宜
    r"事宜", r"適宜", r"便宜", r"合宜", r"權宜", r"時宜", r"機宜", r"相宜", r"咸宜", r"宜蘭",
    # 可
    r"許可", r"認可", r"寧可", r"無可", r"尚可", r"不可(?:抗力|或缺|分|逆|否認|行|能|用)",
    r"可(?:能|用|行|靠|信|疑|視|供|及|攜|歸責|否|讀|控|觀|見|追溯|稽核|掌控|從|確保)",
))
_MARKERS = re.compile(
    rf"(?P<trap>{_TRAPS})"
    r"|(?P<shall_not_negated>不得不)"
    r"|(?P<must_not>不得|不應|不可)"
    r"|(?P<should_not>不宜)"
    r"|(?P<shall>應)"
    r"|(?P<should>宜)"
    r"|(?P<may>得|可)"
)
_GROUP_MODALITY: dict[str, Modality] = {
    "shall_not_negated": "shall", "must_not": "must_not", "should_not": "should", "shall": "shall",
    "should": "should", "may": "may",
}
# 可 reads "can", not "may", inside a clause of purpose or question: 確保…可將系統遷移, 是否可符合.
_CAPABILITY_TRIGGER = re.compile(r"是否|確保|以便|俾|足以|能否|以利")
_CLAUSE_CONNECTOR = re.compile(r"(?:並|且|惟|但|另|亦|或|及|則|而|然)")
_SENTENCE_BREAK = re.compile(r"[。；;！？!?：:\n]")
_CLAUSE_BREAK = re.compile(r"[，,]")


@dataclass(frozen=True)
class Marker:
    """One marker found in a text: its modality, where it starts and the words that carry it."""

    modality: Modality
    start: int
    text: str


def _is_capability(text: str, position: int) -> bool:
    """Whether 可 at `position` means "can": a 是否 / 確保 clause governs it within its sentence."""
    sentence_start = max((m.end() for m in _SENTENCE_BREAK.finditer(text, 0, position)), default=0)
    clauses = _CLAUSE_BREAK.split(text[sentence_start:position])
    for clause in reversed(clauses):
        if _CAPABILITY_TRIGGER.search(clause):
            return True
        if _CLAUSE_CONNECTOR.match(clause.lstrip()):
            return False
    return False


def find_markers(text: str) -> list[Marker]:
    """Every modality marker in `text`, in order; traps and quoted titles are skipped."""
    masked = mask_quotations(text)
    markers: list[Marker] = []
    for match in _MARKERS.finditer(masked):
        group = match.lastgroup
        if group is None or group == "trap":
            continue
        if match.group() == "可" and _is_capability(masked, match.start()):
            continue
        markers.append(Marker(_GROUP_MODALITY[group], match.start(), match.group()))
    return markers


def order_by_strength(modalities: Iterable[Modality]) -> list[Modality]:
    """`modalities` without duplicates, strongest first (shall, must_not, should, may)."""
    present = set(modalities)
    return [m for m in MODALITY_STRENGTH if m in present]


def own_modalities(text: str) -> list[Modality]:
    """The modalities of the markers in `text`, deduplicated, strongest first."""
    return order_by_strength(m.modality for m in find_markers(text))


def strongest(modalities: Iterable[Modality]) -> Modality | None:
    """The strongest of `modalities`, or None if there are none."""
    ordered = order_by_strength(modalities)
    return ordered[0] if ordered else None


def introducing_modality(text: str) -> Modality | None:
    """The force a list takes from the text introducing it: the marker nearest its end (評估項目宜包括：)."""
    markers = find_markers(text)
    return markers[-1].modality if markers else None
