"""What changed between two texts of a regulation: provisions added, deleted, removed, renumbered, reworded,
and changes of modality, conditions, frequency and references.

Matching, one-to-one, level by level (an item matches an item, never a paragraph):

1. Similarity. Every old and new provision with text of its own (not deleted, not an empty list lead) is
   compared on its normalised text (NFKC, whitespace removed; an article on its whole text) with difflib's
   `SequenceMatcher.ratio`. Pairs at or above `MATCH_THRESHOLD` are taken greedily, best ratio first (ties:
   same id first, then document order), each provision at most once. So an item that moved because one was
   inserted before it (old 五、 now 六、) is found under its new number.
2. Number. Old and new provisions still unmatched that have the same id are paired whatever their texts:
   the provision at that number was rewritten (reworded), deleted (（刪除）) or reinstated.
3. The rest: old ones are removed (absent from the new text), or deleted with the article or entry above
   them that the new text marks （刪除）; new ones are added.

A pair is reported with every kind that applies: renumbered (the id differs), reworded (the normalised own
texts differ; an article's own text is empty, its paragraphs carry the words), modality_changed (own
modalities or effective modality), conditions_changed, frequency_changed, references_changed. When a text
is an excerpt (it starts after 第一條), only the articles it lists are compared (two excerpts: those both list).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from regtrace.loaders.curation import load_regulation
from regtrace.loaders.numbering import Number, article_key
from regtrace.loaders.provision import Level, Provision
from regtrace.loaders.regulation_parser import ParsedRegulation

from regtrace.errors import InputError, NotFoundError

ChangeKind = Literal[
    "added", "deleted", "removed", "renumbered", "reworded",
    "modality_changed", "conditions_changed", "frequency_changed", "references_changed",
]
# In the order a change lists its kinds; each with the words users read, zh-TW first.
CHANGE_KINDS: dict[ChangeKind, tuple[str, str]] = {
    "added": ("新增", "added"),
    "deleted": ("刪除", "deleted"),
    "removed": ("移除", "removed"),
    "renumbered": ("條次變更", "renumbered"),
    "reworded": ("文字修正", "reworded"),
    "modality_changed": ("規範效力變更", "modality changed"),
    "conditions_changed": ("適用條件變更", "conditions changed"),
    "frequency_changed": ("頻率變更", "frequency changed"),
    "references_changed": ("引用變更", "references changed"),
}
# A different-number pair whose normalised texts are this similar (difflib ratio) is the same provision moved.
# Chosen on the seed: two distinct provisions of one level there reach at most 0.53 (tests/test_regulation_diff.py).
MATCH_THRESHOLD = 0.7
# In the character diff, an unchanged run shorter than this between two changes is folded into them.
_MIN_KEPT_RUN = 2


@dataclass(frozen=True)
class Change:
    """One provision's change: its kinds, the old and new provision (None where absent) and the details."""

    kinds: tuple[ChangeKind, ...]
    old: Provision | None
    new: Provision | None
    similarity: float | None = None  # difflib ratio of the normalised texts, for a matched pair
    deleted_with: str | None = None  # the deleted (刪除) article or entry this provision went with

    @property
    def old_id(self) -> str | None:
        return self.old.id if self.old else None

    @property
    def new_id(self) -> str | None:
        return self.new.id if self.new else None

    @property
    def text_diff(self) -> str | None:
        """The character diff of the own texts, [-old-]{+new+}, when the change rewords."""
        if "reworded" not in self.kinds or self.old is None or self.new is None:
            return None
        return char_diff(self.old.text, self.new.text)

    def to_json(self) -> dict[str, Any]:
        old, new = self.old, self.new
        either = new or old
        return {
            "kind": list(self.kinds),
            "old_id": self.old_id,
            "new_id": self.new_id,
            "level": either.level if either else None,
            "old_label": old.label if old else None,
            "new_label": new.label if new else None,
            "old_text": old.text if old else None,
            "new_text": new.text if new else None,
            "similarity": None if self.similarity is None else round(self.similarity, 3),
            "text_diff": self.text_diff,
            "deleted_with": self.deleted_with,
            "modality": _pair(old, new, _modality) if "modality_changed" in self.kinds else None,
            "conditions": _pair(old, new, lambda p: list(p.conditions)) if "conditions_changed" in self.kinds else None,
            "frequency_months": (_pair(old, new, lambda p: p.frequency_months)
                                 if "frequency_changed" in self.kinds else None),
            "references": _pair(old, new, _references) if "references_changed" in self.kinds else None,
        }


@dataclass(frozen=True)
class RegulationDiff:
    """The changes in a stable order (the new text's order, a removed provision after its old predecessor)."""

    old_source: str
    new_source: str
    old_title: str | None
    new_title: str | None
    changes: list[Change]
    warnings: list[str] = field(default_factory=list)
    # With an excerpt, the articles compared (as in the new text); None when the whole texts are compared.
    scope: tuple[str, ...] | None = None

    def to_json(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.changes]


def _modality(p: Provision) -> dict[str, Any]:
    return {"own": list(p.modalities), "effective": p.effective_modality}


def _references(p: Provision) -> list[dict[str, Any]]:
    return [r.to_json() for r in p.references]


def _pair(old: Provision | None, new: Provision | None, get: Any) -> dict[str, Any]:
    return {"old": get(old) if old else None, "new": get(new) if new else None}


# ---------------------------------------------------------------- text


def normalise(text: str) -> str:
    """The text as compared: NFKC (full-width forms folded), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def similarity(a: str, b: str) -> float:
    """difflib's ratio of two normalised texts."""
    return difflib.SequenceMatcher(None, normalise(a), normalise(b), autojunk=False).ratio()


def char_diff(old: str, new: str) -> str:
    """`old` turned into `new`, character by character: kept text as is, [-removed-] and {+inserted+}.

    An unchanged run of a single character between two changes is folded into them, so a rewritten phrase
    reads as one replacement rather than a comb of one-character matches.
    """
    ops = _coalesce(difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes(), old, new)
    out = []
    for removed, inserted, kept in ops:
        if kept:
            out.append(kept)
        if removed:
            out.append(f"[-{removed}-]")
        if inserted:
            out.append(f"{{+{inserted}+}}")
    return "".join(out)


def _coalesce(opcodes: Iterable[tuple[str, int, int, int, int]], old: str, new: str) -> list[tuple[str, str, str]]:
    """(removed, inserted, kept) runs; a short kept run between two changes is merged into them."""
    runs = [("", "", old[i1:i2]) if tag == "equal" else (old[i1:i2], new[j1:j2], "")
            for tag, i1, i2, j1, j2 in opcodes]
    folded = [
        (run[2], run[2], "")
        if run[2] and len(run[2]) < _MIN_KEPT_RUN and 0 < i < len(runs) - 1 and not runs[i - 1][2]
        and not runs[i + 1][2] else run
        for i, run in enumerate(runs)
    ]
    merged: list[tuple[str, str, str]] = []
    for run in folded:
        if merged and not run[2] and not merged[-1][2]:
            merged[-1] = (merged[-1][0] + run[0], merged[-1][1] + run[1], "")
        else:
            merged.append(run)
    return merged


# ---------------------------------------------------------------- matching


def _comparable_text(p: Provision) -> str:
    return p.text if not p.deleted else ""


def _similar_pairs(old: Sequence[Provision], new: Sequence[Provision]) -> Iterator[tuple[float, Provision, Provision]]:
    """Every same-level pair with text on both sides whose ratio reaches the threshold."""
    by_level: dict[Level, list[tuple[int, Provision, str]]] = {}
    for index, p in enumerate(new):
        if text := normalise(_comparable_text(p)):
            by_level.setdefault(p.level, []).append((index, p, text))
    for p in old:
        text = normalise(_comparable_text(p))
        if not text:
            continue
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(text)
        for _, q, other in by_level.get(p.level, ()):
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() < MATCH_THRESHOLD or matcher.quick_ratio() < MATCH_THRESHOLD:
                continue
            ratio = matcher.ratio()
            if ratio >= MATCH_THRESHOLD:
                yield ratio, p, q


def _match(old: Sequence[Provision], new: Sequence[Provision]) -> list[tuple[Provision, Provision, float | None]]:
    old_order = {p.id: i for i, p in enumerate(old)}
    new_order = {p.id: i for i, p in enumerate(new)}
    candidates = sorted(_similar_pairs(old, new),
                        key=lambda c: (-c[0], c[1].id != c[2].id, old_order[c[1].id], new_order[c[2].id]))
    pairs: list[tuple[Provision, Provision, float | None]] = []
    taken_old: set[str] = set()
    taken_new: set[str] = set()
    for ratio, p, q in candidates:
        if p.id in taken_old or q.id in taken_new:
            continue
        pairs.append((p, q, ratio))
        taken_old.add(p.id)
        taken_new.add(q.id)
    new_by_id = {q.id: q for q in new}
    for before in old:
        after = new_by_id.get(before.id)
        if before.id in taken_old or after is None or after.id in taken_new or after.level != before.level:
            continue
        texts = _comparable_text(before) and _comparable_text(after)
        pairs.append((before, after, similarity(before.text, after.text) if texts else None))
        taken_old.add(before.id)
        taken_new.add(after.id)
    return pairs


def _kinds(old: Provision, new: Provision) -> tuple[ChangeKind, ...]:
    if new.deleted:
        return () if old.deleted else ("deleted",)
    if old.deleted:
        return ("added",)  # a deleted number given a text again: nothing was mapped to it
    kinds: list[ChangeKind] = []
    if old.id != new.id:
        kinds.append("renumbered")
    if old.level != "article" and normalise(old.text) != normalise(new.text):
        kinds.append("reworded")
    if (old.modalities, old.effective_modality) != (new.modalities, new.effective_modality):
        kinds.append("modality_changed")
    if sorted(old.conditions) != sorted(new.conditions):
        kinds.append("conditions_changed")
    if old.frequency_months != new.frequency_months:
        kinds.append("frequency_changed")
    if _references(old) != _references(new):
        kinds.append("references_changed")
    return tuple(kinds)


def _deleted_ancestor(p: Provision, new_by_id: dict[str, Provision]) -> str | None:
    """The id of the nearest ancestor of `p`'s id that the new text keeps as deleted (刪除), if any."""
    parts = p.id.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        ancestor = new_by_id.get(".".join(parts[:depth]))
        if ancestor is not None:
            return ancestor.id if ancestor.deleted else None
    return None


def _in_scope(provisions: Sequence[Provision], articles: set[Number] | None) -> list[Provision]:
    return [p for p in provisions if articles is None or article_key(p.id) in articles]


def diff_regulations(old: ParsedRegulation, new: ParsedRegulation) -> RegulationDiff:
    """Every change from `old` to `new` (both parsed and curated the same way), in a stable order.

    When a side is an excerpt, only the articles it lists are compared (both excerpts: those both list).
    """
    warnings: list[str] = []
    articles: set[Number] | None = None
    for side in (old, new):
        if side.excerpt:
            listed = {article_key(p.id) for p in side.provisions}
            articles = listed if articles is None else articles & listed
            warnings.append(f"{side.source}: an excerpt: only the articles it lists are compared")
    old_provisions = _in_scope(old.provisions, articles)
    new_provisions = _in_scope(new.provisions, articles)
    scope = None if articles is None else tuple(
        p.id for p in (new_provisions if new.excerpt else old_provisions) if p.level == "article")
    pairs = _match(old_provisions, new_provisions)
    matched_old = {p.id: q for p, q, _ in pairs}
    new_by_id = {q.id: q for q in new_provisions}
    changes: dict[tuple[str | None, str | None], Change] = {}
    for p, q, ratio in pairs:
        if kinds := _kinds(p, q):
            changes[(p.id, q.id)] = Change(kinds, p, q, ratio)
    matched_new = {q.id for _, q, _ in pairs}
    for q in new_provisions:
        if q.id not in matched_new:
            changes[(None, q.id)] = Change(("deleted",) if q.deleted else ("added",), None, q)
    for p in old_provisions:
        if p.id not in matched_old and not p.deleted:
            ancestor = _deleted_ancestor(p, new_by_id)
            changes[(p.id, None)] = Change(("deleted",) if ancestor else ("removed",), p, None,
                                           deleted_with=ancestor)
    ordered = _in_order(list(changes.values()), old_provisions, new_provisions, matched_old)
    return RegulationDiff(old.source, new.source, old.title, new.title, ordered, warnings, scope)


def _in_order(changes: list[Change], old: Sequence[Provision], new: Sequence[Provision],
              matched_old: dict[str, Provision]) -> list[Change]:
    """The new text's order; a provision only in the old text right after the last matched one before it."""
    new_index = {q.id: i for i, q in enumerate(new)}
    anchor: dict[str, int] = {}
    last = -1
    for p in old:
        if p.id in matched_old:
            last = new_index[matched_old[p.id].id]
        anchor[p.id] = last
    old_index = {p.id: i for i, p in enumerate(old)}

    def key(c: Change) -> tuple[int, int, int]:
        if c.new is not None:
            return new_index[c.new.id], 0, 0
        assert c.old is not None
        return anchor[c.old.id], 1, old_index[c.old.id]

    return sorted(changes, key=key)


def read_side(argument: str, role: str, stored: Mapping[str, str] | None = None) -> ParsedRegulation:
    """One side of a diff: a regulation text file, or a stored version's label (`stored`: label -> source text),
    parsed and curated as any text other than the seed. A file of that name wins over a label.

    Anything else is a NotFoundError naming `role` (OLD / NEW) and the stored labels (InputError for a folder).
    """
    path = Path(argument)
    if path.is_file():
        return load_regulation(path, seed=False)
    if stored is not None and argument in stored:
        parsed = load_regulation(stored[argument], seed=False)
        parsed.source = f"version {argument}"
        parsed.warnings = [w.replace("<text>", parsed.source) for w in parsed.warnings]
        return parsed
    if path.is_dir():
        raise InputError(f"{role} {argument!r}: is a folder (give a regulation text file or a stored version label)")
    labels = ", ".join(stored) if stored else "none"
    raise NotFoundError(f"{role} {argument!r}: neither a regulation text file nor a stored version label "
                        f"(stored versions: {labels})")


def diff_texts(old: str, new: str, stored: Mapping[str, str] | None = None) -> RegulationDiff:
    """The diff of two regulation texts named as on the command line (a file or a label of `stored`); parse
    warnings come first."""
    before, after = read_side(old, "OLD", stored), read_side(new, "NEW", stored)
    diff = diff_regulations(before, after)
    diff.warnings[:0] = [*before.warnings, *after.warnings]
    return diff
