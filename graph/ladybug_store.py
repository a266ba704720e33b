"""The embedded default store on LadybugDB: a folder on disk, no server, crash-safe and shared by processes.

The folder holds copy-on-write generations (graph/generations.py): every write builds the next complete
database beside the published one and switches the pointer to it, so a kill at any instant leaves the store
exactly as before or exactly as after. Any number of processes read at once (each opens the published
generation read-only and follows the pointer when another process publishes); writes take turns.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

from regtrace import settings
from regtrace.errors import NotFoundError, StoreError, StoreUnavailableError

from . import ladybug_queries as q
from .cypher_reads import delete_tenant
from .cypher_store import CypherStore, QuerySet
from .generations import DB_FILE, Layout
from .ladybug_connection import LadybugConnection
from .native_memory import release_freed_memory
from .port import Link, Pending, Row, Writer, batched
from .schema import NodeSchema, Property, store_schema

if TYPE_CHECKING:
    import pyarrow as pa

    from .ladybug_source import SourceReads

BATCH = 50_000
FOLLOW_ATTEMPTS = 50  # pointer reads before giving up when generations are removed under us (each one rare)


class _LadybugWriter(Writer):
    """Writes through the connection; its bulk paths (ladybug_bulk, tables, ladybug_diff: pyarrow) are imported
    when first used, so that a process that only reads (a trace) never imports pyarrow."""

    def __init__(self, conn: LadybugConnection, source: Path | None = None, threads: int = 0) -> None:
        """`source`: the published generation's database the staging copy was made from (None: a new store)."""
        self._conn = conn
        self._source, self._threads = source, threads  # `source` let go of at the first write

    def _writing(self) -> None:
        self._source = None  # the staging copy is no longer as `source`

    def _unchanged_source(self) -> SourceReads | None:
        """Reads of `source` for a replacement that starts the unit's writes (the staging copy is then as `source`
        is); None once anything was written."""
        from .ladybug_source import SourceReads

        source, self._source = self._source, None
        if source is None:
            return None
        return SourceReads(lambda pool_mb: LadybugConnection(source, read_only=True, threads=self._threads,
                                                             pool_mb=pool_mb), release_freed_memory)

    def upsert_nodes(self, label: str, rows: Sequence[Row]) -> None:
        """A few nodes one by one (a point lookup each: a mutation's row among a million), more in batches."""
        self._writing()
        node = store_schema().nodes[label]
        if len(rows) <= q.POINT_ROWS:
            one = q.upsert_node(node)
            for row in rows:
                self._conn.execute(one, {"uid": row["uid"], **{f"v_{p.name}": row.get(p.name)
                                                              for p in node.properties if p.name != "uid"}})
            return
        statement = q.upsert_nodes(node)
        for batch in batched(rows, BATCH):
            self._conn.execute(statement, {"rows": batch})

    def create_nodes(self, label: str, rows: Sequence[Row]) -> None:
        self._writing()
        from . import ladybug_bulk as bulk
        from . import tables

        node = store_schema().nodes[label]
        if len(rows) >= bulk.COPY_MIN_ROWS:
            bulk.copy_nodes(self._conn.copy_from, node, tables.node_table(node, rows))
            return
        statement = q.create_nodes(node)
        for batch in batched(rows, BATCH):
            self._conn.execute(statement, {"rows": batch})

    def create_node_table(self, label: str, table: pa.Table) -> None:
        """COPY at any size: a table is given column-wise already (UNWIND cost a first load of the small registers
        3.4 s at 200k evidence, COPY a few tenths)."""
        self._writing()
        from . import ladybug_bulk as bulk
        from . import tables

        if table.num_rows:
            node = store_schema().nodes[label]
            bulk.copy_nodes(self._conn.copy_from, node, tables.conformed_nodes(node, table))

    def create_links(self, rel_type: str, links: Sequence[Link]) -> None:
        self._writing()
        from . import ladybug_bulk as bulk
        from . import tables

        rel = store_schema().relationship(rel_type)
        if len(links) >= bulk.COPY_MIN_ROWS:
            bulk.copy_links(self._conn.copy_from, rel, tables.link_table(rel, links))
        else:
            self.link(rel_type, links)

    def create_link_table(self, rel_type: str, table: pa.Table) -> None:
        self._writing()
        from . import ladybug_bulk as bulk
        from . import tables

        if table.num_rows:
            rel = store_schema().relationship(rel_type)
            bulk.copy_links(self._conn.copy_from, rel, tables.conformed_links(rel, table))

    def link(self, rel_type: str, links: Sequence[Link]) -> None:
        """A few links one by one (a point lookup of each end), more in batches."""
        self._writing()
        rel = store_schema().relationship(rel_type)
        if len(links) <= q.POINT_ROWS:
            one = q.link_one(rel)
            for lk in links:
                given = lk.properties or {}
                self._conn.execute(one, {"source": lk.source, "target": lk.target,
                                         **{f"v_{p.name}": given.get(p.name) for p in rel.properties}})
            return
        statement = q.link(rel)
        rows = [{"source": lk.source, "target": lk.target, **(lk.properties or {})} for lk in links]
        for batch in batched(rows, BATCH):
            self._conn.execute(statement, {"links": batch})

    def replace_tenant(self, tenant: str, nodes: dict[str, pa.Table | Pending],
                       links: dict[tuple[str, str, str], pa.Table], release: bool, step: Callable[[], None]) -> None:
        """Only what differs from the stored tenant is written (graph/ladybug_diff.py)."""
        self._replace(tenant, nodes, links, release, step, None, None)

    def replace_labels(self, tenant: str, nodes: dict[str, pa.Table | Pending],
                       links: dict[tuple[str, str, str], pa.Table], release: bool, step: Callable[[], None],
                       patched: Mapping[str, pa.Array] | None = None) -> None:
        """Only the labels given (and the relationship types from them), and of those only what differs;
        a `patched` label compared on its given rows only (graph/ladybug_diff.py)."""
        self._replace(tenant, nodes, links, release, step, frozenset(nodes), patched)

    def _replace(self, tenant: str, nodes: dict[str, pa.Table | Pending], links: dict[tuple[str, str, str], pa.Table],
                 release: bool, step: Callable[[], None], only: frozenset[str] | None,
                 patched: Mapping[str, pa.Array] | None) -> None:
        from . import ladybug_diff

        step()
        source = self._unchanged_source()
        try:
            ladybug_diff.replace_tenant(self._conn, self, tenant, nodes, links, release, step, only,
                                        release_freed_memory, patched, self._settle, source)
        finally:
            if source is not None:
                source.close()

    def _settle(self) -> None:
        """Commit what is written so far and go on in a new transaction (its checkpoint, on one engine thread,
        runs while a worker computes the tables still pending). The write is into a staging copy published
        only once the whole unit has run (LadybugStore._build): what a failure or a kill leaves is unchanged."""
        self._conn.execute("COMMIT")
        self._conn.execute("BEGIN TRANSACTION")

    def delete_tenant(self, tenant: str) -> None:
        self._writing()
        for node in store_schema().nodes.values():
            if node.tenant_scoped:
                self._conn.execute(delete_tenant(node, q.QUERIES.dialect), {"tenant": tenant})

    def delete_nodes(self, label: str, uids: Sequence[str]) -> None:
        """A few nodes one by one (a point lookup each), more in one statement (q.POINT_ROWS), their uids given
        as an Arrow column."""
        self._writing()
        node = store_schema().nodes[label]
        if len(uids) <= q.POINT_ROWS:
            for uid in uids:
                self._conn.execute(q.delete_node(node), {"uid": uid})
            return
        import pyarrow as pa  # a bulk path: a mutation's few deletes never import it

        rows = pa.table({"uid": pa.array(list(uids), pa.string())})
        self._conn.execute(q.delete_loaded_nodes(node), {"rows": rows}, once=True)


def _create_schema(conn: LadybugConnection) -> None:
    """The tables the ontology names; a property the ontology gained since the store was made (e.g.
    ApiToken.expires_at) is added to its table, empty (CREATE ... IF NOT EXISTS leaves a table as it was)."""
    schema = store_schema()
    for node in schema.nodes.values():
        conn.execute(q.create_node_table(node))
        for prop in _missing_properties(conn, node):
            conn.execute(q.add_property(node.label, prop))
    for rel in schema.relationships:
        conn.execute(q.create_rel_table(rel))


def _missing_properties(conn: LadybugConnection | LadybugStore, node: NodeSchema) -> list[Property]:
    present = {r["name"] for r in conn.execute(q.table_properties(node.label))}
    return [prop for prop in node.properties if prop.name not in present]


# A read of at least this many rows (node_table, link_table) closes the reader after it: its engine pages are not
# kept for reads that need none of them (a million evidence items: ~0.5 GB of pages).
LARGE_READ = 100_000


class LadybugStore(CypherStore):
    """The LadybugDB store in `folder`: created on first use unless `create` is False (then NotFoundError)."""

    queries: ClassVar[QuerySet] = q.QUERIES
    replaces_labels = True

    def __init__(self, folder: str | Path, *, create: bool = True) -> None:
        self.folder = Path(folder)
        self.uri = str(self.folder)
        self._layout = Layout(self.folder)
        self._reader: LadybugConnection | None = None
        self._pin: IO[bytes] | None = None
        self._generation: int | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._pinned = 0
        # one reading connection: calls from several threads of a process take turns, a snapshot being one turn
        # (so a write by one thread is never hidden from another by the first one's pinned generation)
        self._turn = threading.RLock()
        if not self._layout.exists() and (not create or (self.folder.exists() and not self.folder.is_dir())):
            raise NotFoundError(f"there is no regtrace store at {self.folder}")
        self._settle()
        self._follow(force=True)
        if self._missing_tables():
            self.ensure_schema()

    # -- generations -----------------------------------------------------------------------------------------

    def _settle(self) -> None:
        """Make sure a generation is published: adopt the old layout, finish an interrupted first publication,
        or create an empty store. A no-op (one stat and one small read) for a store published before."""
        if self._layout.read_pointer() is not None:
            return
        with self._layout.writer():
            if self._layout.read_pointer() is not None:
                return
            if self._layout.legacy_exists():
                self._adopt_legacy()
            elif self._layout.generation_numbers():
                self._layout.write_pointer(self._layout.generation_numbers()[-1])
            else:
                self._build(None, None)

    def _adopt_legacy(self) -> None:
        """The layout before generations (graph.lbdb in the folder) becomes generation 1, in place: opened
        read-write once so that LadybugDB replays and checkpoints its WAL, then moved."""
        conn = LadybugConnection(self.folder / DB_FILE, read_only=False)
        try:
            _create_schema(conn)
            conn.execute("CHECKPOINT")
        finally:
            conn.close()
        leftovers = [p.name for p in self.folder.glob(f"{DB_FILE}.*") if ".set-aside-" not in p.name]
        if leftovers:
            raise StoreError(f"the store {self.folder} did not close cleanly ({', '.join(leftovers)} left); "
                             "run `regtrace doctor --repair`")
        self._layout.adopt_legacy()

    def _build(self, source: int | None, unit: Callable[[Writer], None] | None) -> int:
        """Under the writer lock: the next generation from `source` (None: empty) with `unit` applied, published.
        Anything that fails or is killed before the pointer is replaced leaves only a staging folder behind."""
        numbers = self._layout.generation_numbers()
        n = max([*numbers, source or 0]) + 1
        staging = self._layout.new_staging(n)
        try:
            if source is not None:
                self._layout.copy_database(source, staging)
            given = settings.current()
            conn = LadybugConnection(staging / DB_FILE, read_only=False, threads=given.write_threads,
                                     compression=given.write_compression)
            try:
                if source is None or unit is None:  # a new store, or ensure_schema: the tables the ontology names
                    _create_schema(conn)
                if unit is not None:
                    conn.execute("BEGIN TRANSACTION")
                    try:
                        unit(_LadybugWriter(conn, self._layout.database(source) if source is not None else None,
                                            given.write_threads))
                    except BaseException:
                        conn.rollback()
                        raise
                    conn.execute("COMMIT")
                conn.execute("CHECKPOINT")
            finally:
                conn.close()
                release_freed_memory()  # the engine's pages for this write, before the caller's next one
            self._layout.publish(staging, n)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return n

    def _follow(self, *, force: bool = False) -> None:
        """Open the published generation if another one than ours is published (one stat when nothing changed)."""
        if self._pinned and not force:
            return
        stamp = self._layout.pointer_stamp()
        if stamp == self._stamp and self._reader is not None:
            return
        for _ in range(FOLLOW_ATTEMPTS):
            n = self._layout.read_pointer()
            if n is None:
                raise StoreError(f"the store {self.folder} has lost its pointer; run `regtrace doctor --repair`")
            if n == self._generation and self._reader is not None:
                self._stamp = stamp
                return
            pin = self._layout.pin(n)
            if pin is None:
                stamp = self._layout.pointer_stamp()
                continue
            try:
                reader = LadybugConnection(self._layout.database(n), read_only=True)
            except BaseException:
                pin.close()
                raise
            self._release()
            self._reader, self._pin, self._generation, self._stamp = reader, pin, n, stamp
            return
        raise StoreUnavailableError(f"the store {self.folder} kept changing while opening it; try again")

    def _release(self) -> None:
        if self._reader is not None:
            self._reader.close()
        if self._pin is not None:
            self._pin.close()
        self._reader, self._pin, self._generation = None, None, None

    def _missing_tables(self) -> bool:
        """Tables or properties the ontology names that the published generation lacks."""
        present = {r["name"] for r in self.execute("CALL show_tables() RETURN name")}
        schema = store_schema()
        if not ({*schema.nodes, *(rel.type for rel in schema.relationships)} <= present):
            return True
        return any(_missing_properties(self, node) for node in schema.nodes.values())

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one generation, even if another process publishes meanwhile."""
        with self._turn:
            self._follow()
            self._pinned += 1
            try:
                yield
            finally:
                self._pinned -= 1

    def generation(self) -> str | None:
        """The published generation's number: it changes with every write by any process."""
        n = self._layout.read_pointer()
        return None if n is None else str(n)

    # -- the port --------------------------------------------------------------------------------------------

    def execute(self, statement: str, parameters: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one read statement on the published generation (followed first unless in a snapshot)."""
        with self._turn:
            self._follow()
            assert self._reader is not None
            return self._reader.execute(statement, parameters)

    def ensure_schema(self) -> None:
        with self._turn, self._layout.writer():
            current = self._layout.read_pointer()
            self._build(current, None)
            self._follow(force=True)

    def write(self, unit: Callable[[Writer], None]) -> None:
        with self._turn, self._layout.writer():
            current = self._layout.read_pointer()
            if current is None or current not in self._layout.generation_numbers():
                raise StoreError(f"the store {self.folder} has no published generation; "
                                 "run `regtrace doctor --repair`")
            self._layout.remove_leftovers(current)
            if not self._pinned:  # the build opens its own connection: the reader's memory is not held meanwhile
                self._release()
                release_freed_memory()
            published = self._build(current, unit)
            # the next read opens the published generation (a process that only loads never opens it)
            self._layout.remove_leftovers(published)

    def uids(self, label: str, tenant: str | None = None) -> pa.Array:
        """One column read as Arrow: a reload's removal check over a million evidence rows in tenths of a second."""
        import pyarrow as pa

        node = store_schema().nodes[label]
        with self._turn:
            self._follow()
            assert self._reader is not None
            if node.tenant_scoped:
                table = self._reader.query_arrow(q.tenant_uids(node), {"tenant": tenant})
            else:
                table = self._reader.query_arrow(q.all_uids(node))
        return table.column("uid").combine_chunks().cast(pa.string())

    def node_table(self, label: str, tenant: str) -> pa.Table:
        """Read as Arrow: a million evidence items without a Python value each."""
        from . import tables  # pyarrow: not imported by a store that only traces

        node = store_schema().nodes[label]
        return tables.conformed_nodes(node, self._read_table(q.tenant_nodes(node), {"tenant": tenant}))

    def link_table(self, rel_type: str, tenant: str) -> pa.Table:
        """Read as Arrow, as node_table."""
        rel = store_schema().relationship(rel_type)
        return self._read_table(q.tenant_links(rel), {"tenant": tenant}).select(["source", "target"])

    def _read_table(self, statement: str, parameters: Mapping[str, Any]) -> pa.Table:
        """A read as Arrow; after a large one (LARGE_READ rows) the reader is closed, outside a snapshot, so that
        the engine's pages for it are returned before the caller's next read (which opens it again)."""
        with self._turn:
            self._follow()
            assert self._reader is not None
            table = self._reader.query_arrow(statement, parameters)
            if table.num_rows >= LARGE_READ and not self._pinned:
                self._release()
                release_freed_memory()
            return table

    def close(self) -> None:
        with self._turn:
            self._release()
