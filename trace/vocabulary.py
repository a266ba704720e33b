"""The trace's words, read from the ontology (ontology/regtrace.ttl, schemes rt:TraceStatus and rt:CauseKind).

Statuses come worst first; each word has its zh-TW and English label. The `Status` and `CauseKind` literal
types below exist for mypy only; tests/test_trace_vocabulary.py checks they equal the ontology's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from regtrace.ontology.kept import kept

if TYPE_CHECKING:
    from rdflib import URIRef

Status = Literal["gap", "unevidenced", "stale", "covered", "not_applicable"]
CauseKind = Literal[
    "no_control", "no_evidence", "evidence_lapsed", "no_contract", "contract_expired", "audit_missing",
    "audit_incomplete", "finding_overdue", "no_deletion_record", "conditions_unmet",
]


@dataclass(frozen=True)
class Word:
    word: str
    zh: str
    en: str


def _label(g: object, concept: URIRef, lang: str) -> str:
    from rdflib import Literal as RdfLiteral
    from rdflib.namespace import SKOS

    for value in g.objects(concept, SKOS.prefLabel):  # type: ignore[attr-defined]
        if isinstance(value, RdfLiteral) and value.language == lang:
            return str(value)
    raise ValueError(f"{concept} has no skos:prefLabel@{lang}")


@cache
def scheme(name: str) -> tuple[Word, ...]:
    """The concepts of one scheme of the ontology (TraceStatus, CauseKind), in rank order (read once for all
    processes while the ontology stays the same: regtrace.ontology.kept)."""
    return kept(f"scheme-{name}", lambda: read_scheme(name))


def read_scheme(name: str) -> tuple[Word, ...]:
    """The concepts of one scheme, from the ontology's files (rdflib is imported here only: a process answered by
    the kept copy never needs it)."""
    from rdflib.namespace import RDF, SKOS
    from regtrace.ontology.reading import RT, ontology_graph

    g = ontology_graph()
    concepts = [c for c in g.subjects(SKOS.inScheme, RT[name]) if (c, RDF.type, SKOS.Concept) in g]
    ranked = sorted(concepts, key=lambda c: int(str(g.value(c, RT.rank))))
    return tuple(Word(str(g.value(c, SKOS.notation)), _label(g, c, "zh-TW"), _label(g, c, "en"))  # type: ignore[arg-type]
                 for c in ranked)


def statuses() -> tuple[str, ...]:
    """Status words, worst first."""
    return tuple(w.word for w in scheme("TraceStatus"))


def cause_kinds() -> tuple[str, ...]:
    return tuple(w.word for w in scheme("CauseKind"))


def status_labels() -> dict[str, tuple[str, str]]:
    return {w.word: (w.zh, w.en) for w in scheme("TraceStatus")}


def cause_labels() -> dict[str, tuple[str, str]]:
    return {w.word: (w.zh, w.en) for w in scheme("CauseKind")}
