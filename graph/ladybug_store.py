"""The embedded default store on LadybugDB: a folder on disk, no server.

One process may open a store folder for writing at a time; a second one gets a clear, retryable error.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import ladybug
import pyarrow as pa

from regtrace.errors import StoreError, StoreUnavailableError

from . import ladybug_bulk as bulk
from . import ladybug_queries as q
from . import tables
from .cypher_store import CypherStore
from .port import Link, Row, Writer, batched
from .schema import NodeSchema, store_schema

DB_FILE = "graph.lbdb"
BATCH = 50_000


class _LadybugWriter(Writer):
    def __init__(self, store: LadybugStore) -> None:
        self._store = store

    def upsert_nodes(self, label: str, rows: Sequence[Row]) -> None:
        statement = q.upsert_nodes(store_schema().nodes[label])
        for batch in batched(rows, BATCH):
            self._store.execute(statement, {"rows": batch})

    def create_nodes(self, label: str, rows: Sequence[Row]) -> None:
        node = store_schema().nodes[label]
        if len(rows) >= bulk.COPY_MIN_ROWS:
            bulk.copy_nodes(self._store.copy_from, node, tables.node_table(node, rows))
            return
        statement = q.create_nodes(node)
        for batch in batched(rows, BATCH):
            self._store.execute(statement, {"rows": batch})

    def create_node_table(self, label: str, table: pa.Table) -> None:
        if table.num_rows >= bulk.COPY_MIN_ROWS:
            node = store_schema().nodes[label]
            bulk.copy_nodes(self._store.copy_from, node, tables.conformed_nodes(node, table))
        else:
            super().create_node_table(label, table)

    def create_links(self, rel_type: str, source_label: str, target_label: str, links: Sequence[Link]) -> None:
        rel = store_schema().relationship(rel_type)
        if len(links) >= bulk.COPY_MIN_ROWS:
            bulk.copy_links(self._store.copy_from, rel, tables.link_table(rel, links))
        else:
            self.link(rel_type, source_label, target_label, links)

    def create_link_table(self, rel_type: str, source_label: str, target_label: str, table: pa.Table) -> None:
        if table.num_rows >= bulk.COPY_MIN_ROWS:
            rel = store_schema().relationship(rel_type)
            bulk.copy_links(self._store.copy_from, rel, tables.conformed_links(rel, table))
        else:
            super().create_link_table(rel_type, source_label, target_label, table)

    def link(self, rel_type: str, source_label: str, target_label: str, links: Sequence[Link]) -> None:
        rel = store_schema().relationship(rel_type)
        statement = q.link(rel)
        rows = [{"source": lk.source, "target": lk.target, **(lk.properties or {})} for lk in links]
        for batch in batched(rows, BATCH):
            self._store.execute(statement, {"links": batch})

    def delete_tenant(self, tenant: str) -> None:
        for node in store_schema().nodes.values():
            if node.tenant_scoped:
                self._store.execute(q.delete_tenant(node), {"tenant": tenant})

    def delete_nodes(self, label: str, uids: Sequence[str]) -> None:
        self._store.execute(q.delete_nodes(store_schema().nodes[label]), {"uids": list(uids)})


class LadybugStore(CypherStore):
    """A LadybugDB database in `folder` (created on first use)."""

    queries: ClassVar[ModuleType] = q

    def __init__(self, folder: str | Path, *, read_only: bool = False) -> None:
        self.folder = Path(folder)
        self.uri = str(self.folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._db = ladybug.Database(str(self.folder / DB_FILE), read_only=read_only)
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            if "lock" in str(exc).lower():
                raise StoreUnavailableError(
                    f"the store {self.folder} is open in another regtrace process; close it and try again"
                ) from exc
            raise StoreError(f"cannot open the store {self.folder}: {exc}") from exc
        self.ensure_schema()

    def execute(self, statement: str, parameters: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one statement with parameters and return its rows as dicts."""
        try:
            result = self._conn.execute(statement, dict(parameters or {}))
        except RuntimeError as exc:
            raise StoreError(f"the store rejected a query: {exc}") from exc
        results = result if isinstance(result, list) else [result]
        rows: list[Row] = []
        for res in results:
            names = res.get_column_names()
            while res.has_next():
                rows.append(dict(zip(names, res.get_next(), strict=True)))
        return rows

    def copy_from(self, table_name: str, rows: pa.Table) -> None:
        """COPY the rows of an Arrow table into a node or relationship table, within the open transaction.

        The statement is prepared for this one table: the driver's implicit statement cache would keep every
        table it was given (and reusing a cached COPY after a delete crashes the engine). `prepare` is
        deprecated in favour of that cache, hence the warning filter."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                statement = self._conn.prepare(f"COPY {table_name} FROM $rows", {"rows": rows})
            self._conn.execute(statement, {"rows": rows})
        except RuntimeError as exc:
            raise StoreError(f"the store rejected a bulk write into {table_name}: {exc}") from exc

    def ensure_schema(self) -> None:
        schema = store_schema()
        for node in schema.nodes.values():
            self.execute(q.create_node_table(node))
            self._add_missing_properties(node)
        for rel in schema.relationships:
            self.execute(q.create_rel_table(rel))

    def _add_missing_properties(self, node: NodeSchema) -> None:
        """A property the ontology gained since the store was made (e.g. ApiToken.expires_at) is added to its
        table, empty; CREATE ... IF NOT EXISTS leaves an existing table as it was."""
        present = {r["name"] for r in self.execute(q.table_properties(node.label))}
        for prop in node.properties:
            if prop.name not in present:
                self.execute(q.add_property(node.label, prop))

    def write(self, unit: Callable[[Writer], None]) -> None:
        self.execute("BEGIN TRANSACTION")
        try:
            unit(_LadybugWriter(self))
        except BaseException:
            self._rollback()
            raise
        self.execute("COMMIT")

    def _rollback(self) -> None:
        """Roll back the open transaction; LadybugDB has already done so when a statement failed."""
        try:
            self._conn.execute("ROLLBACK")
        except RuntimeError as exc:
            if "no active transaction" not in str(exc).lower():
                raise StoreError(f"the store could not roll back: {exc}") from exc

    def tenants(self) -> list[str]:
        found = {r["tenant"] for r in self.execute(q.TENANTS)} | {
            r["tenant"] for r in self.execute(q.TENANTS_WITH_CSPS)
        }
        return sorted(found)

    def close(self) -> None:
        self._conn.close()
        self._db.close()
