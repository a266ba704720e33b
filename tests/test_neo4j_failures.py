"""Neo4j failures: a server that dies mid-write leaves nothing of the write and gives a clear, retryable
error; a closed port fails fast; driver errors map onto the product's error tree."""

from __future__ import annotations

import dataclasses
import os
import shlex
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import neo4j_server
import pytest
from neo4j.exceptions import AuthError, CypherSyntaxError, Forbidden, ServiceUnavailable, TransientError
from neo4j_fixtures import require_local_tools
from regtrace.graph.neo4j_errors import translate
from regtrace.graph.neo4j_store import Neo4jStore
from regtrace.graph.port import Writer
from trace_fixtures import node

from regtrace.errors import ConfigError, StoreError, StoreUnavailableError

FAST: dict[str, Any] = {"connection_timeout": 2.0, "max_transaction_retry_time": 1.0}


def test_a_closed_port_fails_fast_and_retryable() -> None:
    uri = f"bolt://127.0.0.1:{neo4j_server.free_port()}"
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError) as caught:
        Neo4jStore.connect(uri, None, None, **FAST)
    assert time.monotonic() - started < 5
    assert uri in str(caught.value) and caught.value.retryable


@pytest.mark.parametrize(("error", "expected"), [
    (AuthError._hydrate_neo4j(code="Neo.ClientError.Security.Unauthorized", message="bad"), ConfigError),
    (Forbidden._hydrate_neo4j(code="Neo.ClientError.Security.Forbidden", message="no"), ConfigError),
    (ServiceUnavailable("gone"), StoreUnavailableError),
    (TransientError._hydrate_neo4j(code="Neo.TransientError.General.DatabaseUnavailable", message="x"),
     StoreUnavailableError),
    (CypherSyntaxError._hydrate_neo4j(code="Neo.ClientError.Statement.SyntaxError", message="x"), StoreError),
    (ConnectionRefusedError(111, "refused"), StoreUnavailableError),
])
def test_driver_errors_map_onto_the_error_tree(error: Exception, expected: type[Exception]) -> None:
    translated = translate(error, "neo4j+s://db.example")
    assert type(translated) is expected
    assert "neo4j+s://db.example" in str(translated)


# ---------------------------------------------------------------- a server that dies mid-write


@dataclasses.dataclass
class Throwaway:
    """A server of this test's own (the session server must survive), restartable on the same data."""

    server: neo4j_server.Neo4jServer

    def kill(self) -> None:
        os.kill(self.server.pid, signal.SIGKILL)
        assert self.server.process is not None
        self.server.process.wait(timeout=30)

    def restart(self) -> None:
        """The same command on the same home (start() wants an empty one); no class-data dump this time (a killed
        server wrote none: its claim to the dump is given up, so that the next server started makes it)."""
        neo4j_server._settle_cds(self.server.cds_dump, install=False)
        words = shlex.split((self.server.home / "command.txt").read_text())
        command = [w for w in words if not w.startswith("-XX:ArchiveClassesAtExit")]
        with self.server.log_file.open("ab") as out:
            process = subprocess.Popen(command, cwd=self.server.home, stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT)
        self.server = dataclasses.replace(self.server, pid=process.pid, process=process, cds_dump=None)

    def open(self, timeout: float = 60.0) -> Neo4jStore:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return Neo4jStore.connect(self.server.uri, None, None, **FAST)
            except StoreUnavailableError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.25)


@pytest.fixture
def throwaway() -> Iterator[Throwaway]:
    require_local_tools()
    server = Throwaway(neo4j_server.start(short_lived=True))
    try:
        yield server
    finally:
        neo4j_server.stop(server.server)


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_server_stopped_mid_write_keeps_nothing_of_it(throwaway: Throwaway) -> None:
    store = throwaway.open()
    kept = node("CloudServiceProvider", "t1", csp_id="KEPT", name="kept")
    store.write(lambda w: w.create_nodes("CloudServiceProvider", [kept]))
    attempts = 0

    def unit(w: Writer) -> None:
        nonlocal attempts
        attempts += 1
        w.delete_tenant("t1")
        w.create_nodes("CloudServiceProvider", [node("CloudServiceProvider", "t1", csp_id=f"NEW{i}", name="new")
                                                for i in range(100)])
        if attempts == 1:
            with throwaway.open() as peek:  # another connection sees none of the open transaction
                assert [r["csp_id"] for r in peek.nodes("CloudServiceProvider")] == ["KEPT"]
            throwaway.kill()
        w.create_nodes("CloudServiceProvider", [node("CloudServiceProvider", "t1", csp_id="LAST", name="last")])

    started = time.monotonic()
    with pytest.raises(StoreUnavailableError) as caught:
        store.write(unit)
    # a bound, not a speed target: the driver gives up (after max_transaction_retry_time) instead of retrying on
    assert time.monotonic() - started < 60, "the driver gives up after max_transaction_retry_time"
    message = str(caught.value)
    assert throwaway.server.uri in message and "nothing of the write was kept" in message
    assert caught.value.retryable
    store.close()

    throwaway.restart()
    again = throwaway.open(timeout=300)  # a busy machine restarts it slowly
    try:
        assert [r["csp_id"] for r in again.nodes("CloudServiceProvider")] == ["KEPT"]
    finally:
        again.close()
