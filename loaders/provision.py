"""A provision of a regulation as the parser yields it, and its JSON form (a stable output contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from regtrace.loaders.numbering import article_key

Level = Literal["article", "paragraph", "item", "subitem", "point"]
Modality = Literal["shall", "must_not", "should", "may"]

LEVELS: tuple[Level, ...] = ("article", "paragraph", "item", "subitem", "point")
# Strongest first: the effective modality of a provision with several markers is the strongest one.
MODALITY_STRENGTH: tuple[Modality, ...] = ("shall", "must_not", "should", "may")
OBLIGATION_MODALITIES: frozenset[str] = frozenset({"shall", "must_not", "should"})


@dataclass(frozen=True)
class Reference:
    """A reference from a provision to another instrument, e.g. 「保險業作業委託他人處理應注意事項」第九點."""

    instrument: str
    articles: tuple[int, ...] = ()
    points: tuple[int, ...] = ()
    # The register id of the instrument, once curation has resolved the title (not part of the JSON contract).
    instrument_id: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"instrument": self.instrument, "articles": list(self.articles), "points": list(self.points)}


@dataclass
class Provision:
    """One article, paragraph, item, sub-item or point, with what the text (and curation) says of it."""

    id: str
    parent: str | None
    level: Level
    label: str
    text: str
    modalities: list[Modality] = field(default_factory=list)
    effective_modality: Modality | None = None
    conditions: list[str] = field(default_factory=list)  # the facts `applies_when` uses, sorted
    applies_when: str | None = None  # its own condition and its ancestors', as one expression (None: always)
    frequency_months: int | None = None
    references: list[Reference] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    line: int = 0  # 1-based line of the source text where the provision starts
    deleted: bool = False  # （刪除）: kept so that numbers never shift; no text of its own, no force

    @property
    def article(self) -> int:
        """The article's number; an inserted article (第十條之一, A10-1) gives the one it follows (10)."""
        return article_key(self.id)[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent": self.parent,
            "level": self.level,
            "label": self.label,
            "text": self.text,
            "modalities": list(self.modalities),
            "effective_modality": self.effective_modality,
            "conditions": list(self.conditions),
            "applies_when": self.applies_when,
            "frequency_months": self.frequency_months,
            "references": [r.to_json() for r in self.references],
            "actors": list(self.actors),
            "deleted": self.deleted,
        }
