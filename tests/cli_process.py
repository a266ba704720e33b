"""Run `regtrace` commands as real processes without paying their imports each time.

`run(args, env=..., cwd=..., timeout=...)` answers like `subprocess.run([regtrace, *args], capture_output=True,
text=True, ...)`: a CompletedProcess with the exit code, stdout and stderr. The process is a child forked from a
server interpreter that imported the CLI and what its commands import (the store, the trace, WeasyPrint, rdflib,
openpyxl, pyHanko: 3-6 s of CPU per export command on this machine) once; the child takes the command's
environment and working folder, its stdin is /dev/null and its stdout and stderr are files, and it runs the
entry point the `regtrace` script runs (regtrace.cli:main) and then exits as any interpreter does (at-exit
handlers, buffers flushed; an uncaught exception prints its traceback and exits 1). Each command is its own
process: stores are opened, locked and closed by it, as by the installed script.

Environment that libraries read when imported (rich reads COLUMNS, TERM, NO_COLOR, ...) is the command's own: there
is one server per environment, less the variables read only when a command runs (PER_CALL; the other REGTRACE_*
settings are part of it: the ontology's folder, REGTRACE_CACHE, is read while modules are imported).
PYTEST_CURRENT_TEST is among them: pytest sets it anew for every test, and keyed on it each test started a server
of its own (~75 a run, ~150 MB and a few seconds of CPU each). The server never opens a store and runs no thread
(OpenBLAS is held to one thread in it, so that forking is safe), so a child starts as a fresh process would, only
already imported.

The server freezes what its imports made (gc.freeze) before it forks: the cyclic collector of a child, and its
last collection when it exits, then scan only what the command made, as in a fresh `regtrace` process, not the
hundreds of thousands of objects of every library the server imported. Without it, a child spent ~1.3 s of CPU
(2-4 s of wall time on this busy machine) exiting after `regtrace --version`, most of it copying the pages
that collection touched; with it ~0.3 s.

tests/test_cli.py keeps tests that start the installed `regtrace` script itself; the wheel check runs it from a
fresh environment.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

SCRIPT = str(Path(sys.executable).parent / "regtrace")
# read when a command runs, never on import (the child gets them all the same)
PER_CALL = frozenset({"REGTRACE_STORE", "REGTRACE_SIGN_PASSPHRASE", "PYTEST_CURRENT_TEST"})

SERVER = r"""
import gc, json, os, sys
import regtrace.cli
from regtrace.cli import main
for name in ("regtrace.graph.ladybug_store", "regtrace.trace", "regtrace.exports.bundle", "regtrace.exports.signing",
             "regtrace.exports.keys", "weasyprint", "rdflib", "openpyxl", "pyhanko.sign"):
    try:
        __import__(name)
    except ImportError:
        pass
gc.freeze()  # what the imports made stays out of the children's collections (and their final one, at exit)
threads = len(os.listdir("/proc/self/task"))
assert threads == 1, f"the fork server runs {threads} threads: forking it would not be safe"
print("ready", flush=True)
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        os.chdir(job["cwd"])
        os.environ.clear()
        os.environ.update(job["env"])
        streams = ((0, os.devnull, os.O_RDONLY), (1, job["out"], os.O_WRONLY), (2, job["err"], os.O_WRONLY))
        for fd, path, flags in streams:
            opened = os.open(path, flags)
            os.dup2(opened, fd)
            os.close(opened)
        sys.argv = ["regtrace", *job["argv"]]
        main()
        sys.exit(0)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(status, flush=True)
"""


class Server:
    """One fork server: `start` a command (its pid), `exited` (its wait status once ended), or `run` it whole."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, bufsize=1, env={**env, "OPENBLAS_NUM_THREADS": "1"})
        assert self.process.stdout and self.process.stdout.readline().strip() == "ready", "the fork server failed"

    def start(self, args: Sequence[str], env: Mapping[str, str], cwd: str, out: str = os.devnull,
              err: str = os.devnull) -> int:
        """`regtrace ARGS` started as a child (stdout and stderr into the files `out` and `err`); its pid. The
        server takes the next command once this one has ended (`exited`)."""
        assert self.process.stdin and self.process.stdout
        job = {"argv": list(args), "env": dict(env), "cwd": cwd, "out": out, "err": err}
        self.process.stdin.write(json.dumps(job) + "\n")
        return int(self.process.stdout.readline())

    def ended(self, timeout: float | None = 0.0) -> bool:
        """Whether the child started last has ended, waiting up to `timeout` seconds (None: for its end); its
        wait status is left for `exited` to read."""
        assert self.process.stdout
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        return bool(ready)

    def exited(self, timeout: float | None = 0.0) -> int | None:
        """The wait status of the child started last once it has ended: None if it still runs after `timeout`
        seconds (a timeout of None waits for its end)."""
        assert self.process.stdout
        return int(self.process.stdout.readline()) if self.ended(timeout) else None

    def run(self, args: Sequence[str], env: Mapping[str, str], cwd: str, timeout: float
            ) -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(prefix="regtrace-cli-") as folder:
            out, err = Path(folder) / "stdout", Path(folder) / "stderr"
            out.touch()
            err.touch()
            pid = self.start(args, env, cwd, str(out), str(err))
            status = self.exited(timeout)
            if status is None:
                os.kill(pid, signal.SIGKILL)
                self.exited(None)
                raise subprocess.TimeoutExpired([SCRIPT, *args], timeout, _text(out), _text(err))
            code = os.waitstatus_to_exitcode(status)
            return subprocess.CompletedProcess([SCRIPT, *args], code, _text(out), _text(err))

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def _text(path: Path) -> str:
    """What subprocess.run(text=True) gives: the locale's encoding (UTF-8 here), universal newlines."""
    return path.read_bytes().decode().replace("\r\n", "\n").replace("\r", "\n")


_servers: dict[tuple[tuple[str, str], ...], Server] = {}


def _close_all() -> None:
    for server in _servers.values():
        server.close()


atexit.register(_close_all)


def run(args: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | Path | None = None,
        timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
    """`regtrace ARGS` as a process of its own, to its end (see the module's text)."""
    environ = dict(os.environ if env is None else env)
    key = tuple(sorted((k, v) for k, v in environ.items() if k not in PER_CALL))
    server = _servers.get(key)
    if server is None or server.process.poll() is not None:
        server = _servers[key] = Server({k: v for k, v in key})
    return server.run(args, environ, str(Path.cwd() if cwd is None else cwd), timeout)
