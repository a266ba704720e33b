"""One store, many processes (issue 14): the CLI reads, exports, manages tokens and loads while `regtrace serve`
runs on the same embedded store; the server answers with the new data without a restart; a load through the
CLI and a mutation through the API at the same time both survive. On Neo4j, a reload written in place by the CLI
(issue 13) changes the running server's verdicts, as a fresh trace gives them. Real processes throughout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j_server
import pytest
from neo4j import Driver
from regtrace.graph.ladybug_store import LadybugStore

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "insurer"
CLI = str(Path(sys.executable).with_name("regtrace"))


def cli(store: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "--store", str(store), *args], capture_output=True, text=True, check=False,
                          env={**os.environ, "COLUMNS": "200"}, timeout=600)


class Server:
    def __init__(self, store: Path | str, log: Path | None = None) -> None:
        """`regtrace --store STORE serve`, its output in `log` (by default beside an embedded store)."""
        self.port = neo4j_server.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log or Path(store).parent / "serve.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen([CLI, "--store", str(store), "serve", "--port", str(self.port)],
                                            stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/graphql", timeout=2)
            except urllib.error.HTTPError:
                return  # it answers (405/400 without a query)
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"serve did not start: {self.log.read_text()}") from None
                time.sleep(0.3)
            else:
                return

    def query(self, token: str, query: str) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.url}/graphql", data=json.dumps({"query": query}).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=120) as response:
            body: dict[str, Any] = json.loads(response.read())
        return body

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, Server]]:
    store = tmp_path / "store"
    assert cli(store, "load", str(EXAMPLE), "--tenant", "alpha").returncode == 0
    server = Server(store)
    try:
        yield store, server
    finally:
        server.stop()


def token(store: Path | str, role: str, tenant: str) -> str:
    made = cli(store, "token", "create", "--role", role, "--tenant", tenant, "--name", f"{role}-{tenant}")
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


COUNT_EVIDENCE = "{ evidences(limit: 1000) { evidence_id } }"


def evidence_ids(server: Server, bearer: str) -> set[str]:
    body = server.query(bearer, COUNT_EVIDENCE)
    assert "errors" not in body, body
    return {e["evidence_id"] for e in body["data"]["evidences"]}


def test_the_cli_reads_exports_makes_tokens_and_loads_while_the_server_runs(served: tuple[Path, Server],
                                                                              tmp_path: Path) -> None:
    store, server = served
    officer = token(store, "officer", "alpha")  # a write by the CLI while the server holds the store
    before = evidence_ids(server, officer)  # the server sees the token the CLI made
    assert before

    traced = cli(store, "trace", "--tenant", "alpha", "--json")
    assert traced.returncode == 0, traced.stderr
    assert json.loads(traced.stdout)
    exported = cli(store, "export", "--tenant", "alpha", "--format", "jsonld", "--out", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    listed = cli(store, "token", "list", "--json")
    assert listed.returncode == 0 and {r["tenant"] for r in json.loads(listed.stdout)} == {"alpha"}

    # The same registers under a second tenant, and alpha's again with one evidence item fewer.
    fewer = tmp_path / "fewer"
    fewer.mkdir()
    for f in EXAMPLE.iterdir():
        lines = f.read_bytes().splitlines(keepends=True)  # as they are: one register is Big5
        (fewer / f.name).write_bytes(b"".join(lines[:-1] if f.name == "evidence.csv" else lines))
    dropped = EXAMPLE.joinpath("evidence.csv").read_text(encoding="utf-8").splitlines()[-1].split(",")[0]
    assert dropped in before
    loaded = cli(store, "load", str(fewer), "--tenant", "alpha")
    assert loaded.returncode == 0, loaded.stderr
    assert evidence_ids(server, officer) == before - {dropped}, "the server answers with the new load, no restart"

    assert cli(store, "load", str(EXAMPLE), "--tenant", "beta").returncode == 0
    beta_officer = token(store, "officer", "beta")  # a token is made only for a tenant with registers
    assert evidence_ids(server, beta_officer) == before

    revoked_id = json.loads(cli(store, "token", "list", "--json").stdout)
    board_id = next(r["token_id"] for r in revoked_id if r["tenant"] == "beta")
    assert cli(store, "token", "revoke", board_id).returncode == 0
    with pytest.raises(urllib.error.HTTPError) as refused:
        server.query(beta_officer, COUNT_EVIDENCE)
    assert refused.value.code == 401, "a token revoked by the CLI is refused by the running server at once"


RECORD_AUDIT = """mutation { recordAudit(input: {audit_id: "AU-CONCURRENT", arrangement_id: "%s", kind: "project",
  performed_on: "2026-11-01", auditor: "Big4", independent: true}) { audit_id } }"""


def test_a_cli_load_and_an_api_mutation_at_once_both_survive(served: tuple[Path, Server]) -> None:
    store, server = served
    officer = token(store, "officer", "alpha")
    arrangement = EXAMPLE.joinpath("arrangements.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    loading = threading.Thread(target=lambda: results.append(cli(store, "load", str(EXAMPLE), "--tenant", "beta")))
    results: list[subprocess.CompletedProcess[str]] = []
    loading.start()
    time.sleep(0.5)
    mutated = server.query(officer, RECORD_AUDIT % arrangement)
    loading.join()
    assert results[0].returncode == 0, results[0].stderr
    assert "errors" not in mutated, mutated
    with LadybugStore(store, create=False) as after:
        assert "beta" in after.tenants()
        assert "AU-CONCURRENT" in {r["audit_id"] for r in after.nodes("Audit", "alpha")}


TODAYS_LEAVES = """{ traceState { fresh } trace(leavesOnly: true, first: 1000) {
  nodes { subject provision status evidence } } }"""


def leaves(server: Server, bearer: str) -> list[tuple[str, str, str, tuple[str, ...]]] | None:
    """Today's obligation rows as the server gives them, or None while it is still computing them."""
    body = server.query(bearer, TODAYS_LEAVES)
    assert "errors" not in body, body
    if not body["data"]["traceState"]["fresh"]:
        return None
    return sorted((r["subject"], r["provision"], r["status"], tuple(r["evidence"]))
                  for r in body["data"]["trace"]["nodes"])


def fresh_leaves(server: Server, bearer: str, deadline: float = 600.0) -> list[tuple[str, str, str, tuple[str, ...]]]:
    stop = time.monotonic() + deadline  # a safety net on a busy machine, not a time limit
    while (rows := leaves(server, bearer)) is None:
        assert time.monotonic() < stop, "the server's trace of today did not become fresh"
        time.sleep(0.2)
    return rows


@pytest.mark.neo4j
def test_a_reload_written_in_place_on_neo4j_changes_the_running_servers_verdicts(
        neo4j_clean: Driver, neo4j_uri: str, tmp_path: Path) -> None:
    """A covered obligation whose one evidence item the reload removes is not covered afterwards: the server,
    running all along, follows the CLI's reload (written in place: the tenant's generation keeps its number) and
    gives the rows a new process computes from the store."""
    assert cli(neo4j_uri, "load", str(EXAMPLE), "--tenant", "alpha").returncode == 0
    officer = token(neo4j_uri, "officer", "alpha")
    generation = "MATCH (g:RegtraceGeneration {tenant: 'alpha'}) RETURN g.current AS g"
    published = neo4j_clean.execute_query(generation).records[0]["g"]
    server = Server(neo4j_uri, tmp_path / "serve.log")
    try:
        before = fresh_leaves(server, officer)
        # an evidence item that alone covers an obligation (the row shows it and nothing else)
        sole = sorted(ev[0] for _, _, status, ev in before if status == "covered" and len(ev) == 1
                      and ev[0].startswith("EV-"))
        assert sole, "the example has an obligation covered by one evidence item"
        dropped = sole[0]
        fewer = tmp_path / "fewer"
        fewer.mkdir()
        for f in EXAMPLE.iterdir():
            lines = f.read_bytes().splitlines(keepends=True)  # as they are: one register is Big5
            if f.name == "evidence.csv":
                lines = [line for line in lines if line.split(b",", 1)[0] != dropped.encode()]
            (fewer / f.name).write_bytes(b"".join(lines))
        loaded = cli(neo4j_uri, "load", str(fewer), "--tenant", "alpha")
        assert loaded.returncode == 0, loaded.stderr
        assert neo4j_clean.execute_query(generation).records[0]["g"] == published, "written in place"

        stop = time.monotonic() + 600
        while (after := fresh_leaves(server, officer)) == before:  # until the server has seen the reload
            assert time.monotonic() < stop, "the server kept the verdicts of before the reload"
            time.sleep(0.2)
    finally:
        server.stop()
    was_covered = {(s, p) for s, p, status, ev in before if status == "covered" and ev == (dropped,)}
    assert was_covered
    assert all(status != "covered" for s, p, status, _ in after if (s, p) in was_covered)
    assert not any(dropped in ev for *_, ev in after)
    traced = cli(neo4j_uri, "trace", "--tenant", "alpha", "--json")
    assert traced.returncode == 0, traced.stderr
    assert after == sorted((r["subject"], r["provision"], r["status"], tuple(r["evidence"]))
                           for r in json.loads(traced.stdout) if r["own_status"] is not None)
