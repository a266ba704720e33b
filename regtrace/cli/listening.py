"""The server's listening socket, bound before the app starts so that a busy port or an unknown host is a
configuration error naming it (exit 5), and the URLs an operator opens."""

from __future__ import annotations

import errno
import socket

from regtrace.errors import ConfigError

WILDCARDS = ("0.0.0.0", "::", "")


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) and listening; port 0 lets the system choose one."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise ConfigError(f"--host {host!r}: not an address this machine can listen on ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart need not wait for TIME_WAIT
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"--port {port}: port {port} on {host} is already in use (another server, perhaps "
                              "a running `regtrace serve`); stop it or choose another port with --port") from None
        if exc.errno == errno.EACCES:
            raise ConfigError(f"--port {port}: not allowed to listen on port {port} (ports below 1024 need "
                              "privileges); choose another port with --port") from None
        raise ConfigError(f"--host {host!r} --port {port}: cannot listen there ({exc.strerror})") from None
    return sock


def base_url(host: str, sock: socket.socket) -> str:
    """http://host:port of the bound socket; every interface is shown as this machine's name."""
    port = sock.getsockname()[1]
    shown = socket.gethostname() if host in WILDCARDS else host
    if ":" in shown:  # an IPv6 address
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"
