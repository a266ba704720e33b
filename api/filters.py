"""GraphQL `where` and `sort` arguments turned into the store-neutral filter AST (regtrace.graph.filters).

The input types are generated from the ontology (api/types.py), so every key names a real property or
navigation; values travel on as parameters, never as query text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from regtrace.graph.filters import And, Compare, Filter, Not, Op, Or, Related, SortKey
from regtrace.ontology.model import load_ontology

from .navigation import navigation

# GraphQL suffix -> filter operator (equality has no suffix).
OPERATORS: dict[str, Op] = {
    "in": "in", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte", "contains": "contains",
    "startsWith": "starts_with", "endsWith": "ends_with", "includes": "includes", "isNull": "is_null",
}
QUANTIFIERS = {"SOME": "some", "NONE": "none", "ALL": "all"}
# Which operators each kind of property offers.
SCALAR_OPERATORS = {
    "string": ("in", "contains", "startsWith", "endsWith", "isNull"),
    "date": ("in", "lt", "lte", "gt", "gte", "isNull"),
    "integer": ("in", "lt", "lte", "gt", "gte", "isNull"),
    "boolean": ("isNull",),
}
LIST_OPERATORS = ("includes", "isNull")


def _plain(value: Any) -> Any:
    """Enum members to their values, lists to tuples (filters are hashable: they key the DataLoaders)."""
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    return getattr(value, "value", value)


def _attribute(cls: str, key: str) -> tuple[str, Op] | None:
    names = {a.name for a in load_ontology().classes[cls].attributes}
    if key in names:
        return key, "eq"
    for suffix, op in OPERATORS.items():
        if key.endswith("_" + suffix) and key[: -len(suffix) - 1] in names:
            return key[: -len(suffix) - 1], op
    return None


def to_filter(cls: str, where: Mapping[str, Any] | None) -> Filter | None:
    """The filter of one `<Class>Where` value (None: match everything); keys set to null are ignored."""
    if not where:
        return None
    parts: list[Filter] = []
    for key, value in where.items():
        if value is None:
            continue
        if key in ("AND", "OR"):
            subs = tuple(f for f in (to_filter(cls, w) for w in value) if f is not None)
            parts.append(And(subs) if key == "AND" else Or(subs))
        elif key == "NOT":
            inner = to_filter(cls, value)
            if inner is not None:
                parts.append(Not(inner))
        elif (found := _attribute(cls, key)) is not None:
            parts.append(Compare(found[0], found[1], _plain(value)))
        else:
            name, _, quantifier = key.rpartition("_")
            nav = navigation(cls, name)
            parts.append(Related(nav.path, QUANTIFIERS[quantifier], to_filter(nav.target, value)))  # type: ignore[arg-type]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def to_sort(sort: Sequence[Mapping[str, Any]] | None) -> tuple[SortKey, ...]:
    """`[{field: NAME, direction: DESC}]` as sort keys, in order."""
    return tuple(SortKey(str(_plain(s["field"])), str(_plain(s.get("direction") or "ASC")) == "DESC")
                 for s in sort or ())


def combine(*filters: Filter | None) -> Filter | None:
    present = tuple(f for f in filters if f is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else And(present)
