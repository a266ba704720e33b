"""The evidence summary per (control, arrangement) gives what the evidence rows give: built column-wise at load
time or row by row, grown one item at a time by the API, and stored by a real load (the example insurer on
LadybugDB: the stored groups equal those derived again from the stored evidence rows, and the trace read through
them equals the trace read through the store's aggregation of the rows)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Row
from regtrace.loaders.registers import load_registers
from regtrace.trace import evidence_groups, trace
from regtrace.trace.inputs import gather
from regtrace.trace.model import EvidenceSummary
from store_fixtures import seeded_ladybug

from regtrace.regulation_graph import obligations_under
from regtrace.seed import examples_folder, install_seed

DAY0 = dt.date(2025, 1, 1)
Item = tuple[str, str | None, dt.date, str, dt.date | None]


def days(n: int) -> st.SearchStrategy[dt.date]:
    return st.integers(0, n).map(lambda d: DAY0 + dt.timedelta(days=d))


# few controls, arrangements and dates, so that groups hold several items, ties on a day and equal validities
items = st.lists(st.tuples(st.sampled_from(("C1", "C2", "C|3")), st.sampled_from((None, "A1", "A2")), days(30),
                           st.sampled_from(("E1", "E2", "E10", "E9", "E3")), st.none() | days(60)),
                 max_size=25)


def unique(rows: list[Item]) -> list[Item]:
    """Evidence ids are unique per tenant."""
    seen: dict[str, Item] = {}
    for row in rows:
        seen.setdefault(row[3], row)
    return list(seen.values())


def aggregated(rows: list[Item], as_of: dt.date) -> tuple[dict[str, dict[str | None, EvidenceSummary]],
                                                          dict[str, dt.date | None]]:
    """What the store's aggregation gives (graph/ladybug_queries.py EVIDENCE_SUMMARY), worked out from the rows:
    per control and arrangement, over evidence collected on or before D, how many, the newest stamp and the
    newest stamp not past its valid_until; and the valid_until of each newest item that is past it."""
    found: dict[str, dict[str | None, EvidenceSummary]] = {}
    for control, arrangement, collected, eid, valid_until in rows:
        if collected > as_of:
            continue
        stamp = f"{collected.isoformat()}|{eid}"
        unexpired = stamp if valid_until is None or valid_until >= as_of else None
        found.setdefault(control, {}).setdefault(arrangement, EvidenceSummary()).add(
            {"count": 1, "latest": stamp, "latest_unexpired": unexpired})
    until = {eid: valid_until for _, _, _, eid, valid_until in rows}
    lapsed = {s.latest.split("|", 1)[1]: until[s.latest.split("|", 1)[1]]
              for per in found.values() for s in per.values()
              if s.latest is not None and s.latest != s.latest_unexpired}
    return found, lapsed


def as_table(rows: list[Item]) -> pa.Table:
    names = ("control_id", "arrangement_id", "collected_on", "evidence_id", "valid_until")
    types = (pa.string(), pa.string(), pa.date32(), pa.string(), pa.date32())
    return pa.table({n: pa.array([r[i] for r in rows], t) for i, (n, t) in enumerate(zip(names, types, strict=True))})


@settings(max_examples=100, deadline=None)
@given(items.map(unique), days(90))
def test_the_groups_give_what_the_rows_give_on_any_date_after_the_newest(rows: list[Item], as_of: dt.date) -> None:
    groups = evidence_groups.group_rows("t1", rows)
    answered = evidence_groups.summaries_on(groups, as_of)
    if any(collected > as_of for _, _, collected, _, _ in rows):
        assert answered is None  # a trace of the past: the store aggregates the rows
        return
    assert answered == aggregated(rows, as_of)
    assert sum(g["evidence_count"] for g in groups) == len(rows)


@settings(max_examples=50, deadline=None)
@given(items.map(unique))
def test_built_column_wise_the_same_as_row_by_row(rows: list[Item]) -> None:
    table = evidence_groups.group_table("t1", as_table(rows))
    assert sorted(table.to_pylist(), key=lambda r: r["uid"]) == evidence_groups.group_rows("t1", rows)


# any dates (year 1 to 9999, a valid_until of 9999-12-31 given: as long as a blank one), a table in pieces
far_dates = st.sampled_from((dt.date(1, 1, 1), dt.date(999, 12, 31), dt.date(2025, 1, 1), dt.date.max)) | st.dates()
far_items = st.lists(st.tuples(st.sampled_from(("C1", "C2", "C|3", '"C4"')), st.sampled_from((None, "A1", "", "A2")),
                               st.sampled_from((dt.date(1, 1, 1), dt.date(2025, 1, 1), dt.date.max)) | st.dates(),
                               st.sampled_from(("E1", "E2", "E10", "E9", "E3", "e1", "E 1")),
                               st.none() | far_dates),
                     max_size=30)


@settings(max_examples=100, deadline=None)
@given(far_items.map(unique), st.integers(1, 7))
def test_built_column_wise_the_same_as_row_by_row_at_any_dates_and_in_pieces(rows: list[Item], piece: int) -> None:
    whole = as_table(rows)
    table = evidence_groups.group_table("t1", pa.Table.from_batches(whole.to_batches(max_chunksize=piece),
                                                                    whole.schema))
    assert sorted(table.to_pylist(), key=lambda r: r["uid"]) == evidence_groups.group_rows("t1", rows)


@settings(max_examples=30, deadline=None)
@given(far_items.map(unique))
def test_built_column_wise_the_same_when_the_groups_are_numbered_densely(rows: list[Item]) -> None:
    """Where a group's two ids and the date would not fit a 64-bit key, the groups are numbered 0, 1, … first:
    forced here by a key of 1 bit."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evidence_groups, "KEY_BITS", 1)
        table = evidence_groups.group_table("t1", as_table(rows))
    assert sorted(table.to_pylist(), key=lambda r: r["uid"]) == evidence_groups.group_rows("t1", rows)


@settings(max_examples=50, deadline=None)
@given(items.map(unique))
def test_adding_items_one_at_a_time_gives_the_groups_of_all_of_them(rows: list[Item]) -> None:
    groups: dict[str, Row] = {}
    for control, arrangement, collected, eid, valid_until in rows:
        gid = evidence_groups.group_id(control, arrangement)
        groups[gid] = evidence_groups.with_evidence(groups.get(gid), "t1", control, arrangement, collected, eid,
                                                    valid_until)
    assert sorted(groups.values(), key=lambda r: r["uid"]) == evidence_groups.group_rows("t1", rows)


def test_the_frontier_by_hand() -> None:
    """Newest first: E4 (valid until 03-01), E3 (valid longer: 06-01), E2 (until 04-01: shorter than E3's, left
    out), E1 (no valid_until: valid for ever, the end of the frontier), E0 (never needed)."""
    d = dt.date
    rows: list[Item] = [("C1", None, d(2025, 1, 5), "E4", d(2025, 3, 1)),
                        ("C1", None, d(2025, 1, 4), "E3", d(2025, 6, 1)),
                        ("C1", None, d(2025, 1, 3), "E2", d(2025, 4, 1)),
                        ("C1", None, d(2025, 1, 2), "E1", None),
                        ("C1", None, d(2025, 1, 1), "E0", None)]
    [group] = evidence_groups.group_rows("t1", rows)
    assert group["frontier"] == ["2025-01-05|E4", "2025-01-04|E3", "2025-01-02|E1"]
    assert group["frontier_until"] == [d(2025, 3, 1), d(2025, 6, 1)]
    assert group["evidence_count"] == 5
    evidence, lapsed = evidence_groups.summaries_on([group], d(2025, 4, 15)) or ({}, {})
    assert evidence["C1"][None] == EvidenceSummary(5, "2025-01-05|E4", "2025-01-04|E3")
    assert lapsed == {"E4": d(2025, 3, 1)}
    evidence, _ = evidence_groups.summaries_on([group], d(2025, 7, 1)) or ({}, {})
    assert evidence["C1"][None].latest_unexpired == "2025-01-02|E1"
    assert evidence_groups.summaries_on([group], d(2025, 1, 4)) is None  # E4 was collected after that day



def test_the_last_day_counts_as_long_as_a_blank_valid_until_column_wise_too() -> None:
    """A newer item valid until 9999-12-31 (the last day a date can have) is valid as long as an older one with
    no valid_until: the older is never needed; an older item valid until then after a newer blank one neither."""
    d = dt.date
    rows: list[Item] = [("C1", None, d(2025, 1, 3), "E3", d.max), ("C1", None, d(2025, 1, 2), "E2", None),
                        ("C2", "A1", d(2025, 1, 3), "F3", None), ("C2", "A1", d(2025, 1, 2), "F2", d.max)]
    column_wise = evidence_groups.group_table("t1", as_table(rows)).to_pylist()
    for groups in (evidence_groups.group_rows("t1", rows), column_wise):
        c1, c2 = sorted(groups, key=lambda g: g["control_id"])
        assert (c1["frontier"], c1["frontier_until"]) == (["2025-01-03|E3"], [d.max])
        assert (c2["frontier"], c2["frontier_until"]) == (["2025-01-03|F3"], [])

@pytest.fixture(scope="module")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> LadybugStore:
    store = LadybugStore(tmp_path_factory.mktemp("groups") / "store")
    install_seed(store)
    load_registers(store, examples_folder(), "demo", obligations_under(store))
    return store


def test_a_load_stores_the_groups_of_the_evidence_it_writes(example_store: LadybugStore) -> None:
    store = example_store
    control_of = {r["source"]: r["target"].split("/", 1)[1]
                  for r in store.links("EVIDENCES", "demo")}
    arrangement_of = {r["source"]: r["target"].split("/", 1)[1]
                      for r in store.links("CONCERNS", "demo")}
    rows = [(control_of[e["uid"]], arrangement_of.get(e["uid"]), e["collected_on"], e["evidence_id"], e["valid_until"])
            for e in store.nodes("Evidence", "demo")]
    assert rows, "the example insurer has evidence"
    assert store.nodes(evidence_groups.LABEL, "demo") == evidence_groups.group_rows("demo", rows)


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 29), dt.date(2030, 1, 1)])
def test_the_trace_through_the_groups_equals_the_trace_through_the_rows(example_store: LadybugStore,
                                                                       as_of: dt.date) -> None:
    store = example_store
    through_groups = gather(store, "demo", as_of)
    through_rows = gather(_NoGroups(store), "demo", as_of)
    assert through_groups.evidence == through_rows.evidence
    for per in through_rows.evidence.values():
        for s in per.values():
            if s.latest is not None and s.latest != s.latest_unexpired:
                eid = s.latest.split("|", 1)[1]
                assert through_groups.evidence_valid_until[eid] == through_rows.evidence_valid_until[eid]
    assert trace(store, "demo", as_of) == trace(_NoGroups(store), "demo", as_of)


class _NoGroups:
    """The store as one written before the groups were kept: no EvidenceGroup rows (the trace aggregates)."""

    def __init__(self, store: LadybugStore) -> None:
        self._store = store

    def evidence_groups(self, tenant: str) -> list[Row]:
        return []

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_evidence_attached_through_the_api_keeps_the_groups_equal_to_the_rows(tmp_path: Path) -> None:
    """attachEvidence (api/mutations.py) writes the item's group with it: the stored groups stay what the
    stored evidence rows give, and the trace keeps reading them."""
    from regtrace.api.auth import Principal
    from regtrace.api.mutations import _create

    store = seeded_ladybug(tmp_path / "store")
    load_registers(store, examples_folder(), "demo", obligations_under(store))
    control = store.nodes("Control", "demo")[0]["control_id"]
    for n, (arrangement, collected) in enumerate([(None, "2026-11-28"), (None, "2020-01-01")]):
        _create(store, Principal("tok1", "officer", "officer", "demo"), "demo", "Evidence", "attachEvidence",
                {"evidence_id": f"EV-API-{n}", "control_id": control, "arrangement_id": arrangement,
                 "collected_on": collected, "title": "API", "valid_until": None})
    test_a_load_stores_the_groups_of_the_evidence_it_writes(store)
    store.close()
