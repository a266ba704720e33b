"""Fetch, start and stop a real Neo4j server for tests and CI, without Docker.

Neo4j's server is published on Maven Central as ``org.neo4j:neo4j``; its runtime dependencies
(about 210 jars, 120 MB for 5.26) are copied by Maven into a cache OUTSIDE the repository, and the
server is started with ``java -cp 'lib/*' org.neo4j.server.CommunityEntryPoint --console-mode``,
which is what the official ``bin/neo4j console`` launcher runs after it has computed the JVM flags.

CLI (prints ``NEO4J_URI=bolt://127.0.0.1:PORT`` on start, for scripts)::

    python tools/neo4j_server.py fetch            # idempotent; skips when the cache is complete
    python tools/neo4j_server.py class-data       # idempotent; the class-data archive every later start maps
    python tools/neo4j_server.py start [--home DIR] [--timeout 90]
    python tools/neo4j_server.py status
    python tools/neo4j_server.py stop

Library (tests put tools/ on sys.path; see tests/conftest.py and tests/neo4j_fixtures.py)::

    lib = fetch()                      # Path to the cached lib/ folder
    server = start()                   # Neo4jServer(uri, pid, home, port, log_file, ..., process)
    stop(server)                       # SIGTERM, wait, SIGKILL after the grace period; 0 = clean

Cache layout: <cache>/pom.xml (generated), lib/ (the jars), COMPLETE.json (marker: version + jar
list, written last), cds/ (class-data-sharing archive, made by `class-data`, else by the first server),
server.json (CLI).

Environment:
    REGTRACE_NEO4J_VERSION     Neo4j version (default 5.26.30, the 5.26 LTS; 2026.08.1 runs too, on Java 25)
    REGTRACE_NEO4J_CACHE       cache folder (default ~/.cache/regtrace/neo4j-<version>)
    REGTRACE_NEO4J_JAVA_HOME   JDK for the server; else JAVA_HOME; else Java 17 for 5.x, Temurin 25 for 20xx
    REGTRACE_NEO4J_STATE       state file of the CLI (default <cache>/server.json)
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_VERSION = "5.26.30"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"  # 5.x; 2025+ names another (see entry_point())
ENTRY_POINT_SERVICE = "META-INF/services/org.neo4j.server.startup.EntryPoint"
JAVA_17 = "/usr/lib/jvm/java-17-openjdk-amd64"
JAVA_25 = "/usr/lib/jvm/temurin-25-jdk-amd64"
MARKER = "COMPLETE.json"

# Sized for a 2-core, 24 GB machine that runs the test suite next to the server.
HEAP_INITIAL = "512m"
HEAP_MAX = "1g"
PAGE_CACHE = "256m"

# The JVM flags of the official launcher, `bin/neo4j console` (its `--dry-run` prints them).
# Where they come from, for 5.26:
#   * The bootloader (org.neo4j.server.startup.BootloaderOsAbstraction.buildJvmOpts, in
#     neo4j-<version>.jar; read with `javap -c -p`) builds: every `server.jvm.additional` line of
#     conf/neo4j.conf, then the GC-log flags when server.logs.gc.enabled (off by default), then a
#     hard-coded -Dfile.encoding=UTF-8, then -Xms/-Xmx from server.memory.heap.initial_size/max_size.
#     BootloaderSettings gives `server.jvm.additional` no default.
#   * So the list itself is the `server.jvm.additional` block of the conf/neo4j.conf template that the
#     5.26 distribution ships (packaging/standalone/standalone-community/src/main/distribution/text/
#     community/conf/neo4j.conf in the Neo4j source).  That template is in no jar on Maven Central;
#     the block below follows it, in its order, as public copies of a 5.26 install's neo4j.conf show it.
# Left out on purpose, for short-lived test servers:
#   -XX:+AlwaysPreTouch         commits the whole heap before start: slower start, no gain for tests
#   -XX:FlightRecorderOptions=stackdepth=256, -XX:+UnlockDiagnosticVMOptions, -XX:+DebugNonSafepoints
#                               only help profilers
# Heap flags are added by jvm_command() from HEAP_INITIAL/HEAP_MAX, as the launcher does; start()
# adds class-data-sharing flags of its own (see cds_archive), which the launcher does not use.
JVM_FLAGS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
    "-Dfile.encoding=UTF-8",  # hard-coded by the bootloader, not in the template
)

# For a server that lives for a short trial (started, killed and restarted by the crash tests): the C1 compiler
# only. C2 costs a start about a third of its CPU (start and stop of an empty server, 2 cores, load 6-10: 15.5 s
# of CPU with it, 9-10 s without) and pays back only in a server that runs long.
SHORT_LIVED_FLAGS: tuple[str, ...] = ("-XX:TieredStopAtLevel=1",)

Log = Callable[[str], None]


class Neo4jSetupError(RuntimeError):
    """A tool is missing, the fetch failed, or the server did not come up."""


class ToolMissingError(Neo4jSetupError):
    """java or mvn is not installed where we look for it."""


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    pid: int
    home: Path
    port: int
    log_file: Path
    temporary_home: bool = False  # start() made the home, so stop() removes it
    cds_dump: Path | None = None  # class-data archive the JVM writes at exit; stop() installs it
    process: subprocess.Popen[bytes] | None = None  # set when this process started the server

    def to_json(self) -> str:
        data = {
            "uri": self.uri,
            "pid": self.pid,
            "home": str(self.home),
            "port": self.port,
            "log_file": str(self.log_file),
            "temporary_home": self.temporary_home,
            "cds_dump": str(self.cds_dump) if self.cds_dump else None,
        }
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Neo4jServer:
        data = json.loads(text)
        return cls(
            uri=str(data["uri"]),
            pid=int(data["pid"]),
            home=Path(data["home"]),
            port=int(data["port"]),
            log_file=Path(data["log_file"]),
            temporary_home=bool(data.get("temporary_home", False)),
            cds_dump=Path(data["cds_dump"]) if data.get("cds_dump") else None,
        )


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def neo4j_version() -> str:
    return os.environ.get("REGTRACE_NEO4J_VERSION") or DEFAULT_VERSION


def cache_dir(version: str | None = None) -> Path:
    configured = os.environ.get("REGTRACE_NEO4J_CACHE")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "regtrace" / f"neo4j-{version or neo4j_version()}"


def java_home(version: str | None = None) -> Path:
    """REGTRACE_NEO4J_JAVA_HOME, else JAVA_HOME, else Java 17 for 5.x and Java 25 for the 20xx releases."""
    configured = os.environ.get("REGTRACE_NEO4J_JAVA_HOME") or os.environ.get("JAVA_HOME")
    if configured:
        return Path(configured)
    return Path(JAVA_17 if (version or neo4j_version()).startswith(("4.", "5.")) else JAVA_25)


def java_executable(version: str | None = None) -> Path:
    return java_home(version) / "bin" / "java"


def missing_tools(*, need_mvn: bool = True, version: str | None = None) -> list[str]:
    """What is missing to fetch and run Neo4j, as human-readable reasons (empty when all is there)."""
    missing: list[str] = []
    java = java_executable(version)
    if not os.access(java, os.X_OK):
        missing.append(f"java not found at {java} (set REGTRACE_NEO4J_JAVA_HOME or JAVA_HOME to a JDK)")
    if need_mvn and shutil.which("mvn") is None:
        missing.append("mvn (Apache Maven) not found on PATH (Debian: apt-get install maven)")
    return missing


def is_fetched(cache: Path, version: str | None = None) -> bool:
    """True when a fetch of this version finished: the marker lists every jar, and every jar is there."""
    marker = cache / MARKER
    if not marker.is_file():
        return False
    try:
        data = json.loads(marker.read_text())
        fetched_version, jars = str(data["version"]), [str(name) for name in data["jars"]]
    except (ValueError, KeyError, TypeError):
        return False
    lib = cache / "lib"
    return (
        fetched_version == (version or neo4j_version()) and bool(jars) and all((lib / name).is_file() for name in jars)
    )


def _pom(version: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by regtrace tools/neo4j_server.py: the runtime class path of the Neo4j server. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>regtrace.local</groupId>
  <artifactId>neo4j-server-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""


@contextlib.contextmanager
def _locked(cache: Path) -> Iterator[None]:
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fetch(version: str | None = None, cache: Path | None = None, *, log: Log = _stderr) -> Path:
    """Copy org.neo4j:neo4j and its runtime dependencies into <cache>/lib; return that folder.

    Idempotent: returns at once when the marker of a complete fetch is there.  Safe to call from
    several processes at once (a file lock serialises them).
    """
    version = version or neo4j_version()
    cache = cache or cache_dir(version)
    lib = cache / "lib"
    if is_fetched(cache, version):
        log(f"neo4j {version}: already fetched in {lib}")
        return lib
    missing = missing_tools(version=version)
    if missing:
        raise ToolMissingError("cannot fetch Neo4j: " + "; ".join(missing))
    with _locked(cache):
        if is_fetched(cache, version):
            log(f"neo4j {version}: already fetched in {lib} (by another process)")
            return lib
        partial = cache / "lib.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(lib, ignore_errors=True)
        (cache / MARKER).unlink(missing_ok=True)
        pom = cache / "pom.xml"
        pom.write_text(_pom(version))
        command = [
            "mvn",
            "--batch-mode",
            "--no-transfer-progress",
            "--quiet",
            "-f",
            str(pom),
            f"{DEPENDENCY_PLUGIN}:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={partial}",
        ]
        log(f"neo4j {version}: fetching into {lib} with: {' '.join(command)}")
        env = dict(os.environ)
        env.setdefault("JAVA_HOME", str(java_home(version)))
        started = time.monotonic()
        result = subprocess.run(command, cwd=cache, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
            raise Neo4jSetupError(f"mvn failed (exit {result.returncode}) fetching neo4j {version}:\n{tail}")
        jars = sorted(p.name for p in partial.glob("*.jar"))
        if not any(re.fullmatch(rf"neo4j-{re.escape(version)}\.jar", name) for name in jars):
            raise Neo4jSetupError(f"mvn finished but neo4j-{version}.jar is not in {partial}")
        shutil.rmtree(cache / "cds", ignore_errors=True)  # archives name the old jars
        partial.rename(lib)
        size = sum((lib / name).stat().st_size for name in jars)
        (cache / MARKER).write_text(json.dumps({"version": version, "jars": jars}, indent=1) + "\n")
        log(f"neo4j {version}: {len(jars)} jars, {size / 1e6:.0f} MB in {time.monotonic() - started:.0f} s")
    return lib


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def neo4j_conf(home: Path, port: int, version: str | None = None, settings: Sequence[str] = ()) -> str:
    """The server's neo4j.conf; `settings`: more `key=value` lines, after the defaults."""
    # 2025+ servers announce themselves for Aura's Fleet Manager; these keys do not exist in 5.x
    # (and unknown keys stop the server: strict validation is on).
    fleet_off = (
        []
        if (version or neo4j_version()).startswith(("4.", "5."))
        else [
            "server.fleet_discovery.enabled=false",
            "dbms.fleet_manager.enabled=false",
        ]
    )
    return "\n".join(
        [
            "# Written by regtrace tools/neo4j_server.py for a throw-away test server.",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{port}",
            f"server.bolt.advertised_address=127.0.0.1:{port}",
            "server.bolt.tls_level=DISABLED",
            "server.http.enabled=false",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=false",
            f"server.memory.heap.initial_size={HEAP_INITIAL}",
            f"server.memory.heap.max_size={HEAP_MAX}",
            f"server.memory.pagecache.size={PAGE_CACHE}",
            f"server.directories.data={home / 'data'}",
            f"server.directories.logs={home / 'logs'}",
            f"server.directories.run={home / 'run'}",
            f"server.directories.import={home / 'import'}",
            f"server.directories.plugins={home / 'plugins'}",
            "dbms.usage_report.enabled=false",
            "db.tx_log.preallocate=false",
            # Bolt's shutdown otherwise sleeps 5 s twice (connections, then its thread pool): 10 s per stop.
            "internal.server.bolt.connection_shutdown_wait_time=1s",
            "internal.server.bolt.thread_pool_shutdown_wait_time=1s",
            *fleet_off,
            *settings,
            "",
        ]
    )


def cds_archive(cache: Path, java: Path) -> Path:
    """The class-data-sharing archive of this cache's jars for this JDK.

    The first server started from a cache dumps the classes it loaded at exit
    (-XX:ArchiveClassesAtExit); later ones map them (-XX:SharedArchiveFile), which cuts 3-4 s of the
    7-12 s start on a 2-core machine.  A stale or foreign archive is only a warning to the JVM.
    """
    real = java.resolve()
    key = hashlib.sha256(f"{real}:{real.stat().st_mtime_ns}".encode()).hexdigest()[:16]
    return cache / "cds" / f"{key}.jsa"


def _claim(path: Path, stale_after: float = 600.0) -> bool:
    """Create ``path`` exclusively; a claim older than ``stale_after`` seconds is taken over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        if time.time() - path.stat().st_mtime > stale_after:
            path.unlink()
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def entry_point(lib: Path, version: str) -> str:
    """The server's main class, as the bootloader finds it: the EntryPoint service of neo4j-<version>.jar.

    5.26 names org.neo4j.server.CommunityEntryPoint; 2026.x names org.neo4j.server.Neo4jCommunity.
    """
    try:
        with zipfile.ZipFile(lib / f"neo4j-{version}.jar") as jar:
            lines = jar.read(ENTRY_POINT_SERVICE).decode().splitlines()
    except (OSError, KeyError, zipfile.BadZipFile):
        return ENTRY_POINT
    names = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return names[0] if names else ENTRY_POINT


def jvm_command(
    java: Path, lib: Path, home: Path, extra: Sequence[str] = (), main_class: str = ENTRY_POINT
) -> list[str]:
    return [
        str(java),
        f"-Xms{HEAP_INITIAL}",
        f"-Xmx{HEAP_MAX}",
        *JVM_FLAGS,
        *extra,
        "-cp",
        f"{lib}/*",
        main_class,
        f"--home-dir={home}",
        f"--config-dir={home / 'conf'}",
        "--console-mode",
    ]


def log_tail(log_file: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def _bolt_ready(uri: str, port: int) -> bool:
    from neo4j import GraphDatabase  # imported here: fetch/stop/status need no driver
    from neo4j.exceptions import DriverError, Neo4jError

    if not port_open(port):  # cheap check first: a driver per poll costs CPU the server needs
        return False
    try:
        with GraphDatabase.driver(uri, auth=None, connection_timeout=2.0) as driver:
            driver.verify_connectivity()
            return True
    except (DriverError, Neo4jError, OSError):
        return False


def start(
    home: Path | None = None,
    *,
    version: str | None = None,
    cache: Path | None = None,
    port: int | None = None,
    timeout: float = 90.0,
    detach: bool = False,
    short_lived: bool = False,
    settings: Sequence[str] = (),
    log: Log = _stderr,
) -> Neo4jServer:
    """Start a server in a fresh home (a new temp folder by default) and wait until Bolt answers.

    ``detach`` starts it in its own session so that it outlives the calling process (CLI use).
    ``short_lived`` adds SHORT_LIVED_FLAGS (kept in command.txt, so a restart from it has them too).
    ``settings``: more neo4j.conf lines (`key=value`; an unknown key stops the server, strict validation is on).
    Raises Neo4jSetupError with the tail of the server log when it exits or is not ready in time.
    """
    version = version or neo4j_version()
    missing = missing_tools(need_mvn=False, version=version)
    if missing:
        raise ToolMissingError("cannot start Neo4j: " + "; ".join(missing))
    cache = cache or cache_dir(version)
    if not is_fetched(cache, version):
        fetch(version, cache, log=log)
    lib = cache / "lib"
    temporary_home = home is None
    home = Path(tempfile.mkdtemp(prefix="regtrace-neo4j-")) if home is None else home.resolve()
    if (home / "data").exists():
        raise Neo4jSetupError(f"{home} already holds a Neo4j data folder: give an empty or new folder")
    for name in ("conf", "data", "logs", "run", "import", "plugins"):
        (home / name).mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    (home / "conf" / "neo4j.conf").write_text(neo4j_conf(home, port, version, settings))
    log_file = home / "logs" / "console.log"
    java = java_executable(version)
    archive = cds_archive(cache, java)
    cds_dump: Path | None = None
    cds_flags: list[str] = []
    if archive.is_file():
        cds_flags = [f"-XX:SharedArchiveFile={archive}"]
    elif _claim(archive.with_suffix(".claim")):  # only one server pays the dump (~6 s at exit)
        cds_dump = archive.with_name(f"{archive.stem}.{os.getpid()}-{port}.tmp")
        cds_flags = [f"-XX:ArchiveClassesAtExit={cds_dump}"]
    command = jvm_command(
        java,
        lib,
        home,
        ["-Xlog:cds=off", "-Xlog:cds+dynamic=off", *cds_flags, *(SHORT_LIVED_FLAGS if short_lived else ())],
        entry_point(lib, version),
    )
    (home / "command.txt").write_text(" ".join(command) + "\n")
    uri = f"bolt://127.0.0.1:{port}"
    log(f"neo4j {version}: starting on {uri}, home {home}")
    started = time.monotonic()
    with log_file.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=home, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=detach
        )
    server = Neo4jServer(
        uri=uri,
        pid=process.pid,
        home=home,
        port=port,
        log_file=log_file,
        temporary_home=temporary_home,
        cds_dump=cds_dump,
        process=process,
    )
    deadline = started + timeout
    while True:
        code = process.poll()
        if code is not None:
            _settle_cds(cds_dump, install=False)
            raise Neo4jSetupError(
                f"neo4j exited with code {code} before it was ready; tail of {log_file}:\n{log_tail(log_file)}"
            )
        if _bolt_ready(uri, port):
            break
        if time.monotonic() > deadline:
            stop(server, log=log, keep_home=True)
            raise Neo4jSetupError(
                f"neo4j was not ready on {uri} within {timeout:.0f} s; tail of {log_file}:\n{log_tail(log_file)}"
            )
        time.sleep(0.25)
    log(f"neo4j {version}: ready on {uri} (pid {process.pid}) in {time.monotonic() - started:.1f} s")
    return server


# Statements of the kinds the tests send (schema, batched writes, reads, a delete), run once by make_class_data so
# that the Cypher parser, planner and runtime classes they load are in the archive too, not only the start's.
WARM_UP: tuple[str, ...] = (
    "CREATE CONSTRAINT warm_up_key IF NOT EXISTS FOR (n:WarmUp) REQUIRE (n.tenant, n.id) IS UNIQUE",
    "CREATE INDEX warm_up_index IF NOT EXISTS FOR (n:WarmUp) ON (n.generation)",
    "UNWIND $rows AS row CREATE (n:WarmUp) SET n = row",
    "UNWIND $rows AS row MATCH (a:WarmUp {tenant: row.tenant, id: row.id}) "
    "MERGE (a)-[r:WARM_UP]->(b:WarmUp {tenant: row.tenant, id: row.id + 1000}) SET r.generation = row.generation",
    "MATCH (n:WarmUp {tenant: $tenant})-[r]->(m) WHERE n.generation >= 0 "
    "RETURN n.id AS id, collect(m.id) AS ids, count(r) AS n ORDER BY id",
    "MATCH (n:WarmUp) WITH n.tenant AS tenant, count(*) AS n RETURN tenant, n",
    "SHOW INDEXES YIELD name, type RETURN name, type",
    "MATCH (n:WarmUp) DETACH DELETE n",
    "DROP CONSTRAINT warm_up_key IF EXISTS",
    "DROP INDEX warm_up_index IF EXISTS",
)


# A JVM that writes the archive as it exits takes seconds to do so, much longer on a busy machine (more than the
# 30 s of stop()'s default grace was seen at load 6); a kill in the middle leaves no archive.
DUMP_GRACE = 300.0


def make_class_data(version: str | None = None, cache: Path | None = None, *, log: Log = _stderr) -> Path | None:
    """Make the class-data-sharing archive (cds_archive) now, unless it is there: start a short-lived server, send
    it WARM_UP, stop it cleanly (the JVM writes the archive as it exits). Every server started after it maps the
    archive; without it, the servers of a first test run (a fresh CI machine) start without one, and the one
    that claims the dump writes it at its exit, often the end of the run. The archive path, or None when
    another process is making it."""
    version = version or neo4j_version()
    cache = cache or cache_dir(version)
    missing = missing_tools(need_mvn=not is_fetched(cache, version), version=version)
    if missing:
        raise ToolMissingError("cannot make the class-data archive: " + "; ".join(missing))
    archive = cds_archive(cache, java_executable(version))
    if archive.is_file():
        log(f"neo4j {version}: class-data archive already made ({archive})")
        return archive
    server = start(version=version, cache=cache, short_lived=True, log=log)
    try:
        if server.cds_dump is None:
            log(f"neo4j {version}: another process holds the class-data claim; no archive made here")
            return None
        from neo4j import GraphDatabase

        rows = [{"tenant": "t", "id": i, "generation": i % 3} for i in range(200)]
        with GraphDatabase.driver(server.uri, auth=None) as driver:
            for statement in WARM_UP:
                driver.execute_query(statement, {"rows": rows, "tenant": "t"})
    finally:
        stop(server, grace=DUMP_GRACE, log=log)
    if not archive.is_file():
        raise Neo4jSetupError(f"the server exited without writing the class-data archive; tail of "
                              f"{server.log_file}:\n{log_tail(server.log_file)}")
    log(f"neo4j {version}: class-data archive made ({archive.stat().st_size / 1e6:.0f} MB)")
    return archive


def _is_our_java(pid: int) -> bool:
    """True when pid is alive and runs Neo4j's entry point (guards against a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    args = cmdline.split(b"\0")
    return b"--console-mode" in args and any(arg.startswith(b"org.neo4j.server.") for arg in args)


def _wait_gone(server: Neo4jServer, timeout: float) -> bool:
    if server.process is not None:
        try:
            server.process.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_our_java(server.pid):
            return True
        time.sleep(0.1)
    return not _is_our_java(server.pid)


def _settle_cds(dump: Path | None, *, install: bool) -> None:
    """After the JVM exited: install the archive it dumped (if it exited cleanly), release the claim."""
    if dump is None:
        return
    stem = dump.name.split(".")[0]
    if install and dump.is_file() and dump.stat().st_size > 0:
        os.replace(dump, dump.with_name(f"{stem}.jsa"))
    else:
        dump.unlink(missing_ok=True)
    dump.with_name(f"{stem}.claim").unlink(missing_ok=True)


def stop(server: Neo4jServer, *, grace: float = 30.0, keep_home: bool = False, log: Log = _stderr) -> int | None:
    """SIGTERM (Neo4j shuts down cleanly), wait up to ``grace`` seconds, then SIGKILL.

    Removes the home when start() made it (unless ``keep_home``).  Returns the exit code when the
    server was a child of this process (0 after a clean SIGTERM shutdown), else None.
    """
    alive = server.process.poll() is None if server.process is not None else _is_our_java(server.pid)
    killed = False
    if alive:
        started = time.monotonic()
        os.kill(server.pid, signal.SIGTERM)
        if not _wait_gone(server, grace):
            log(f"neo4j pid {server.pid} still running after {grace:.0f} s: SIGKILL")
            os.kill(server.pid, signal.SIGKILL)
            killed = True
            _wait_gone(server, 10.0)
        log(f"neo4j pid {server.pid} stopped in {time.monotonic() - started:.1f} s")
    else:
        log(f"neo4j pid {server.pid} is not running")
    clean_exit = not killed and (server.process is None or server.process.returncode == 0)
    _settle_cds(server.cds_dump, install=clean_exit)
    if server.temporary_home and not keep_home:
        shutil.rmtree(server.home, ignore_errors=True)
    return server.process.returncode if server.process is not None else None


# ---------------------------------------------------------------- CLI


def state_file(version: str | None = None) -> Path:
    configured = os.environ.get("REGTRACE_NEO4J_STATE")
    return Path(configured) if configured else cache_dir(version) / "server.json"


def _read_state(path: Path) -> Neo4jServer | None:
    try:
        return Neo4jServer.from_json(path.read_text())
    except (OSError, ValueError, KeyError):
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="neo4j_server.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("fetch", help="copy the Neo4j jars from Maven Central into the cache")
    commands.add_parser("class-data", help="make the servers' class-data archive now (one server start and stop)")
    start_parser = commands.add_parser("start", help="start a server in the background; prints NEO4J_URI=")
    start_parser.add_argument("--home", type=Path, help="an empty folder for the server (default: a temp dir)")
    start_parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for Bolt")
    stop_parser = commands.add_parser("stop", help="stop the server that `start` recorded")
    stop_parser.add_argument("--grace", type=float, default=30.0, help="seconds before SIGKILL")
    commands.add_parser("status", help="say whether the recorded server is running")
    args = parser.parse_args(argv)
    state = state_file()
    try:
        if args.command == "fetch":
            print(fetch())
            return 0
        if args.command == "class-data":
            print(make_class_data() or "not made: another process is making it")
            return 0
        recorded = _read_state(state)
        if args.command == "start":
            if recorded is not None and _is_our_java(recorded.pid):
                raise Neo4jSetupError(
                    f"a server is already running (pid {recorded.pid}, {recorded.uri}); run `stop` first"
                )
            server = start(args.home, timeout=args.timeout, detach=True)
            state.parent.mkdir(parents=True, exist_ok=True)
            state.write_text(server.to_json())
            print(f"NEO4J_URI={server.uri}", flush=True)
            return 0
        if recorded is None:
            print(f"no server recorded in {state}")
            return 0 if args.command == "stop" else 1
        if args.command == "status":
            running = _is_our_java(recorded.pid)
            print(
                f"{'running' if running else 'not running'}: pid {recorded.pid}, {recorded.uri}, home {recorded.home}"
            )
            if running:
                print(f"NEO4J_URI={recorded.uri}")
            return 0 if running else 1
        stop(recorded, grace=args.grace)
        state.unlink(missing_ok=True)
        return 0
    except Neo4jSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
