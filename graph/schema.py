"""The store schema, generated from the ontology: node labels, properties and types, relationship types.

Labels and property names come from the ontology only (never from user input), so the store modules may
place them in DDL and Cypher text; values always travel as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from regtrace.ontology.model import Datatype, load_ontology


@dataclass(frozen=True)
class Property:
    name: str
    datatype: Datatype
    many: bool


@dataclass(frozen=True)
class NodeSchema:
    label: str
    key: str
    tenant_scoped: bool
    properties: tuple[Property, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties)


@dataclass(frozen=True)
class RelSchema:
    type: str
    source: str
    target: str
    properties: tuple[Property, ...]


@dataclass(frozen=True)
class Schema:
    nodes: dict[str, NodeSchema]
    relationships: tuple[RelSchema, ...]

    def relationship(self, rel_type: str) -> RelSchema:
        for r in self.relationships:
            if r.type == rel_type:
                return r
        raise KeyError(rel_type)


@cache
def store_schema() -> Schema:
    """Every node label has a string `uid` (its key, prefixed by the tenant where tenant-scoped)."""
    onto = load_ontology()
    nodes: dict[str, NodeSchema] = {}
    for cls in onto.classes.values():
        props = [Property("uid", "string", False)]
        props += [Property(f.name, f.datatype or "string", f.many) for f in cls.attributes]
        nodes[cls.name] = NodeSchema(cls.name, cls.key, cls.tenant_scoped, tuple(props))
    rels = tuple(
        RelSchema(
            r.type, r.source, r.target, tuple(Property(f.name, f.datatype or "string", f.many) for f in r.edge_fields)
        )
        for r in onto.relations
    )
    return Schema(nodes, rels)


def node_uid(tenant: str | None, key: str) -> str:
    """The store key of a node: its id, prefixed by its tenant for tenant-scoped data."""
    return f"{tenant}/{key}" if tenant is not None else key


def node_key(tenant: str, uid: str) -> str:
    """The id a tenant-scoped node's uid was made from (node_uid's inverse)."""
    prefix = f"{tenant}/"
    if not uid.startswith(prefix):
        raise ValueError(f"{uid!r} is not a uid of tenant {tenant!r}")
    return uid[len(prefix):]
