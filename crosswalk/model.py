"""Mapping sets as plain values, and the vocabularies they use (read from the ontology's shapes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from regtrace.ontology.model import load_ontology

SEPARATOR = ":"  # a target is FRAMEWORK:ID


@cache
def vocabulary(cls: str, name: str) -> tuple[str, ...]:
    """The allowed values of a property (sh:in in shapes.ttl)."""
    return load_ontology().classes[cls].field(name).allowed


def relationships() -> tuple[str, ...]:
    """equal, subset, superset, intersect: read as "provision RELATIONSHIP control" (NIST OLIR)."""
    return vocabulary("Mapping", "relationship")


# The relationships under which evidence of the control can prove the provision: the control demands at least
# what the provision does. Superset and intersect never can.
PROVING = frozenset({"equal", "subset"})

# OSCAL 1.2 / NIST IR 8477 spellings of the same relationships.
OSCAL_RELATIONSHIP = {"equal": "equal-to", "subset": "subset-of", "superset": "superset-of",
                      "intersect": "intersects-with"}
FROM_OSCAL = {v: k for k, v in OSCAL_RELATIONSHIP.items()} | {"equivalent-to": "equal"}


@dataclass(frozen=True)
class CatalogControl:
    code: str
    title: str | None = None
    title_en: str | None = None


@dataclass(frozen=True)
class Framework:
    """A target framework: a catalog of control ids."""

    id: str
    title: str
    version: str | None = None
    publisher: str | None = None
    note: str | None = None
    controls: tuple[CatalogControl, ...] = ()
    certified_by: tuple[str, ...] = ()  # the certifications register's standard words certifying against it

    def ref(self, code: str) -> str:
        return f"{self.id}{SEPARATOR}{code}"

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.controls)


@dataclass(frozen=True)
class Mapping:
    """provision RELATIONSHIP control (the control's id within the set's framework)."""

    source: str
    target: str
    relationship: str
    rationale: str
    rationale_type: str = "semantic"
    strength: int | None = None
    confidence: str | None = None
    reviewed_by: str | None = None


@dataclass(frozen=True)
class Unmapped:
    """An obligation with no counterpart in the framework, and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class MappingSet:
    id: str
    title: str
    source: str  # the instrument mapped from
    framework: str  # the target framework's id
    version: str
    method: str
    status: str  # draft | reviewed
    origin: str  # shipped | imported
    made_by: str | None = None
    reviewed_by: str | None = None
    made_on: dt.date | None = None
    note: str | None = None
    mappings: tuple[Mapping, ...] = ()
    unmapped: tuple[Unmapped, ...] = field(default=())
