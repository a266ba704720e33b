"""Property: after any sequence of mutations, the trace a server keeps, updated only for the subjects each one
touches (api/precompute.py), is row for row the trace computed whole from the store.

The example insurer (9 arrangements, 40 controls, audits and findings) takes mutations drawn as the API's users
send them: evidence attached to a control for one arrangement or for all, collected on some day and valid or
not until another; audits recorded; findings closed; controls linked to a provision. Each goes through the
mutation's own function with the Touch its resolver builds (the ids typed as a user might, with spaces or in
lower case); one that the API refuses changes nothing and is skipped. After each, the updated result must equal
a full recompute: a subject left out of `touched_subjects` would keep yesterday's verdict on the dashboard.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from regtrace.api.auth import Principal
from regtrace.api.context import compute_trace, gather_trace
from regtrace.api.mutations import _arrangement, _create, close_finding, link_control
from regtrace.api.precompute import Touch, touched_subjects, updated
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.loaders.registers import load_registers
from store_fixtures import seeded_ladybug

from regtrace.errors import InputError
from regtrace.regulation_graph import obligations_under
from regtrace.seed import examples_folder

TENANT = "example"
TODAY = dt.date.today()
ADMIN = Principal("t", "test", "admin", TENANT)
Ids = dict[str, list[str]]  # label -> the tenant's ids (findings: the open ones; "Provision": those that oblige)
Mutation = Callable[[LadybugStore, Ids, int], Touch]  # applies change n; returns the Touch its resolver builds


def _typed(ident: str, how: int) -> str:
    """An id as a user might type it: as it is, with spaces around, or in lower case."""
    return (ident, f" {ident} ", ident.lower())[how % 3]


def _day(offset: int) -> str:
    return (TODAY - dt.timedelta(days=offset % 900 - 30)).isoformat()  # from a month ahead to ~2.4 years back


def attach_evidence(control: int, arrangement: int, collected: int, until: int, typed: int) -> Mutation:
    def apply(store: LadybugStore, ids: Ids, n: int) -> Touch:
        arrangements = ["", *ids["OutsourcingArrangement"]]  # blank: evidence for every arrangement
        controls = ids["Control"]
        values = {"evidence_id": f"EV-P-{n}", "control_id": _typed(controls[control % len(controls)], typed),
                  "arrangement_id": _typed(arrangements[arrangement % len(arrangements)], typed),
                  "collected_on": _day(collected), "valid_until": _day(until) if until % 3 else None,
                  "title": f"佐證 {n}"}
        _create(store, ADMIN, TENANT, "Evidence", "attachEvidence", values)
        return Touch("evidence", _arrangement(values))
    return apply


def record_audit(arrangement: int, kind: int, performed: int, typed: int) -> Mutation:
    def apply(store: LadybugStore, ids: Ids, n: int) -> Touch:
        arrangements = ids["OutsourcingArrangement"]
        values = {"audit_id": f"AU-P-{n}", "arrangement_id": _typed(arrangements[arrangement % len(arrangements)],
                                                                    typed),
                  "kind": ("project", "general")[kind % 2], "performed_on": _day(performed),
                  "auditor": "會計師事務所", "independent": bool(kind % 3)}
        _create(store, ADMIN, TENANT, "Audit", "recordAudit", values)
        return Touch("audit", _arrangement(values))
    return apply


def close(finding: int, closed: int) -> Mutation:
    def apply(store: LadybugStore, ids: Ids, _: int) -> Touch:
        chosen = ids["Finding"][finding % len(ids["Finding"])]
        close_finding(store, ADMIN, TENANT, chosen, TODAY - dt.timedelta(days=closed % 60))
        return Touch("finding", key=chosen)
    return apply


def link(control: int, provision: int) -> Mutation:
    def apply(store: LadybugStore, ids: Ids, _: int) -> Touch:
        chosen = ids["Control"][control % len(ids["Control"])]
        link_control(store, ADMIN, TENANT, chosen, ids["Provision"][provision % len(ids["Provision"])])
        return Touch("control", key=chosen)
    return apply


numbers = st.integers(0, 10_000)
mutations = st.one_of(
    st.builds(attach_evidence, numbers, numbers, numbers, numbers, numbers),
    st.builds(record_audit, numbers, numbers, numbers, numbers),
    st.builds(close, numbers, numbers),
    st.builds(link, numbers, numbers),
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A closed store holding the example insurer (copied for each example)."""
    folder = tmp_path_factory.mktemp("precompute-properties") / "store"
    store = seeded_ladybug(folder)
    load_registers(store, examples_folder(), TENANT, obligations_under(store))
    store.close()
    yield folder


def _ids(store: LadybugStore) -> Ids:
    ids: dict[str, list[str]] = {label: sorted(r[key] for r in store.nodes(label, TENANT)) for label, key in (
        ("Control", "control_id"), ("OutsourcingArrangement", "arrangement_id"))}
    ids["Finding"] = sorted(r["finding_id"] for r in store.nodes("Finding", TENANT) if r["status"] != "closed")
    ids["Provision"] = sorted(p for p, obliged in obligations_under(store).items() if obliged)
    return ids


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(mutations, min_size=1, max_size=6))
def test_a_trace_updated_per_touched_subject_equals_the_full_trace(template: Path, changes: list[Mutation]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copytree(template, Path(scratch) / "store")
        with LadybugStore(Path(scratch) / "store") as store:
            ids = _ids(store)
            result = compute_trace(store, TENANT, TODAY)
            for n, change in enumerate(changes):
                try:
                    touch = change(store, ids, n)
                except InputError:  # refused by the API: nothing written
                    event("a mutation refused")
                    continue
                reads = gather_trace(store, TENANT, TODAY)
                subjects = touched_subjects(touch, reads.inputs)
                event(f"{touch.kind}: {'every subject' if subjects is None else f'{len(subjects)} subjects'}")
                result = updated(result, reads, subjects, None)
                assert result.rows == compute_trace(store, TENANT, TODAY).rows, (touch, subjects)
