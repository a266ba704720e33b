"""A store-neutral filter and query language: what to match, in what order, how many.

The API turns its `where`/`sort` inputs into these values; each store's query module compiles them into its
own parameterised Cypher. Property names, labels and relationship types are checked against the
ontology-generated schema here (`check`), so a compiler may place them in query text; values never are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .schema import NodeSchema, store_schema

Op = Literal["eq", "in", "lt", "lte", "gt", "gte", "contains", "starts_with", "ends_with", "includes", "is_null"]
OPS: tuple[Op, ...] = ("eq", "in", "lt", "lte", "gt", "gte", "contains", "starts_with", "ends_with", "includes",
                       "is_null")
Direction = Literal["out", "in"]
Quantifier = Literal["some", "none", "all"]


@dataclass(frozen=True)
class Compare:
    """`property op value`; `in` takes a tuple, `includes` tests membership in a list property, `is_null` a bool."""

    property: str
    op: Op
    value: Any


@dataclass(frozen=True)
class And:
    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class Not:
    part: Filter


@dataclass(frozen=True)
class Hop:
    """One step along a relationship type, forwards (`out`) or backwards (`in`), to a node of `label`.

    `wildcard` names a boolean property of the relationship's source node that stands for a link to every
    node of the target label of the same tenant (a control that applies to all arrangements)."""

    rel_type: str
    direction: Direction
    label: str
    wildcard: str | None = None


@dataclass(frozen=True)
class Related:
    """Nodes reached along `path` (one or more hops): some / none / all of them match `where`."""

    path: tuple[Hop, ...]
    quantifier: Quantifier
    where: Filter | None


Filter = Compare | And | Or | Not | Related


@dataclass(frozen=True)
class SortKey:
    property: str
    descending: bool = False


@dataclass(frozen=True)
class NodeQuery:
    """Nodes of `label`, of `tenant` where the label is tenant-scoped, matching `where`, sorted, one page.

    Sorting puts nulls last and ends with the uid, so every order is total and pages are stable."""

    label: str
    tenant: str | None
    where: Filter | None = None
    sort: tuple[SortKey, ...] = ()
    skip: int = 0
    limit: int | None = None


@dataclass(frozen=True)
class RelatedQuery:
    """For each source node (by uid), the nodes reached along `path` that match `where`, sorted.

    Tenant-scoped nodes on the way are those of `tenant` only. Rows carry `_from` (the source uid) and the
    properties of the last relationship (e.g. a REFERENCES edge's articles and points)."""

    source_label: str
    uids: tuple[str, ...]
    path: tuple[Hop, ...]
    tenant: str | None
    where: Filter | None = None
    sort: tuple[SortKey, ...] = field(default=())


class FilterError(ValueError):
    """A filter names something the schema does not have (a programming error, never user data)."""


def scalar_properties(node: NodeSchema) -> dict[str, tuple[str, bool]]:
    """property -> (datatype, many) of a label."""
    return {p.name: (p.datatype, p.many) for p in node.properties}


def check_path(start: str, path: Sequence[Hop]) -> str:
    """The label a path ends on; raise FilterError when a hop does not exist in the schema."""
    schema = store_schema()
    label = start
    for hop in path:
        try:
            rel = schema.relationship(hop.rel_type)
        except KeyError as exc:
            raise FilterError(f"no relationship type {hop.rel_type}") from exc
        near, far = (rel.source, rel.target) if hop.direction == "out" else (rel.target, rel.source)
        if near != label or far != hop.label:
            raise FilterError(f"{hop.rel_type} does not lead from {label} to {hop.label}")
        if hop.wildcard is not None and hop.wildcard not in scalar_properties(schema.nodes[rel.source]):
            raise FilterError(f"{rel.source} has no wildcard property {hop.wildcard}")
        label = far
    return label


def check(label: str, where: Filter | None, sort: Sequence[SortKey] = ()) -> None:
    """Raise FilterError unless every property and hop named exists on the labels it is used on."""
    node = store_schema().nodes[label]
    props = scalar_properties(node)
    for key in sort:
        if key.property not in props or props[key.property][1]:
            raise FilterError(f"{label} cannot be sorted by {key.property}")
    if where is None:
        return
    if isinstance(where, Compare):
        if where.property not in props:
            raise FilterError(f"{label} has no property {where.property}")
        if where.op not in OPS:
            raise FilterError(f"unknown operator {where.op}")
        if (where.op == "includes") != props[where.property][1] and where.op != "is_null":
            raise FilterError(f"{where.op} does not apply to {label}.{where.property}")
    elif isinstance(where, And | Or):
        for part in where.parts:
            check(label, part)
    elif isinstance(where, Not):
        check(label, where.part)
    else:
        check(check_path(label, where.path), where.where)
