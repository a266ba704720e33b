"""Background traces (api/precompute.py): a restarted server answers from the trace kept in the store, marked, while
it computes today's; a mutation updates the subjects it touches, and the result equals a full recompute.

Real uvicorn servers over a copy of the two-tenant store (tests/api_fixtures.py); the rules thread is held in one
test so that "answered before the new trace is ready" is certain, not a race. No timed assertions: waits poll
until a state is reached, with a generous deadline.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from api_fixtures import Template
from regtrace.api.app import create_app
from regtrace.api.auth import Principal
from regtrace.api.context import compute_trace, gather_trace
from regtrace.api.mutations import close_finding, link_control
from regtrace.api.precompute import Touch, stored_results, touched_subjects, updated
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.trace import stored_result

TODAY = dt.date.today()
ADMIN = Principal("t", "test", "admin", "alpha")
STATE = "query { traceState { asOf computedAt fresh computing } }"
COVERAGE = "query { coverageOverall { covered applicable } }"


class Server:
    def __init__(self, store: LadybugStore, tokens: dict[str, str], hold_rules: threading.Event | None = None
                 ) -> None:
        self.app = create_app(store)
        if hold_rules is not None:  # the rules thread waits: no trace can finish until the event is set
            self.app.state.runner.rules.submit(hold_rules.wait)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/graphql"
        self.tokens = tokens
        self.uv = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.uv.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.uv.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(self.url, json={"query": query, "variables": variables},
                              headers={"Authorization": f"Bearer {self.tokens['officer']}"}, timeout=60)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body

    def until(self, done: Callable[[], bool], what: Callable[[], object] = lambda: None) -> None:
        deadline = time.monotonic() + 600  # a safety net on a loaded machine, not a time limit
        while not done():
            assert time.monotonic() < deadline, f"the background trace did not finish: {what()}"
            time.sleep(0.05)

    def fresh(self) -> dict[str, Any]:
        """traceState once today's trace is computed."""
        states: list[dict[str, Any]] = []
        self.until(lambda: states.append(self.post(STATE)["data"]["traceState"]) or states[-1]["fresh"],
                   lambda: states[-1])
        return states[-1]

    def rows(self) -> list[Any]:
        state = self.app.state.runner.traces.state("alpha", TODAY)
        assert state.fresh
        return list(state.result.rows)

    def stop(self) -> None:
        self.uv.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


class HeldReads(LadybugStore):
    """A store whose trace reads (inside `snapshot()`) wait until `release` is set: its one thread is busy."""

    def __init__(self, folder: Path, release: threading.Event) -> None:
        super().__init__(folder)
        self.release = release

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        self.release.wait()
        with super().snapshot():
            yield


@pytest.fixture
def serve(store_folder: Path, api_template: Template) -> Iterator[Callable[..., Server]]:
    started: list[tuple[Server, LadybugStore]] = []

    def start(hold_rules: threading.Event | None = None, hold_reads: threading.Event | None = None) -> Server:
        store = LadybugStore(store_folder) if hold_reads is None else HeldReads(store_folder, hold_reads)
        server = Server(store, api_template.tokens, hold_rules)
        started.append((server, store))
        return server

    yield start
    for server, store in started:
        server.stop()
        store.close()


def test_a_restarted_server_answers_from_the_kept_trace_marked_then_computes_todays(
        serve: Callable[..., Server], store_folder: Path) -> None:
    first = serve()
    computed = first.fresh()
    def kept_now() -> Any:  # read through a store of its own: the server's connection is its store thread's
        with LadybugStore(store_folder) as reader:
            return stored_results(reader).get("alpha")

    # the kept trace is written after it is computed: wait for it in the store
    first.until(lambda: kept_now() is not None)
    kept = kept_now()
    assert kept.rows == first.rows() and kept.as_of == TODAY
    first.stop()

    # meanwhile another process closes alpha's overdue finding F-01 (raised by ARR-01's audit AU-01)
    with LadybugStore(store_folder) as other:
        close_finding(other, ADMIN, "alpha", "F-01", TODAY)

    held = threading.Event()
    second = serve(hold_rules=held)
    try:
        body = second.post("query { coverageOverall { covered applicable } "
                           "traceState { asOf computedAt fresh computing } }")
    finally:
        held.set()
    state = body["data"]["traceState"]
    # answered from the kept trace: when it was computed, not fresh, a newer one computing, said in extensions too
    assert state == {"asOf": TODAY.isoformat(), "computedAt": computed["computedAt"], "fresh": False,
                     "computing": True}
    assert body["extensions"]["traceState"] == [{"tenant": "alpha", **state}]
    after = second.fresh()
    assert after["computedAt"] > computed["computedAt"]
    rows = second.rows()
    with LadybugStore(store_folder) as other:
        assert rows == compute_trace(other, "alpha", TODAY).rows
    # F-01 was overdue (due 10 days ago): closing it changed ARR-01's rows only; the kept trace still had them
    assert {r.subject for r in rows if r not in kept.rows} == {"ARR-01"}
    assert "extensions" not in second.post(COVERAGE)


def test_the_first_request_after_a_restart_needs_no_store_read(serve: Callable[..., Server]) -> None:
    """Tokens, tenants and the kept trace are read before the server accepts connections: the first request is
    answered while the store's one thread is held by the background trace's reads (which cannot be interrupted)."""
    first = serve()
    first.fresh()
    first.until(lambda: first.app.state.runner.precompute._kept.get("alpha") is not None)
    first.stop()
    reads = threading.Event()
    second = serve(hold_reads=reads)
    try:
        state = second.post(STATE)["data"]["traceState"]
        body = second.post(COVERAGE)
    finally:
        reads.set()
    assert state["fresh"] is False and state["computing"] is True
    assert body["extensions"]["traceState"][0]["tenant"] == "alpha"
    assert body["data"]["coverageOverall"]["applicable"] > 0
    assert second.fresh()["fresh"] is True


ATTACH = """mutation($input: EvidenceInput!) { attachEvidence(input: $input) { evidence_id } }"""
CLOSE = """mutation { closeFinding(findingId: "F-01", closedOn: "%s") { status } }"""


def test_a_mutation_updates_the_touched_subject_only_and_equals_a_full_trace(
        serve: Callable[..., Server], store_folder: Path) -> None:
    server = serve()
    server.fresh()
    before = server.rows()
    server.post(ATTACH, {"input": {"evidence_id": "E-NEW", "control_id": "C-DD", "arrangement_id": "ARR-03",
                                   "collected_on": TODAY.isoformat(), "title": "Due diligence ARR-03"}})
    server.fresh()
    after = server.rows()
    with LadybugStore(store_folder) as other:
        assert after == compute_trace(other, "alpha", TODAY).rows
    touched = {"company", "ARR-03"}
    assert {r.subject for r in after if r not in before} <= touched
    assert any(r.subject == "ARR-03" and "E-NEW" in r.evidence for r in after)
    # the other subjects' rows are the previous result's own objects: not computed again
    old = {(r.provision, r.subject): r for r in before}
    assert all(r is old[(r.provision, r.subject)] for r in after if r.subject not in touched)

    server.post(CLOSE % TODAY.isoformat())
    server.fresh()
    closed = server.rows()
    with LadybugStore(store_folder) as other:
        assert closed == compute_trace(other, "alpha", TODAY).rows
    assert {r.subject for r in closed if r not in after} == {"ARR-01"}  # F-01 was raised by ARR-01's audit


def _changes(store: LadybugStore) -> list[tuple[Touch, Callable[[], object]]]:
    """Mutations of each kind, applied through the mutations' own functions."""
    from regtrace.api.mutations import _create

    def evidence(ident: str, arrangement: str | None, control: str = "C-ALL") -> Callable[[], object]:
        values = {"evidence_id": ident, "control_id": control, "arrangement_id": arrangement,
                  "collected_on": TODAY.isoformat(), "title": ident}
        return lambda: _create(store, ADMIN, "alpha", "Evidence", "attachEvidence", values)

    audit = {"audit_id": "AU-09", "arrangement_id": "ARR-02", "kind": "project", "performed_on": TODAY.isoformat(),
             "auditor": "Big4", "independent": True}
    return [
        (Touch("evidence", "ARR-04"), evidence("E-A", "ARR-04")),
        (Touch("evidence", "ARR-01"), evidence("E-B", "ARR-01", "C-DD")),
        (Touch("evidence", None), evidence("E-C", None, "C-BOARD")),
        (Touch("audit", "ARR-02"), lambda: _create(store, ADMIN, "alpha", "Audit", "recordAudit", audit)),
        (Touch("finding", key="F-02"), lambda: close_finding(store, ADMIN, "alpha", "F-02", TODAY)),
        (Touch("control", key="C-DD"), lambda: link_control(store, ADMIN, "alpha", "C-DD", "A7.P1")),
        (Touch("control", key="C-BOARD"), lambda: link_control(store, ADMIN, "alpha", "C-BOARD", "A8")),
    ]


def test_each_kind_of_change_updated_per_subject_equals_the_full_trace(api_store: LadybugStore) -> None:
    result = compute_trace(api_store, "alpha", TODAY)
    for touch, change in _changes(api_store):
        change()
        reads = gather_trace(api_store, "alpha", TODAY)
        subjects = touched_subjects(touch, reads.inputs)
        result = updated(result, reads, subjects, None)
        full = compute_trace(api_store, "alpha", TODAY)
        assert result.rows == full.rows, touch
        assert subjects is None or touch.kind == "control" or len(subjects) <= 2, (touch, subjects)


def test_a_kept_trace_reads_back_row_for_row(api_store: LadybugStore) -> None:
    rows = compute_trace(api_store, "alpha", TODAY).rows
    text, digest = stored_result.encode(rows, {"csp_of": {"ARR-01": "CSP-A"}})
    assert stored_result.decode(text) == (rows, {"csp_of": {"ARR-01": "CSP-A"}})
    assert stored_result.encode(rows, {"csp_of": {"ARR-01": "CSP-A"}})[1] == digest
    with pytest.raises(stored_result.StoredResultError):
        stored_result.decode(text[:-8] + "AAAAAAAA")
