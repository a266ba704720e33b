"""Pages past the end of a result are empty on every store (LadybugDB crashed on ORDER BY … SKIP … LIMIT)."""

from __future__ import annotations

import pytest
from regtrace.graph.filters import NodeQuery, SortKey
from regtrace.graph.port import Store
from trace_fixtures import Registers


@pytest.mark.parametrize(("skip", "limit"), [(0, 2), (2, 2), (3, 455), (14660, 455), (100000, 100), (1, None)])
def test_pages_of_a_sorted_find(store: Store, skip: int, limit: int | None) -> None:
    reg = Registers("t1")
    for i in range(3):
        reg.csp(f"CSP{i}")
    reg.write(store)
    everything = [r["csp_id"] for r in store.find(NodeQuery("CloudServiceProvider", "t1", sort=(SortKey("name"),)))]
    assert everything == ["CSP0", "CSP1", "CSP2"]
    page = store.find(NodeQuery("CloudServiceProvider", "t1", sort=(SortKey("name"),), skip=skip, limit=limit))
    end = None if limit is None else skip + limit
    assert [r["csp_id"] for r in page] == everything[skip:end]
