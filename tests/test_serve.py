"""Operator basics of the `regtrace` command, as real processes: --version, and `serve` printing its URLs,
binding to this machine only unless told otherwise, and refusing a busy port as a configuration error."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from importlib.metadata import version
from pathlib import Path

import pytest

from regtrace.cli.listening import bind, serve_when_started

REGTRACE = str(Path(sys.executable).parent / "regtrace")


def run(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REGTRACE, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "REGTRACE_STORE": str(store)})


def test_version_alone_prints_the_installed_version(tmp_path: Path) -> None:
    result = run("--version", store=tmp_path / "s")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"regtrace {version('regtrace')}"
    assert not (tmp_path / "s").exists()  # printing the version opens no store


def test_serve_on_a_busy_port_is_a_configuration_error_naming_the_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), store=tmp_path / "s")
    assert result.returncode == 5, result.stderr
    assert f"--port {port}" in result.stderr and "in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_on_an_address_not_of_this_machine_is_a_configuration_error(tmp_path: Path) -> None:
    result = run("serve", "--host", "192.0.2.1", "--port", "0", store=tmp_path / "s")  # TEST-NET-1 (RFC 5737)
    assert result.returncode == 5, result.stderr
    assert "192.0.2.1" in result.stderr and "Traceback" not in result.stderr


def _listeners(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp) listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_serve_prints_its_urls_and_listens_on_this_machine_only(tmp_path: Path) -> None:
    server = subprocess.Popen([REGTRACE, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "REGTRACE_STORE": str(tmp_path / "s")})
    try:
        assert server.stderr is not None
        lines: list[str] = []
        deadline = time.monotonic() + 120
        while not any(line.startswith("GraphQL:") for line in lines) and time.monotonic() < deadline:
            line = server.stderr.readline()
            assert line or server.poll() is None, "".join(lines)
            lines.append(line)
        dashboard = re.search(r"儀表板 dashboard: (http://127\.0\.0\.1:(\d+)/dashboard/)$", "".join(lines), re.M)
        graphql = re.search(r"^GraphQL: (http://127\.0\.0\.1:(\d+)/graphql)$", "".join(lines), re.M)
        assert dashboard and graphql, "".join(lines)
        port = int(graphql.group(2))
        assert int(dashboard.group(2)) == port != 0
        with urllib.request.urlopen(dashboard.group(1), timeout=30) as page:  # the URL as printed works
            assert page.status == 200 and "text/html" in page.headers["content-type"]
        request = urllib.request.Request(graphql.group(1), data=b'{"query": "{ __typename }"}',
                                         headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=30)
            raise AssertionError("a request without a token was answered")
        except urllib.error.HTTPError as refused:
            assert refused.code == 401
        assert _listeners(port) == {"0100007F"}  # 127.0.0.1 only, not every interface
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_port_is_bound_but_not_listened_on_before_the_app_has_started() -> None:
    """Until the app has started (tokens read, kept traces loaded) nobody listens: a connection is refused,
    never held unanswered in the kernel's queue; uvicorn listens once the app is up (then the URLs are printed,
    and answer: the test above)."""
    sock = bind("127.0.0.1", 0)
    try:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", sock.getsockname()[1]), timeout=5).close()
    finally:
        sock.close()


def test_another_server_listening_first_on_the_port_is_a_configuration_error() -> None:
    """Two servers may bind one port (a restart need not wait for TIME_WAIT, so the address may be reused);
    the one that comes to listen second gets the busy-port error, its app started and shut down again."""
    from fastapi import FastAPI

    from regtrace.errors import ConfigError

    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        events.append("started")
        yield
        events.append("stopped")

    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    try:
        with socket.socket() as other:
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            other.bind(("127.0.0.1", port))
            other.listen()  # between our bind and our listen
            with pytest.raises(ConfigError, match=f"--port {port}: .*already in use"):
                serve_when_started(FastAPI(lifespan=lifespan), "127.0.0.1", sock, lambda: events.append("announced"))
    finally:
        sock.close()
    assert events == ["started", "stopped"]
