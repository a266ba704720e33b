"""Nodes and links column-wise, as pyarrow Tables: what bulk writes take (Writer.create_node_table and
create_link_table). The Arrow types come from the store schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from .port import Link, Row
from .schema import NodeSchema, Property, RelSchema

_BASE_TYPES = {"string": pa.string(), "date": pa.date32(), "boolean": pa.bool_(), "integer": pa.int64()}


def arrow_type(p: Property) -> pa.DataType:
    """The Arrow type of a stored property (a list type for list properties)."""
    base = _BASE_TYPES[p.datatype]
    return pa.list_(base) if p.many else base


def _date(value: Any) -> Any:
    """A date as a store takes it: a date, a datetime (its date) or ISO text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def array(values: Sequence[Any] | pa.Array, type_: pa.DataType) -> pa.Array:
    """Values as an Arrow array of `type_` (values given as an Arrow array are cast, not copied)."""
    return values.cast(type_) if isinstance(values, pa.Array) else pa.array(values, type_)


def column(p: Property, values: Sequence[Any] | pa.Array) -> pa.Array:
    """One property's values as an Arrow array of its type (tuples become lists, date texts dates; an Arrow
    array is cast)."""
    if isinstance(values, pa.Array):
        return array(values, arrow_type(p))
    try:
        return pa.array(values, arrow_type(p))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        if p.datatype == "date":
            values = [[_date(v) for v in value] if p.many and value is not None else _date(value)
                      for value in values]
        if p.many:
            values = [list(v) if isinstance(v, tuple) else v for v in values]
        return pa.array(values, arrow_type(p))


def node_table(node: NodeSchema, rows: Sequence[Row]) -> pa.Table:
    """Node rows (dicts) as a table of the label's properties in the schema's order (missing ones null)."""
    return pa.table({p.name: column(p, [r.get(p.name) for r in rows]) for p in node.properties})


def link_table(rel: RelSchema, links: Sequence[Link]) -> pa.Table:
    """Links as a table: source uid, target uid, then the relationship's properties."""
    columns: dict[str, pa.Array] = {"source": pa.array([lk.source for lk in links], pa.string()),
                                    "target": pa.array([lk.target for lk in links], pa.string())}
    for p in rel.properties:
        columns[p.name] = column(p, [(lk.properties or {}).get(p.name) for lk in links])
    return pa.table(columns)


def _conformed(table: pa.Table, names: Sequence[str], types: Sequence[pa.DataType]) -> pa.Table:
    """`table`'s columns `names`, in that order, cast to `types` (a column whose values are all null has
    Arrow's null type). ValueError when a column is missing."""
    missing = [n for n in names if n not in table.column_names]
    if missing:
        raise ValueError(f"the table has no column {missing}")
    chosen = table.select(list(names))
    schema = pa.schema([pa.field(n, t) for n, t in zip(names, types, strict=True)])
    return chosen if chosen.schema.equals(schema) else chosen.cast(schema)


def conformed_nodes(node: NodeSchema, table: pa.Table) -> pa.Table:
    """A node table with exactly the label's properties, in the schema's order and types."""
    return _conformed(table, node.names, [arrow_type(p) for p in node.properties])


def conformed_links(rel: RelSchema, table: pa.Table) -> pa.Table:
    """A link table with exactly source, target and the relationship's properties, in order and types."""
    names = ["source", "target", *(p.name for p in rel.properties)]
    return _conformed(table, names, [pa.string(), pa.string(), *(arrow_type(p) for p in rel.properties)])
