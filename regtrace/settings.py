"""The product's environment in one object: every variable regtrace reads, its default and what it does.

Product code reads `current()` (never `os.environ`): a value that cannot be parsed is a ConfigError naming the
variable. `regtrace settings` lists them with the values in effect; the README's table is `markdown_table()`
(tests/test_settings.py keeps the two equal). The variables only the test suite and the developer tools read
are listed in DEVELOPMENT, so that the README names every REGTRACE_* variable the repository knows.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from regtrace.errors import ConfigError

SECRET = "secret"  # metadata flag: shown as set / not set, never printed


def _var(env: str, default: Any, help_text: str, *, secret: bool = False, shown: str | None = None) -> Any:
    return field(default=default, metadata={"env": env, "help": help_text, SECRET: secret, "shown": shown})


@dataclass(frozen=True)
class Settings:
    """The values in effect; the defaults below are the product's defaults."""

    store: str = _var("REGTRACE_STORE", "regtrace-store",
                      "Store for every command and the server when --store is not given: a folder (LadybugDB) "
                      "or a neo4j://, neo4j+s://, bolt:// URI.")
    tenant: str = _var("REGTRACE_TENANT", "default",
                       "Member company for `pytest features/` run directly (`regtrace check` takes --tenant).")
    as_of: str | None = _var("REGTRACE_AS_OF", None,
                             "ISO date for `pytest features/` run directly (`regtrace check` takes --as-of).",
                             shown="today")
    debug: bool = _var("REGTRACE_DEBUG", False,
                       "1: an unexpected error shows its stack trace instead of a one-line message (exit 70).")
    neo4j_username: str = _var("NEO4J_USERNAME", "neo4j", "User for a Neo4j store.")
    neo4j_password: str | None = _var("NEO4J_PASSWORD", None,
                                      "Password for a Neo4j store; unset: connect without authentication.",
                                      secret=True, shown="none")
    neo4j_database: str | None = _var("NEO4J_DATABASE", None, "Neo4j database; unset: the user's home database.",
                                      shown="home database")
    neo4j_batch_rows: int = _var("REGTRACE_NEO4J_BATCH_ROWS", 10_000,
                                 "Rows per transaction when a load writes a tenant's registers to Neo4j (the load "
                                 "is published whole at its end whatever the size; smaller: less server memory); "
                                 "also the most a reload writes in place in its one transaction (more: a new "
                                 "generation, see \"Reloads and removals\").")
    neo4j_write_sessions: int = _var("REGTRACE_NEO4J_WRITE_SESSIONS", 2,
                                     "Sessions a load writes a tenant's registers to Neo4j from at once (its "
                                     "batches committed side by side, so the server uses more cores: 2 make a "
                                     "1M-evidence load ~20 % faster than 1 on two cores, its process's peak "
                                     "memory under 0.8 GB either way); 1: one batch at a time.")
    neo4j_retry_seconds: float = _var("REGTRACE_NEO4J_RETRY_SECONDS", 30.0,
                                      "How long a write to Neo4j is retried after a transient error or a lost "
                                      "connection before the command gives up (a load that fails then also "
                                      "removes what it staged, retried as long again); 0: no retry.")
    write_threads: int = _var("REGTRACE_WRITE_THREADS", 2,
                              "Engine threads a write to a LadybugDB store uses (a load's bulk copy); each holds "
                              "its own buffers: 2 load a million evidence items ~25 % faster than 1 and stay "
                              "under 1 GB; 0: one per core.")
    write_compression: bool = _var("REGTRACE_WRITE_COMPRESSION", True,
                                   "0: a write to a LadybugDB store adds its pages uncompressed: a million-evidence "
                                   "first load ~10 % less CPU, but the store ~35 % larger, and every later write "
                                   "copies it (a one-row reload slower).")
    cursor_secret: str | None = _var("REGTRACE_CURSOR_SECRET", None,
                                     "Key that signs the API's pagination cursors; unset: a random key per server "
                                     "start (cursors then end with the process).", secret=True, shown="random")
    sign_passphrase: str | None = _var("REGTRACE_SIGN_PASSPHRASE", None,
                                       "Passphrase of a protected signing key for `export --sign-key` (a PKCS#12 "
                                       ".p12/.pfx file or an encrypted PEM key); unset: the key is not protected.",
                                       secret=True, shown="none")
    auth_cache_seconds: float = _var("REGTRACE_AUTH_CACHE_SECONDS", 5.0,
                                     "How long the server keeps a token's lookup; a revoked token is refused "
                                     "at most this much later. 0: look up every request.")
    trace_cache_entries: int = _var("REGTRACE_TRACE_CACHE_ENTRIES", 8,
                                    "Traces (tenant, date) the server keeps; 0: trace every request.")
    trace_cache_seconds: float = _var("REGTRACE_TRACE_CACHE_SECONDS", 0.0,
                                      "Maximum age of a kept trace or answer in seconds; 0: kept until a write.")
    trace_precompute: bool = _var("REGTRACE_TRACE_PRECOMPUTE", True,
                                  "Compute today's trace of every member company in the background when the "
                                  "server starts and after each load or change, serving the previous one "
                                  "(marked) meanwhile; 0: compute a trace when first asked.")
    response_cache_mb: float = _var("REGTRACE_RESPONSE_CACHE_MB", 64.0,
                                    "Memory for the server's kept GraphQL answers in MB; 0: none kept.")
    access_log: str = _var("REGTRACE_ACCESS_LOG", "text",
                           "The server's access lines on stderr: text, json (one JSON object a line) or off; "
                           "never the token or the query string.")
    cache: str = _var("REGTRACE_CACHE", "~/.cache/regtrace",
                      "Folder where a process keeps what it read from regtrace's own files (the ontology, keyed by "
                      "their digest) for the next one to read faster; off: keep nothing.")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """The settings from `environ`; unset or empty variables take their defaults."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f.metadata["env"], "").strip()
            if raw:
                values[f.name] = _parse(f.metadata["env"], raw, f.default)
        return cls(**values)


def _parse(env: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{env}={raw!r}: use 1 or 0")
    if isinstance(default, int):
        try:
            number = int(raw)
        except ValueError:
            raise ConfigError(f"{env}={raw!r}: not a whole number") from None
        if number < 0:
            raise ConfigError(f"{env}={raw!r}: must be 0 or more")
        return number
    if isinstance(default, float):
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{env}={raw!r}: not a number") from None
        if not 0 <= value < float("inf"):
            raise ConfigError(f"{env}={raw!r}: must be 0 or more")
        return value
    return raw


def current() -> Settings:
    """The settings from the process environment now (read on each call: cheap, and tests may change it)."""
    return Settings.from_env(os.environ)


@dataclass(frozen=True)
class Variable:
    """One environment variable as documented: name, default as shown, description."""

    name: str
    default: str
    description: str
    secret: bool = False


def variables() -> list[Variable]:
    """The product's variables in the order of the Settings fields."""
    listed = []
    for f in fields(Settings):
        shown = f.metadata["shown"] or _shown(f.default)
        listed.append(Variable(f.metadata["env"], shown, f.metadata["help"], f.metadata[SECRET]))
    return listed


@dataclass(frozen=True)
class InEffect:
    """One product variable now: its value as shown (a secret only as set / not set) and whether it is set."""

    variable: Variable
    value: str
    set: bool


def in_effect() -> list[InEffect]:
    """The product's variables with the values in effect (a value that cannot be parsed is a ConfigError)."""
    settings = current()
    listed = []
    for f, v in zip(fields(Settings), variables(), strict=True):
        chosen = bool(os.environ.get(v.name, "").strip())
        if v.secret:
            value = "set" if chosen else "not set"
        else:
            value = _shown(getattr(settings, f.name)) if chosen else f"(default) {v.default}"
        listed.append(InEffect(v, value, chosen))
    return listed


def _shown(default: Any) -> str:
    if isinstance(default, bool):
        return "1" if default else "0"
    return f"{default:g}" if isinstance(default, float) else str(default)


DEVELOPMENT = (
    Variable("NEO4J_URI", "a server the test session starts",
             "Neo4j server for the store tests (tests/neo4j_fixtures.py), with NEO4J_USERNAME / NEO4J_PASSWORD."),
    Variable("REGTRACE_UPDATE_SNAPSHOTS", "0", "1: the snapshot tests rewrite their golden files (review the diff)."),
    Variable("REGTRACE_EXPORT_FIXTURE", "the example insurer",
             "small: the export tests use a small hand-written insurer instead of the example insurer."),
    Variable("REGTRACE_NEO4J_VERSION", "5.26.30", "Neo4j version tools/neo4j_server.py fetches and runs."),
    Variable("REGTRACE_NEO4J_CACHE", "~/.cache/regtrace/neo4j-VERSION", "Where tools/neo4j_server.py keeps it."),
    Variable("REGTRACE_NEO4J_JAVA_HOME", "JAVA_HOME, else the system's Java 17", "JDK for that Neo4j server."),
    Variable("REGTRACE_NEO4J_STATE", "server.json in that folder", "State file of tools/neo4j_server.py."),
)


def markdown_table() -> str:
    """The README's table: the product's variables, then those of the tests and developer tools."""
    lines = ["| variable | default | what it does |", "| --- | --- | --- |"]
    lines += [f"| `{v.name}` | {v.default} | {v.description} |" for v in variables()]
    lines += [f"| `{v.name}` (development) | {v.default} | {v.description} |" for v in DEVELOPMENT]
    return "\n".join(lines) + "\n"
