"""The ontology read into plain Python: classes, their fields and relations, with zh-TW and en labels.

Everything that needs to know the model (store schema, register columns, API types) asks this module, which
has it read from regtrace.ttl (what things are) and shapes.ttl (what a valid instance looks like) by
regtrace.ontology.reading, or from the copy kept for all processes (regtrace.ontology.kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

Datatype = Literal["string", "date", "boolean", "integer"]


@dataclass(frozen=True)
class Field:
    """One property of a class: a value (datatype) or a reference to another class (target)."""

    name: str
    column: str
    datatype: Datatype | None
    target: str | None
    required: bool
    many: bool
    allowed: tuple[str, ...]
    pattern: str | None
    wildcard: str | None
    derived: bool
    label_zh: str
    label_en: str
    order: int
    secret: bool = False  # never shown by an API (rt:secret)

    @property
    def is_reference(self) -> bool:
        return self.target is not None


@dataclass(frozen=True)
class Relation:
    """A relationship type of the store, from an object property of the ontology."""

    name: str
    type: str
    source: str
    target: str
    many: bool
    edge_fields: tuple[Field, ...]
    inverse_name: str | None = None  # the field that follows it backwards (rt:inverseName)


@dataclass(frozen=True)
class ClassModel:
    """A class of the ontology with everything the code needs to store, load and show it."""

    name: str
    label_zh: str
    label_en: str
    register: str | None
    key: str
    tenant_scoped: bool
    fields: tuple[Field, ...]
    max_rows: int | None = None  # the most rows its register may hold (rt:maxRows)

    @property
    def attributes(self) -> tuple[Field, ...]:
        """The stored value properties (not references)."""
        return tuple(f for f in self.fields if not f.is_reference)

    @property
    def references(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_reference)

    @property
    def columns(self) -> tuple[Field, ...]:
        """The register columns, in order: every field a user writes (derived ones excluded)."""
        return tuple(f for f in self.fields if not f.derived)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")


@dataclass(frozen=True)
class Ontology:
    """The whole model."""

    classes: dict[str, ClassModel]
    relations: tuple[Relation, ...]
    facts: tuple[str, ...]

    def by_register(self, register: str) -> ClassModel:
        for c in self.classes.values():
            if c.register == register:
                return c
        raise KeyError(register)

    @property
    def registers(self) -> tuple[ClassModel, ...]:
        return tuple(c for c in self.classes.values() if c.register)

    def relation(self, source: str, name: str) -> Relation:
        for r in self.relations:
            if r.source == source and r.name == name:
                return r
        raise KeyError(f"{source}.{name}")


def relationship_type(property_name: str) -> str:
    """providedBy -> PROVIDED_BY: the store's relationship type for an object property."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", property_name).upper()


def local(uri: object) -> str:
    return str(uri).rsplit("#", 1)[-1]


@cache
def load_ontology() -> Ontology:
    """Read the ontology once per process (and, while its files stay the same, once for all processes:
    regtrace.ontology.kept)."""
    from .kept import kept

    return kept("ontology", _read)


def _read() -> Ontology:
    from .reading import read_ontology  # rdflib: imported only when the kept copy cannot answer

    return read_ontology()
