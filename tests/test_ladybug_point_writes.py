"""LadybugDB writes a few nodes or links one statement each (a point lookup in the primary key's index: a
mutation's evidence item linked among a million in milliseconds, not a scan of the label), more in UNWIND
batches. Both forms must store the same graph: nulls, dates, lists and the relationships' own properties, and
nodes deleted with their links."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conformance_data import install, observe
from regtrace.graph import ladybug_queries
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Link, Writer
from trace_fixtures import node


def _written(folder: Path) -> dict[str, Any]:
    """The seed and both insurers, then updates through upsert_nodes and link: what the store answers after."""
    with LadybugStore(folder) as store:
        install(store)  # the seed's regulation graph: upserts, links with properties (REFERENCES, REPLACES)
        first = node("OutsourcingArrangement", "t1", arrangement_id="A9", name="A9", service_model="SaaS",
                     facts=["material"], start_date=dt.date(2024, 2, 29))
        cleared = {**first, "service_model": None, "facts": None, "name": "renamed"}

        def unit(w: Writer) -> None:
            w.upsert_nodes("OutsourcingArrangement", [first])
            w.upsert_nodes("OutsourcingArrangement", [cleared])
            w.link("PROVIDED_BY", [Link("t1/A9", "t1/CSP1"), Link("t1/A9", "t1/CSP1")])  # made once
            w.link("REFERENCES", [Link("A6.P1", "FSC-OUTSOURCING-DIRECTIONS", {"articles": [7, 8], "points": None})])
            w.upsert_nodes("OutsourcingArrangement", [{**first, "uid": "t1/A8", "arrangement_id": "A8"}])
            w.link("PROVIDED_BY", [Link("t1/A8", "t1/CSP1")])
            w.delete_nodes("OutsourcingArrangement", ["t1/A8"])  # and its link (in a batch: an Arrow column)

        store.write(unit)
        return observe(store)


def test_one_by_one_and_in_batches_store_the_same_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one_by_one = _written(tmp_path / "points")
    monkeypatch.setattr(ladybug_queries, "POINT_ROWS", 0)  # every write in UNWIND batches
    batched = _written(tmp_path / "batches")
    assert one_by_one == batched
    [arrangement] = [r for r in one_by_one["nodes OutsourcingArrangement t1"] if r["arrangement_id"] == "A9"]
    assert (arrangement["name"], arrangement["service_model"], arrangement["facts"]) == ("renamed", None, None)
    assert arrangement["start_date"] == dt.date(2024, 2, 29)
    assert [r["target"] for r in one_by_one["links PROVIDED_BY t1"] if r["source"] == "t1/A9"] == ["t1/CSP1"]
    assert not [r for r in one_by_one["nodes OutsourcingArrangement t1"] if r["arrangement_id"] == "A8"]
    assert not [r for r in one_by_one["links PROVIDED_BY t1"] if r["source"] == "t1/A8"]
    [reference] = [r for r in one_by_one["links REFERENCES"] if r["source"] == "A6.P1"]
    assert (reference["articles"], reference["points"]) == ([7, 8], None)  # the link's properties set again
