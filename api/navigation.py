"""The API's view of the ontology: which classes it serves, their fields and how to walk between them.

Every relationship is navigable both ways: forwards under the object property's name (providedBy), backwards
under its rt:inverseName (arrangements). A few multi-hop paths are added by name (an arrangement's findings,
via its audits). A relationship whose source has a wildcard flag (a control that applies to every
arrangement) includes what the flag stands for.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from regtrace.graph.filters import Hop
from regtrace.ontology.model import ClassModel, Field, Relation, load_ontology

# Classes the API keeps to itself: tokens are managed by the CLI, the change log has its own query.
INTERNAL = frozenset({"ApiToken", "ChangeLogEntry", "EvidenceGroup", "MappingReview"})
INTERNAL |= {"RegisterLoad"}  # a tenant's load record: a reload's bookkeeping (loaders/register_digests.py)


@dataclass(frozen=True)
class Navigation:
    """A field that leads from one class to another along `path`."""

    name: str
    source: str
    target: str
    path: tuple[Hop, ...]
    many: bool
    edge_fields: tuple[Field, ...]
    description: str


def _wildcard(relation: Relation) -> str | None:
    """The source's boolean that stands for "every target" (appliesTo with '*' -> applies_to_all)."""
    cls = load_ontology().classes[relation.source]
    f = cls.field(relation.name)
    if f.wildcard is None:
        return None
    flag = f"{f.column}_all"
    assert any(a.name == flag and a.datatype == "boolean" for a in cls.attributes), flag
    return flag


@cache
def navigations() -> dict[str, tuple[Navigation, ...]]:
    """Per class, its navigation fields (forwards, backwards and named paths)."""
    onto = load_ontology()
    found: dict[str, list[Navigation]] = {name: [] for name in onto.classes}
    for r in onto.relations:
        flag = _wildcard(r)
        f = onto.classes[r.source].field(r.name)
        found[r.source].append(Navigation(
            r.name, r.source, r.target, (Hop(r.type, "out", r.target, flag),), r.many, r.edge_fields,
            f"{f.label_zh} {f.label_en} ({r.type} →)"))
        if r.inverse_name:
            found[r.target].append(Navigation(
                r.inverse_name, r.target, r.source, (Hop(r.type, "in", r.source, flag),), True, r.edge_fields,
                f"反向：{f.label_zh} / inverse of '{f.label_en}' ({r.type} ←)"))
    found["OutsourcingArrangement"].append(Navigation(
        "findings", "OutsourcingArrangement", "Finding",
        (Hop("AUDITS", "in", "Audit"), Hop("RAISED_IN", "in", "Finding")), True, (),
        "查核缺失（經由查核） / findings raised in this arrangement's audits"))
    result: dict[str, tuple[Navigation, ...]] = {}
    for name, navs in found.items():
        attributes = {a.name for a in onto.classes[name].attributes}
        names = [n.name for n in navs]
        clash = (set(names) & attributes) | {n for n in names if names.count(n) > 1}
        assert not clash, f"{name}: navigation fields clash: {clash}"
        result[name] = tuple(navs)
    return result


def served_classes() -> tuple[ClassModel, ...]:
    """The ontology classes with a type and queries in the API."""
    return tuple(c for c in load_ontology().classes.values() if c.name not in INTERNAL)


def navigation(cls: str, name: str) -> Navigation:
    for n in navigations()[cls]:
        if n.name == name:
            return n
    raise KeyError(f"{cls}.{name}")


def lower_camel(name: str) -> str:
    return name[0].lower() + name[1:]


def plural(name: str) -> str:
    """The list field of a class: OutsourcingArrangement -> outsourcingArrangements."""
    word = lower_camel(name)
    return word[:-1] + "ies" if word.endswith("y") else word + "s"
