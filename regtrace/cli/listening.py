"""The server's socket, bound before the app starts so that a busy port or an unknown host is a configuration
error naming it (exit 5), and the URLs an operator opens.

It is bound, not yet listening: the server listens once the app has started (uvicorn calls listen() when it
starts serving, after the app's start-up: the tokens read, the kept traces loaded). A connection the server
accepts is then answered at once, never held in the kernel's queue while the app starts; a client that comes
too early is refused and tries again, as against any server that is not up yet."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from typing import Any

from regtrace.errors import ConfigError

WILDCARDS = ("0.0.0.0", "::", "")
BACKLOG = 2048  # connections the kernel holds for the server once it listens


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port), not yet listening; port 0 lets the system choose one."""
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
    except OSError as exc:
        sock.close()
        raise cannot_listen(exc, host, port) from None
    return sock


def cannot_listen(exc: OSError, host: str, port: int) -> ConfigError:
    """The configuration error for a bind or a listen refused: another server took the port first (it may
    start listening between our bind and our listen), no privilege, or another reason named by the system."""
    if exc.errno == errno.EADDRINUSE:
        return ConfigError(f"--port {port}: port {port} on {host} is already in use (another server, perhaps "
                           "a running `regtrace serve`); stop it or choose another port with --port")
    if exc.errno == errno.EACCES:
        return ConfigError(f"--port {port}: not allowed to listen on port {port} (ports below 1024 need "
                           "privileges); choose another port with --port")
    return ConfigError(f"--host {host!r} --port {port}: cannot listen there ({exc.strerror})")


def base_url(host: str, sock: socket.socket) -> str:
    """http://host:port of the bound socket; every interface is shown as this machine's name."""
    port = sock.getsockname()[1]
    shown = socket.gethostname() if host in WILDCARDS else host
    if ":" in shown:  # an IPv6 address
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def serve_when_started(application: Any, host: str, sock: socket.socket, announce: Callable[[], None]) -> None:
    """Run the ASGI app with uvicorn on the bound socket: uvicorn listens once the app's start-up is done, then
    `announce` (the URLs: they answer when shown). Another server that began listening on the port since the
    bind is the busy-port error, after the app is shut down again."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            try:
                await super().startup(sockets)
            except OSError as exc:
                await self.lifespan.shutdown()
                raise cannot_listen(exc, host, sock.getsockname()[1]) from None
            if not self.should_exit:
                announce()

    # the app writes its own access lines (api/access_log.py: no query strings, REGTRACE_ACCESS_LOG)
    config = uvicorn.Config(application, host=host, port=sock.getsockname()[1], access_log=False, backlog=BACKLOG)
    Server(config).run(sockets=[sock])
