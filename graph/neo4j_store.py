"""The Neo4j store: a Neo4j 5 server, cluster or Aura database through the official driver.

Reads are `driver.execute_query` routed to readers; a `write(unit)` is one managed transaction
(`session.execute_write`), which the driver retries on transient errors: units are re-runnable (idempotent
upserts, delete-then-create). A tenant's registers are generations (graph/neo4j_generations.py): reads see
the published one, `replace_tenant` stages the next in batches and publishes it in one small transaction.
Values cross the boundary as the LadybugDB store's do: `neo4j.time.Date` in rows becomes `datetime.date`.
All Cypher is in graph/neo4j_queries.py and graph/cypher_reads.py; driver errors become the product's
(graph/neo4j_errors.py).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, ClassVar

import neo4j
import pyarrow as pa
import pyarrow.compute as pc
from neo4j import Driver, GraphDatabase, ManagedTransaction, RoutingControl
from neo4j.time import Date, DateTime

from regtrace import __version__
from regtrace.errors import ConfigError, StoreChangedError
from regtrace.settings import current

from . import neo4j_patch, tables
from . import neo4j_queries as q
from .cypher_reads import KEYS, ROWS, delete_nodes
from .cypher_store import CypherStore, QuerySet
from .neo4j_errors import translated
from .neo4j_generations import adopt_legacy, remove_old, replace, tidy
from .neo4j_lanes import Lanes
from .port import Link, Pending, Row, Writer, batched, ready, ready_last, start_pending
from .schema import NodeSchema, Property, RelSchema, store_schema

BATCH = 10_000  # rows per statement; a load's staged generation commits each batch on its own
# batches of rows put in the order of their links' targets at a time, when nodes are written grouped by them
# (_Neo4jWriter._table_groups): at 1M evidence items, ~11 items per group in a window of 100,000
GROUP_WINDOW = 10
READ_ATTEMPTS = 3  # reads of a tenant's registers while loads keep publishing new generations
CONNECTION_TIMEOUT = 10.0  # seconds; the driver's default (30 s) is long for a command line


def _native(value: Any) -> Any:
    """A driver value as the LadybugDB store returns it: dates as datetime.date, lists element-wise."""
    if isinstance(value, Date | DateTime):
        return value.to_native()
    if isinstance(value, list):
        return [_native(v) for v in value]
    return value


def _rows(result: neo4j.Result) -> list[Row]:
    """The result's records as rows; a collected read's one record (cypher_reads.Dialect.rows) unpacked."""
    return _unpacked(result.keys(), result.values())


def _data_rows(data: list[Row]) -> list[Row]:
    """As `_rows`, for records already taken as dicts (a transaction's `.data()`)."""
    return _unpacked(list(data[0]) if data else [], [list(row.values()) for row in data])


def _unpacked(keys: Sequence[str], records: Sequence[Sequence[Any]]) -> list[Row]:
    """Records (their values, in the order of `keys`) as rows of native values; a collected read's one record
    unpacked into its rows."""
    if list(keys) == [ROWS, KEYS] and len(records) == 1:
        values, names = records[0]
        return [{k: _native(v) for k, v in zip(names, row, strict=True)} for row in values]
    return [{k: _native(v) for k, v in zip(keys, values, strict=True)} for values in records]


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


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Dates (and lists of dates) as ISO text: what the write statements send (graph/neo4j_queries.py)."""
    kind = column.type
    if pa.types.is_date(kind):
        return column.cast(pa.string())
    if pa.types.is_list(kind) and pa.types.is_date(kind.value_type):
        return column.cast(pa.list_(pa.string()))
    return column


def _columns(batch: pa.RecordBatch | pa.Table) -> list[list[Any]]:
    """A batch's columns as Python lists, dates as ISO text."""
    return [_as_text(column).to_pylist() for column in batch.columns]


def _groups(columns: list[list[Any]], keys: int) -> list[list[Any]]:
    """Consecutive rows alike in the first `keys` columns as one group each: [key values..., [the rest of each
    row, positional]]."""
    groups: list[list[Any]] = []
    last: tuple[Any, ...] | None = None
    for key, row in zip(zip(*columns[:keys], strict=True), zip(*columns[keys:], strict=True), strict=True):
        if key != last:
            groups.append([*key, []])
            last = key
        groups[-1][keys].append(row)
    return groups


def _foldable(label: str, links: pa.Table, nodes: pa.Table, key: tuple[str, str, str]) -> bool:
    """Whether a link table can be written with its source label's node table: its sources are nodes of that
    table of a tenant's registers, each with at most one such link, its targets of another label."""
    if key[1] != label or key[2] == label or not store_schema().nodes[label].tenant_scoped or not links.num_rows:
        return False
    sources = links.column("source")
    return bool(pc.count_distinct(sources).as_py() == links.num_rows
                and pc.all(pc.is_in(sources, value_set=nodes.column("uid"))).as_py())


def _targets_first(folded: dict[str, list[tuple[str, str, str]]]) -> list[str]:
    """The labels in an order that writes the targets of a label's folded links before it (a link created with
    its source node needs its target there). Labels whose folded links form a cycle have them unfolded (their
    lists emptied): those links are written after every node, as the others."""
    order: list[str] = []
    pending = list(folded)
    while pending:
        ready = [label for label in pending
                 if all(key[2] not in pending for key in folded[label])]
        if not ready:
            for label in pending:
                folded[label] = []
            ready = pending
        order += ready
        pending = [label for label in pending if label not in ready]
    return order


Run = Callable[[str, Mapping[str, Any]], list[Row]]


class _Neo4jWriter(Writer):
    """Writes through `run` (one managed transaction, or one transaction per batch for a load's staged
    generation); driver errors propagate so that the driver can retry.

    `staged`: the generation every tenant-scoped node goes to (a load's new one). None: a change in place, into
    each tenant's published generation (made, empty, for a tenant that has none); the tenants it touches are in
    `touched` and the generations it empties in `emptied` (removed after the commit). `lanes`: a staged
    generation's table batches are committed from several sessions at once (graph/neo4j_lanes.py)."""

    def __init__(self, run: Run, staged: int | None = None, batch: int = BATCH, lanes: Lanes | None = None) -> None:
        self._run_statement = run
        self._lanes = lanes
        self._batch = max(1, batch)
        self._staged = staged
        self._published: dict[str, int] = {}
        self.patch_bound: int | None = None  # set by Neo4jStore.patch_tenant: replace_labels writes in place
        self.touched: set[str] = set()
        self.emptied: dict[str, int] = {}

    def _run(self, statement: str, parameters: Mapping[str, Any]) -> list[Row]:
        return self._run_statement(statement, parameters)

    def _generation(self, tenant: str) -> int:
        if self._staged is not None:
            return self._staged
        if tenant not in self._published:
            self._published[tenant] = int(self._run(q.ENSURE_GENERATION, {"tenant": tenant})[0]["current"])
        self.touched.add(tenant)
        return self._published[tenant]

    def _by_generation(self, node: NodeSchema, rows: Sequence[Row]) -> dict[int | None, list[Row]]:
        """Rows grouped by the generation they are written into (None: a label outside the generations)."""
        if not node.tenant_scoped:
            return {None: list(rows)}
        groups: dict[int | None, list[Row]] = {}
        for row in rows:
            groups.setdefault(self._generation(str(row["tenant"])), []).append(row)
        return groups

    def _nodes(self, statement: str, node: NodeSchema, rows: Sequence[Row]) -> None:
        for generation, group in self._by_generation(node, rows).items():
            for batch in batched(_prepare(node.properties, group), self._batch):
                self._run(statement, {"rows": batch, "generation": generation})

    def upsert_nodes(self, label: str, rows: Sequence[Row]) -> None:
        node = store_schema().nodes[label]
        self._nodes(q.upsert_nodes(node), node, rows)

    def create_nodes(self, label: str, rows: Sequence[Row]) -> None:
        node = store_schema().nodes[label]
        self._nodes(q.create_nodes(node), node, rows)

    def _touch(self, label: str, uids: Sequence[str]) -> None:
        """In place: the tenants of the nodes with these uids have changed."""
        if self._staged is None and store_schema().nodes[label].tenant_scoped and uids:
            rows = self._run(q.tenants_of(store_schema().nodes[label]), {"uids": list(uids)})
            self.touched.update(str(r["tenant"]) for r in rows if r["tenant"] is not None)

    def _links(self, statement: str, rel: RelSchema, links: Sequence[Link]) -> None:
        self._touch(rel.source, sorted({lk.source for lk in links}))
        rows = ({"source": lk.source, "target": lk.target,
                 **{p.name: _stored(p, (lk.properties or {}).get(p.name)) for p in rel.properties}} for lk in links)
        for batch in batched(rows, self._batch):
            self._run(statement, {"links": batch, "generation": self._staged})

    def link(self, rel_type: str, links: Sequence[Link]) -> None:
        rel = store_schema().relationship(rel_type)
        self._links(q.link(rel, self._staged is not None), rel, links)

    def create_links(self, rel_type: str, links: Sequence[Link]) -> None:
        rel = store_schema().relationship(rel_type)
        self._links(q.create_links(rel, self._staged is not None), rel, links)

    def _send(self, statement: str, parameters: Iterator[dict[str, Any]]) -> None:
        """Run `statement` once per parameter set: from the load's sessions at once when it has them, each
        batch its own transaction, all committed before this returns (the next table's rows may link to these
        nodes)."""
        lanes = self._lanes  # given for a load's staged generation only
        send = lanes.send if lanes is not None else self._run
        try:
            for batch in parameters:
                send(statement, batch)
            if lanes is not None:
                lanes.wait()
        except BaseException:
            if lanes is not None:
                lanes.settle()
            raise

    def _table_rows(self, statement: str, parameter: str, table: pa.Table, generation: int | None) -> None:
        """Write a conformed table batch by batch as positional rows (tuples, without a dict per row), dates as
        ISO text (the statements turn them back into dates)."""
        self._send(statement, ({parameter: list(zip(*_columns(batch), strict=True)), "generation": generation}
                               for batch in table.to_batches(max_chunksize=self._batch)))

    def _table_groups(self, statement: str, table: pa.Table, keys: int, generation: int | None) -> None:
        """Write a table batch by batch, each batch as groups of its rows alike in the first `keys` columns:
        [key values..., [the rest of each row, positional]] (q.create_node_groups). The rows are put in the
        order of those columns GROUP_WINDOW batches at a time (not the whole table: a sorted copy of a million
        evidence items would cost ~200 MB more at the load's peak)."""

        def batches() -> Iterator[dict[str, Any]]:
            for at in range(0, table.num_rows, self._batch * GROUP_WINDOW):
                part = table.slice(at, self._batch * GROUP_WINDOW).combine_chunks()
                part = part.take(pc.sort_indices(part, sort_keys=[(n, "ascending") for n in part.column_names[:keys]]))
                for batch in part.to_batches(max_chunksize=self._batch):
                    yield {"groups": _groups(_columns(batch), keys), "generation": generation}

        self._send(statement, batches())

    def replace_tenant(self, tenant: str, nodes: dict[str, pa.Table | Pending],
                       links: dict[tuple[str, str, str], pa.Table], release: bool, step: Callable[[], None]) -> None:
        """Into a load's staged generation: each node table with the relationships its rows have at most one
        of (an evidence item's control and arrangement) in one statement per batch; the other links after. A
        pending table is taken after the ready ones (at once if a link starts or ends at its label)."""
        if self._staged is None:
            super().replace_tenant(tenant, nodes, links, release, step)
            return
        step()
        start_pending(nodes)
        linked = {end for key in links for end in key[1:]}
        for label in [label for label in nodes if label in linked]:
            nodes[label] = ready(nodes[label])
        folded: dict[str, list[tuple[str, str, str]]] = {}
        for label, given in nodes.items():
            folded[label] = [] if isinstance(given, Pending) else \
                [key for key, table in links.items() if _foldable(label, table, given, key)]
        for label in ready_last({label: nodes[label] for label in _targets_first(folded)}):
            table = ready(nodes.pop(label) if release else nodes[label])
            keys = folded[label]
            if table.num_rows and keys:
                self._create_with_links(label, table, [(key[0], links[key]) for key in keys])
            elif table.num_rows:
                self.create_node_table(label, table)
            for _ in range(1 + len(keys)):
                step()
            if release:
                for key in keys:
                    del links[key]
            del table
        done = {key for keys in folded.values() for key in keys}
        for key in [k for k in list(links) if k not in done]:
            table = links.pop(key) if release else links[key]
            if table.num_rows:
                self.create_link_table(key[0], table)
            step()
            del table

    def _create_with_links(self, label: str, table: pa.Table, links: Sequence[tuple[str, pa.Table]]) -> None:
        """Nodes and, in the same statement, the one target (and properties) of each of `links` per node, grouped
        by their targets (q.create_node_groups)."""
        node = store_schema().nodes[label]
        rows = tables.conformed_nodes(node, table)
        rels = [store_schema().relationship(rel_type) for rel_type, _ in links]
        targets: list[pa.ChunkedArray] = []
        properties: list[pa.ChunkedArray] = []
        for rel, (_, link_table) in zip(rels, links, strict=True):
            conformed = tables.conformed_links(rel, link_table)
            at = pc.index_in(rows.column("uid"), value_set=conformed.column("source"))
            targets.append(conformed.column(1).take(at))
            properties += [conformed.column(i).take(at) for i in range(2, conformed.num_columns)]
        columns = [*targets, *rows.columns, *properties]
        grouped = pa.table(columns, names=[f"c{i}" for i in range(len(columns))])
        self._table_groups(q.create_node_groups(node, rels), grouped, len(targets), self._staged)

    def create_node_table(self, label: str, table: pa.Table) -> None:
        node = store_schema().nodes[label]
        if node.tenant_scoped and self._staged is None:  # in place: per tenant's published generation
            super().create_node_table(label, table)
            return
        self._table_rows(q.create_node_rows(node), "rows", tables.conformed_nodes(node, table), self._staged)

    def create_link_table(self, rel_type: str, table: pa.Table) -> None:
        rel = store_schema().relationship(rel_type)
        if self._staged is None and store_schema().nodes[rel.source].tenant_scoped:
            super().create_link_table(rel_type, table)
            return
        self._table_rows(q.create_link_rows(rel, self._staged is not None), "links",
                         tables.conformed_links(rel, table), self._staged)

    def replace_labels(self, tenant: str, nodes: dict[str, pa.Table | Pending],
                       links: dict[tuple[str, str, str], pa.Table], release: bool, step: Callable[[], None],
                       patched: Mapping[str, pa.Array] | None = None) -> None:
        """In place only (Neo4jStore.patch_tenant, the tenant held): only what differs from the tenant's published
        generation is written, at most `patch_bound` rows (graph/neo4j_patch.py)."""
        if self._staged is not None or self.patch_bound is None:
            super().replace_labels(tenant, nodes, links, release, step, patched)
            return
        target = neo4j_patch.InPlace(self, lambda statement, params: _data_rows(self._run(statement, params)),
                                     self._run, tenant, self._generation(tenant), self.patch_bound)
        neo4j_patch.replace_labels(target, nodes, links, step, patched)

    def hold(self, tenant: str) -> None:
        """Lock the tenant's generation pointer until the transaction ends (graph/neo4j_queries.HOLD_TENANT): another
        load or change in place of the tenant waits, and a load staging a generation can no longer publish."""
        held = self._run(q.HOLD_TENANT, {"tenant": tenant})
        if not held:
            raise StoreChangedError(f"the tenant {tenant!r} has no registers to change in place; load again")
        self._published[tenant] = int(held[0]["current"])  # what `_generation` gives from now on
        self._generation(tenant)

    def delete_tenant(self, tenant: str) -> None:
        """In place: the tenant moves to a new, empty generation (its nodes are removed after the commit). In
        a load's staged generation there is nothing to delete."""
        if self._staged is not None:
            return
        rows = self._run(q.EMPTY_GENERATION, {"tenant": tenant})
        if rows:
            self.emptied[tenant] = int(rows[0]["fresh"])
            self._published[tenant] = self.emptied[tenant]

    def delete_nodes(self, label: str, uids: Sequence[str]) -> None:
        node = store_schema().nodes[label]
        self._touch(label, uids)
        statement = q.delete_staged(node) if self._staged is not None else delete_nodes(node, q.QUERIES.dialect)
        for batch in batched(({"uid": u} for u in uids), self._batch):
            self._run(statement, {"uids": [r["uid"] for r in batch], "generation": self._staged})


class Neo4jStore(CypherStore):
    """A Neo4j database reached through `driver` (`database` None: the user's home database).

    The store closes the driver only when it made it (`connect`); an injected driver stays its owner's."""

    queries: ClassVar[QuerySet] = q.QUERIES
    reruns_units = True  # session.execute_write retries a unit on transient errors
    replaces_labels = True  # a partial reload is written in place (patch_tenant)

    def __init__(self, driver: Driver, database: str | None = None, *, uri: str = "neo4j",
                 owns_driver: bool = False) -> None:
        self._driver = driver
        self._database = database
        self._owns_driver = owns_driver
        self._local = threading.local()  # per thread: the generations a snapshot has pinned
        self._seen: dict[str | None, int] = {}  # per tenant: the generation the last read found published
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
        driver (e.g. connection_timeout, max_transaction_retry_time, else REGTRACE_NEO4J_RETRY_SECONDS); no
        `database`: the user's home database."""
        auth = neo4j.basic_auth(user or "neo4j", password) if password else None
        settings: dict[str, Any] = {"connection_timeout": CONNECTION_TIMEOUT, "notifications_min_severity": "OFF",
                                    "max_transaction_retry_time": current().neo4j_retry_seconds,
                                    "user_agent": f"regtrace/{__version__}", **config}
        try:
            driver = GraphDatabase.driver(uri, auth=auth, **settings)
        except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
            raise ConfigError(f"cannot use the Neo4j URI {uri!r}: {exc}") from exc
        return cls(driver, database or None, uri=uri, owns_driver=True)

    # ------------------------------------------------------------ plumbing

    def _read(self, statement: str, parameters: Mapping[str, Any]) -> list[Row]:
        with translated(self.uri):
            rows: list[Row] = self._driver.execute_query(
                statement, dict(parameters), routing_=RoutingControl.READ, database_=self._database,
                result_transformer_=_rows)
        return rows

    def published(self, tenant: str | None) -> int:
        """The tenant's published generation (-1, which no node has, for a tenant without one)."""
        if tenant is None:
            return -1
        rows = self._read(q.CURRENT_GENERATION, {"tenant": tenant})
        return int(rows[0]["current"]) if rows else -1

    def execute(self, statement: str, parameters: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one read statement with parameters on a reader; rows as dicts of native values.

        A statement over a tenant's registers ($generation) reads its published generation, and is read again
        if a load published another one meanwhile (the old one is then being removed, so what was read may
        lack part of it). Inside a snapshot the first generation read of each tenant is kept. A read first tries
        the generation the previous one found published (two round trips, not three), checked the same way."""
        params = dict(parameters or {})
        if "$generation" not in statement:
            return self._read(statement, params)
        tenant = params.get("tenant")
        pinned: dict[str | None, int] | None = getattr(self._local, "pinned", None)
        guess = self._seen.get(tenant)  # the generation the last read found published: one lookup fewer
        for _ in range(READ_ATTEMPTS + (guess is not None)):
            if pinned is not None and tenant in pinned:
                generation = pinned[tenant]
            else:
                generation = guess if guess is not None else self.published(tenant)
            guess = None
            rows = self._read(statement, {**params, "generation": generation})
            self._seen[tenant] = now = self.published(tenant)
            if now == generation:
                if pinned is not None:
                    pinned[tenant] = generation
                return rows
            if pinned is not None and tenant in pinned:
                break
        raise StoreChangedError(f"the registers of {tenant!r} were replaced while being read from {self.uri}; "
                                    "try again")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one generation of each tenant's registers (a load published meanwhile: the reads
        that follow fail with StoreChangedError rather than mix the two)."""
        outer = getattr(self._local, "pinned", None)
        if outer is None:
            self._local.pinned = {}
        try:
            yield
        finally:
            if outer is None:
                self._local.pinned = None

    def generation(self) -> str | None:
        """A counter every write increments, whichever process makes it."""
        rows = self._read(q.VERSION, {})
        return str(rows[0]["value"]) if rows else "0"

    def ensure_schema(self) -> None:
        wanted = {item.name: item for item in q.schema_items()}
        existing = {str(r["name"]) for statement in q.SHOW_REGTRACE_ITEMS for r in self._read(statement, {})}
        obsolete = sorted(existing & set(q.pre_generation_items()))
        # what an earlier version made and this one no longer does (the registers' date indexes): dropped, so
        # that no write keeps paying for it
        unwanted = sorted(existing - set(wanted) - set(obsolete))
        missing = [item.statement for name, item in wanted.items() if name not in existing]
        if not missing and not obsolete and not unwanted:
            return
        with translated(self.uri, writing=True), self._session() as session:
            # obsolete: a store made before generations, whose registers' uid is unique per generation now
            for name in obsolete + unwanted:
                session.run(f"DROP CONSTRAINT {name} IF EXISTS").consume()
                session.run(f"DROP INDEX {name} IF EXISTS").consume()
            if obsolete:
                adopt_legacy(session)
            for statement in missing:
                session.run(statement).consume()

    def _session(self) -> neo4j.Session:
        return self._driver.session(database=self._database,
                                    bookmark_manager=self._driver.execute_query_bookmark_manager)

    def write(self, unit: Callable[[Writer], None]) -> None:
        self._write(unit)

    def _write(self, unit: Callable[[_Neo4jWriter], None]) -> None:
        done: list[_Neo4jWriter] = []

        def work(tx: ManagedTransaction) -> None:
            writer = _Neo4jWriter(lambda statement, params: tx.run(statement, dict(params)).data())
            done[:] = [writer]
            unit(writer)
            if writer.touched:
                tx.run(q.TOUCHED, {"tenants": sorted(writer.touched)}).consume()
            tx.run(q.BUMP_VERSION).consume()

        with translated(self.uri, writing=True), self._session() as session:
            session.execute_write(work)
            for tenant, kept in done[0].emptied.items():
                remove_old(session, tenant, below=kept, keep=kept)

    def replace_tenant(self, tenant: str, unit: Callable[[Writer], None]) -> None:
        """The tenant's next generation written in batches of BATCH rows, each its own transaction (from
        REGTRACE_NEO4J_WRITE_SESSIONS sessions at once), then published in one small one
        (graph/neo4j_generations.py)."""
        settings = current()
        width = settings.neo4j_write_sessions
        with (translated(self.uri, writing=True), self._session() as session,
              Lanes(self._session, width) if width > 1 else nullcontext() as lanes):
            replace(session, tenant, lambda run, generation: unit(
                _Neo4jWriter(run, staged=generation, batch=settings.neo4j_batch_rows, lanes=lanes)))

    def patch_rows(self) -> int | None:
        """REGTRACE_NEO4J_BATCH_ROWS: a reload writing no more than a load's batch does is written in place."""
        return current().neo4j_batch_rows

    def patch_tenant(self, tenant: str, unit: Callable[[Writer], None]) -> None:
        """One transaction, in place into the tenant's published generation (graph/neo4j_patch.py), its pointer
        held from the start (_Neo4jWriter.hold): the unit's precondition sees every load or change that landed
        before, and none lands before the commit; a load staging a generation meanwhile fails to publish."""
        bound = self.patch_rows()

        def held(writer: _Neo4jWriter) -> None:
            writer.hold(tenant)
            writer.patch_bound = bound
            unit(writer)

        self._write(held)

    def tidy_tenant(self, tenant: str) -> None:
        with translated(self.uri, writing=True), self._session() as session:
            tidy(session, tenant)

    def close(self) -> None:
        if self._owns_driver:
            self._driver.close()
