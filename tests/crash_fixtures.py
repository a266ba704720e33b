"""Helpers for the crash tests: a store's exact state (counts and a digest of every tenant's rows, and every
tenant's trace), synthetic registers, and a zygote that starts `regtrace` commands as real processes fast.

The zygote is tests/cli_process.py's fork server: one Python process that imports the CLI once and then forks a
child per command; each child runs the CLI's entry point (regtrace.cli:main, what the `regtrace` script runs)
with the given arguments, so a trial costs the command's work, not five seconds of imports on a busy machine.
The server never opens a store, so forking it is safe. Children are real processes: the tests kill them with
SIGKILL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import cli_process
from regtrace.graph.port import Store
from regtrace.trace import trace

from regtrace.doctor import contents

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 29)
State = dict[str, Any]

def state_of(store: Store) -> State:
    """Counts and digests of every tenant's rows and of the shared rows, and a digest of every tenant's trace."""
    with store.snapshot():
        parts = {t: {"counts": p.counts, "digest": p.digest} for t, p in contents(store).items()}
        traces = {}
        for tenant in store.tenants():
            rows = json.dumps([r.to_json() for r in trace(store, tenant, AS_OF)], sort_keys=True, default=str)
            traces[tenant] = hashlib.sha256(rows.encode()).hexdigest()
    return {"parts": parts, "traces": traces}


def synthetic(folder: Path, evidence: int, seed: int) -> Path:
    """A synthetic insurer's registers (bench/synthetic.py) of about `evidence` evidence items."""
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench" / "synthetic.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(folder, csps=20, arrangements=60, systems=max(evidence // 40, 10), controls=300,
                    evidence=evidence, seed=seed)
    return folder


class Zygote:
    """Starts `regtrace ARGS` as forked processes of one pre-imported interpreter (tests/cli_process.py), one at a
    time, their output discarded."""

    def __init__(self, **env: str) -> None:
        """`env`: variables added to the environment the commands see (e.g. a store's batch size)."""
        self.env = {**os.environ, **env}
        self.server = cli_process.Server(self.env)

    def start(self, *args: str) -> int:
        return self.server.start(args, self.env, os.getcwd())

    def exited(self, timeout: float = 0.0) -> int | None:
        """The wait status of the last child once it has ended (None while it runs)."""
        return self.server.exited(timeout)

    def run(self, *args: str, timeout: float = 600.0) -> int:
        """Run `regtrace ARGS` to its end; its exit code."""
        self.start(*args)
        status = self.exited(timeout=timeout)
        assert status is not None, f"regtrace {' '.join(args)} did not end within {timeout:.0f} s"
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        self.server.close()


POLL = 0.0005  # seconds between polls of `wait_for`: the CPU is left to the command meanwhile


def wait_for(condition: Any, zygote: Zygote, limit: float = 120.0, poll: float = POLL) -> bool:
    """Poll `condition()` every `poll` seconds until true (True) or the child ends first (False); a poll of 0
    keeps a core busy, for a state that lasts less than POLL (wait for its lead-up first)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        if zygote.server.ended(poll):  # between polls the CPU is left to the load
            return False
    raise AssertionError("the command neither ended nor reached the awaited point")


def regtrace(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    """`regtrace ARGS` run to completion as a process of its own (tests/cli_process.py); it must succeed."""
    done = cli_process.run(["--store", str(store), *args], env={**os.environ, "COLUMNS": "200"})
    done.check_returncode()
    return done
