"""One open LadybugDB database file and its connection: statements with parameters, COPY from Arrow, errors
mapped to the product's tree."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ladybug

from regtrace.errors import StoreError, StorePoolFullError, StoreUnavailableError

from .port import Row

if TYPE_CHECKING:
    import pyarrow as pa


# What the engine says when a query's working memory does not fit its buffer pool.
_POOL_FULL = "The buffer pool is full"


class LadybugConnection:
    """`path` opened read-only (a published generation) or read-write (a staging copy)."""

    def __init__(self, path: Path, *, read_only: bool, threads: int = 0, compression: bool = True,
                 pool_mb: int = 0) -> None:
        """`threads`: the engine's worker threads (0: one per core); `compression`: whether the pages a write adds
        are compressed (any page, compressed or not, is read alike); `pool_mb`: the engine's buffer pool (0: its
        default, 80 % of the machine's memory), which holds the pages read and a query's working memory: a query
        needing more fails with StorePoolFullError."""
        self.path = path
        try:
            self._db = ladybug.Database(str(path), read_only=read_only, max_num_threads=threads,
                                        compression=compression, buffer_pool_size=pool_mb << 20)
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            if _POOL_FULL in str(exc):
                raise StorePoolFullError(f"the database {path} does not open in a {pool_mb} MB pool: {exc}") from exc
            if "lock" in str(exc).lower():
                raise StoreUnavailableError(
                    f"the database {path} is held by another process; try again") from exc
            raise StoreError(f"cannot open the database {path}: {exc}; run `regtrace doctor`") from exc

    def execute(self, statement: str, parameters: Mapping[str, Any] | None = None, *,
                once: bool = False) -> list[Row]:
        """Run one statement with parameters and return its rows as dicts. With `once` the statement is prepared
        for this call alone (see `_once`): for a statement given an Arrow table."""
        try:
            result = self._once(statement, parameters or {}) if once else \
                self._conn.execute(statement, dict(parameters or {}))
        except RuntimeError as exc:
            raise _rejected(exc) from exc
        results = result if isinstance(result, list) else [result]
        rows: list[Row] = []
        for res in results:
            names = res.get_column_names()
            while res.has_next():
                rows.append(dict(zip(names, res.get_next(), strict=True)))
        return rows

    def query_arrow(self, statement: str, parameters: Mapping[str, Any] | None = None, *,
                    once: bool = False) -> pa.Table:
        """Run one read statement and return its rows as an Arrow table (columns typed by the engine). With `once`
        the statement is prepared for this call alone (see `_once`): for a statement given an Arrow table."""
        try:
            result = self._once(statement, parameters or {}) if once else \
                self._conn.execute(statement, dict(parameters or {}))
            assert not isinstance(result, list)
            return result.get_as_arrow(100_000)
        except RuntimeError as exc:
            raise _rejected(exc) from exc

    def copy_from(self, table_name: str, rows: pa.Table) -> None:
        """COPY the rows of an Arrow table into a node or relationship table, within the open transaction
        (prepared for this one table, `_once`: reusing a cached COPY after a delete also crashes the engine)."""
        try:
            self._once(f"COPY {table_name} FROM $rows", {"rows": rows})
        except RuntimeError as exc:
            raise StoreError(f"the store rejected a bulk write into {table_name}: {exc}") from exc

    def _once(self, statement: str, parameters: Mapping[str, Any]) -> ladybug.QueryResult | list[ladybug.QueryResult]:
        """Run `statement` prepared for this call alone. The driver's implicit statement cache keeps the
        parameters of the last call of each statement: an Arrow table given to `LOAD FROM` or `COPY` stayed held
        with it (a reload's million new evidence rows, ~190 MB, until the load ended). `prepare` is deprecated in
        favour of that cache, hence the warning filter."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            prepared = self._conn.prepare(statement, dict(parameters))
        return self._conn.execute(prepared, dict(parameters))

    def rollback(self) -> None:
        """Roll back the open transaction; LadybugDB has already done so when a statement failed."""
        try:
            self._conn.execute("ROLLBACK")
        except RuntimeError as exc:
            if "no active transaction" not in str(exc).lower():
                raise StoreError(f"the store could not roll back: {exc}") from exc

    def close(self) -> None:
        self._conn.close()
        self._db.close()


def _rejected(exc: RuntimeError) -> StoreError:
    """The error for a query the engine refused."""
    if _POOL_FULL in str(exc):
        return StorePoolFullError(f"the store's buffer pool could not hold a query: {exc}")
    return StoreError(f"the store rejected a query: {exc}")
