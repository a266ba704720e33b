"""Reads of the published generation a reload's staging copy was made from (graph/ladybug_diff.py uses them for a
large label compared whole and its links), each on a read-only connection of its own with a small buffer pool.

What the engine holds to give a million stored digests or links goes when that connection closes, instead of
staying in the writing connection's pages until the commit. Opening one costs ~0.13 s and ~110 MB while it is
open: only the reads of a large label or type are made here. The engine's default pool (80 % of the machine's
memory) keeps every page a read touches: a million evidence items' digests took +290 MB above the open, their
links +200–250 MB a type. So a connection here opens with a pool sized for the read: the digests' with
DIGEST_POOL_BYTES a row (they need 64–80 MB at 1M), a type's links with SOURCE_POOL_MB, read LINK_SLICE source
nodes at a time (a slice's rows, not the tenant's, bound what its join holds). A read that does not fit its pool
(StorePoolFullError) is made again whole on a connection with the default pool: slower, never wrong.
Measured in bench/README.md ("The reload's reads of its source generation in a small pool", 2026-12-03).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from regtrace.errors import StorePoolFullError

from . import ladybug_queries as q
from .ladybug_connection import LadybugConnection
from .schema import RelSchema

SOURCE_POOL_MB = 64  # the least pool a connection here opens with
DIGEST_POOL_BYTES = 128  # the pool a read sized by its rows (the digests) takes for each row
LINK_SLICE = 131_072  # source nodes a read of links takes at a time (one of the engine's node groups)
DEFAULT_POOL = 0


def pool_for(rows: int) -> int:
    """The buffer pool, in MB, a connection opens with for a read of `rows` rows."""
    return max(SOURCE_POOL_MB, rows * DIGEST_POOL_BYTES >> 20)


class SourceReads:
    """Reads of the source generation; `connect(pool_mb)` opens a read-only connection to it, `closed` is called
    after one is closed (the memory returned to the system)."""

    def __init__(self, connect: Callable[[int], LadybugConnection], closed: Callable[[], None]) -> None:
        self._connect, self._closed = connect, closed
        self._conn: LadybugConnection | None = None
        self._pool = DEFAULT_POOL

    def query_arrow(self, statement: str, parameters: Mapping[str, Any], *, rows: int, once: bool = False,
                    more: bool = False) -> pa.Table:
        """LadybugConnection.query_arrow on a connection whose pool is sized for `rows` rows (`pool_for`), made again
        on one with the default pool if it does not fit; with `more` the connection stays open for the read that
        follows."""
        try:
            return self._open(pool_for(rows)).query_arrow(statement, parameters, once=once)
        except StorePoolFullError:
            return self._open(DEFAULT_POOL).query_arrow(statement, parameters, once=once)
        finally:
            if not more:
                self.close()

    def links(self, rel: RelSchema, tenant: str, sources: pa.ChunkedArray | None = None) -> pa.Table:
        """Every link of the type from a node of the tenant (ladybug_queries.tenant_links), read LINK_SLICE source
        nodes at a time on a SOURCE_POOL_MB pool; whole on the default pool if a slice does not fit. With `sources`
        only the links from those uids are kept, slice by slice."""
        def kept(links: pa.Table) -> pa.Table:
            return links if sources is None else links.filter(pc.is_in(links.column("source"), value_set=sources))

        try:
            conn = self._open(SOURCE_POOL_MB)
            last = conn.execute(q.last_offset(rel.source))[0]["last"]
            if last is None:  # no node of the label: the read's empty columns
                return conn.query_arrow(q.tenant_links(rel), {"tenant": tenant})
            return pa.concat_tables([
                kept(conn.query_arrow(q.tenant_links_between(rel),
                                      {"tenant": tenant, "low": low, "high": low + LINK_SLICE}))
                for low in range(0, last + 1, LINK_SLICE)])
        except StorePoolFullError:
            return kept(self._open(DEFAULT_POOL).query_arrow(q.tenant_links(rel), {"tenant": tenant}))
        finally:
            self.close()

    def _open(self, pool_mb: int) -> LadybugConnection:
        """The open connection if it has this pool, else one opened with it."""
        if self._conn is not None and self._pool != pool_mb:
            self.close()
        if self._conn is None:
            self._conn, self._pool = self._connect(pool_mb), pool_mb
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()
            self._closed()
