"""A LadybugDB connection opened with a capped buffer pool (graph/ladybug_source.py opens its reads so): what does
not fit is told apart from other store errors, so that the read can be made again on the default pool."""

from __future__ import annotations

from pathlib import Path

import pytest
from regtrace.graph.ladybug_connection import LadybugConnection

from regtrace.errors import StoreError, StorePoolFullError


def test_a_pool_too_small_to_open_in_is_told_apart(tmp_path: Path) -> None:
    made = LadybugConnection(tmp_path / "graph.lbdb", read_only=False)
    made.execute("CREATE NODE TABLE Item(uid STRING, PRIMARY KEY(uid))")
    made.execute("UNWIND range(1, 1000) AS n CREATE (:Item {uid: 'item-' + string(n)})")
    made.close()
    with pytest.raises(StorePoolFullError) as raised:
        LadybugConnection(tmp_path / "graph.lbdb", read_only=True, pool_mb=1)
    assert isinstance(raised.value, StoreError)  # mapped at the edges as any store error
    conn = LadybugConnection(tmp_path / "graph.lbdb", read_only=True, pool_mb=64)
    try:
        assert conn.execute("MATCH (n:Item) RETURN count(n) AS items") == [{"items": 1000}]
    finally:
        conn.close()
