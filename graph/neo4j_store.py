"""The Neo4j store: a Neo4j 5 server, cluster or Aura database through the official driver.

Reads are `driver.execute_query` routed to readers; a `write(unit)` is one managed transaction
(`session.execute_write`), which the driver retries on transient errors: units are re-runnable (idempotent
upserts, delete-then-create). Values cross the boundary as the LadybugDB store's do: `neo4j.time.Date` in
rows becomes `datetime.date`. All Cypher is in graph/neo4j_queries.py; driver errors become the product's
(graph/neo4j_errors.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any, ClassVar

import neo4j
import pyarrow as pa
from neo4j import Driver, GraphDatabase, ManagedTransaction, RoutingControl
from neo4j.time import Date, DateTime

from regtrace import __version__
from regtrace.errors import ConfigError

from . import neo4j_queries as q
from . import tables
from .cypher_store import CypherStore
from .neo4j_errors import translated
from .port import Link, Row, Writer, batched
from .schema import NodeSchema, Property, RelSchema, store_schema

BATCH = 10_000
CONNECTION_TIMEOUT = 10.0  # seconds; the driver's default (30 s) is long for a command line


def _native(value: Any) -> Any:
    """A driver value as the LadybugDB store returns it: dates as datetime.date, lists element-wise."""
    if isinstance(value, Date | DateTime):
        return value.to_native()
    if isinstance(value, list):
        return [_native(v) for v in value]
    return value


def _rows(result: neo4j.Result) -> list[Row]:
    keys = result.keys()
    return [{k: _native(v) for k, v in zip(keys, values, strict=True)} for values in result.values()]


def _stored(prop: Property, value: Any) -> Any:
    """A value as its column type would hold it (LadybugDB casts; Neo4j stores what it is given)."""
    if prop.datatype == "date" and not prop.many:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _prepare(props: Sequence[Property], rows: Sequence[Row]) -> list[Row]:
    """Rows restricted to the schema's properties, missing ones None, values in their column type."""
    return [{p.name: _stored(p, row.get(p.name)) for p in props} for row in rows]


class _Neo4jWriter(Writer):
    """Writes inside one managed transaction; driver errors propagate so the driver can retry the unit."""

    def __init__(self, tx: ManagedTransaction) -> None:
        self._tx = tx

    def _run(self, statement: str, parameters: Mapping[str, Any]) -> None:
        self._tx.run(statement, dict(parameters)).consume()

    def _nodes(self, statement: str, node: NodeSchema, rows: Sequence[Row]) -> None:
        for batch in batched(_prepare(node.properties, rows), BATCH):
            self._run(statement, {"rows": batch})

    def upsert_nodes(self, label: str, rows: Sequence[Row]) -> None:
        node = store_schema().nodes[label]
        self._nodes(q.upsert_nodes(node), node, rows)

    def create_nodes(self, label: str, rows: Sequence[Row]) -> None:
        node = store_schema().nodes[label]
        self._nodes(q.create_nodes(node), node, rows)

    def _links(self, statement: str, rel: RelSchema, links: Sequence[Link]) -> None:
        rows = ({"source": lk.source, "target": lk.target,
                 **{p.name: _stored(p, (lk.properties or {}).get(p.name)) for p in rel.properties}} for lk in links)
        for batch in batched(rows, BATCH):
            self._run(statement, {"links": batch})

    def link(self, rel_type: str, source_label: str, target_label: str, links: Sequence[Link]) -> None:
        rel = store_schema().relationship(rel_type)
        self._links(q.link(rel), rel, links)

    def create_links(self, rel_type: str, source_label: str, target_label: str, links: Sequence[Link]) -> None:
        rel = store_schema().relationship(rel_type)
        self._links(q.create_links(rel), rel, links)

    def _table_rows(self, statement: str, parameter: str, table: pa.Table) -> None:
        """Write a conformed table batch by batch as positional rows (tuples, without a dict per row)."""
        for batch in table.to_batches(max_chunksize=BATCH):
            columns = [column.to_pylist() for column in batch.columns]
            self._run(statement, {parameter: list(zip(*columns, strict=True))})

    def create_node_table(self, label: str, table: pa.Table) -> None:
        node = store_schema().nodes[label]
        self._table_rows(q.create_node_rows(node), "rows", tables.conformed_nodes(node, table))

    def create_link_table(self, rel_type: str, source_label: str, target_label: str, table: pa.Table) -> None:
        rel = store_schema().relationship(rel_type)
        self._table_rows(q.create_link_rows(rel), "links", tables.conformed_links(rel, table))

    def delete_tenant(self, tenant: str) -> None:
        for node in store_schema().nodes.values():
            if node.tenant_scoped:
                self._run(q.delete_tenant(node), {"tenant": tenant})

    def delete_nodes(self, label: str, uids: Sequence[str]) -> None:
        statement = q.delete_nodes(store_schema().nodes[label])
        for batch in batched(({"uid": u} for u in uids), BATCH):
            self._run(statement, {"uids": [r["uid"] for r in batch]})


class Neo4jStore(CypherStore):
    """A Neo4j database reached through `driver` (`database` None: the user's home database).

    The store closes the driver only when it made it (`connect`); an injected driver stays its owner's."""

    queries: ClassVar[ModuleType] = q
    reruns_units = True  # session.execute_write retries a unit on transient errors

    def __init__(self, driver: Driver, database: str | None = None, *, uri: str = "neo4j",
                 owns_driver: bool = False) -> None:
        self._driver = driver
        self._database = database
        self._owns_driver = owns_driver
        self.uri = uri
        try:
            with translated(uri):
                driver.verify_connectivity()
            self.ensure_schema()
        except BaseException:
            self.close()
            raise

    @classmethod
    def connect(cls, uri: str, user: str | None, password: str | None, *, database: str | None = None,
                **config: Any) -> Neo4jStore:
        """Open a driver on `uri` (no auth when `password` is None) and a store on it; `config` goes to the
        driver (e.g. connection_timeout, max_transaction_retry_time); no `database`: the user's home database."""
        auth = neo4j.basic_auth(user or "neo4j", password) if password else None
        settings: dict[str, Any] = {"connection_timeout": CONNECTION_TIMEOUT, "notifications_min_severity": "OFF",
                                    "user_agent": f"regtrace/{__version__}", **config}
        try:
            driver = GraphDatabase.driver(uri, auth=auth, **settings)
        except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
            raise ConfigError(f"cannot use the Neo4j URI {uri!r}: {exc}") from exc
        return cls(driver, database or None, uri=uri, owns_driver=True)

    # ------------------------------------------------------------ plumbing

    def execute(self, statement: str, parameters: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one read statement with parameters on a reader; rows as dicts of native values."""
        with translated(self.uri):
            rows: list[Row] = self._driver.execute_query(
                statement, dict(parameters or {}), routing_=RoutingControl.READ, database_=self._database,
                result_transformer_=_rows)
        return rows

    def ensure_schema(self) -> None:
        wanted = q.schema_items()
        existing = {r["name"] for statement in (q.SHOW_CONSTRAINTS, q.SHOW_INDEXES) for r in self.execute(statement)}
        missing = [item.statement for item in wanted if item.name not in existing]
        if not missing:
            return

        def create(tx: ManagedTransaction) -> None:
            for statement in missing:
                tx.run(statement).consume()

        self._write_tx(create)

    def _write_tx(self, work: Callable[[ManagedTransaction], None]) -> None:
        with translated(self.uri, writing=True), self._driver.session(
                database=self._database, bookmark_manager=self._driver.execute_query_bookmark_manager) as session:
            session.execute_write(work)

    def write(self, unit: Callable[[Writer], None]) -> None:
        self._write_tx(lambda tx: unit(_Neo4jWriter(tx)))

    # ------------------------------------------------------------ reads

    def tenants(self) -> list[str]:
        return sorted({str(r["tenant"]) for r in self.execute(q.TENANTS)})

    def close(self) -> None:
        if self._owns_driver:
            self._driver.close()
