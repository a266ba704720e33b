"""One settings object for the environment: every variable listed, parsed strictly, documented in the README."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from regtrace.errors import ConfigError
from regtrace.settings import DEVELOPMENT, Settings, markdown_table, variables

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_FOLDERS = ("regtrace", "graph", "loaders", "api", "exports", "ontology")
REGTRACE = str(Path(sys.executable).parent / "regtrace")


def repository_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / p for p in listed if p.endswith((".py", ".md", "Makefile", "run", ".toml")) and (ROOT / p).is_file()]


def test_every_regtrace_variable_in_the_repository_is_listed() -> None:
    used = set()
    for path in repository_files():
        used |= set(re.findall(r"\bREGTRACE_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    listed = {v.name for v in variables()} | {v.name for v in DEVELOPMENT}
    assert used - listed == set(), "add these to regtrace/settings.py"


def test_product_code_reads_the_environment_only_through_the_settings() -> None:
    readers = []
    for folder in PRODUCT_FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if path != ROOT / "regtrace" / "settings.py" and re.search(r"os\.environ|getenv\(", text):
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_the_readme_table_is_the_settings_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- settings: regtrace settings --markdown -->\n", 1)[1].split("<!-- end of settings -->")[0]
    assert table == markdown_table()


def test_unset_and_empty_variables_take_the_defaults() -> None:
    assert Settings.from_env({}) == Settings()
    assert Settings.from_env({"REGTRACE_STORE": "  ", "REGTRACE_TRACE_CACHE_ENTRIES": ""}) == Settings()
    defaults = Settings()
    assert (defaults.store, defaults.tenant, defaults.debug) == ("regtrace-store", "default", False)
    assert (defaults.auth_cache_seconds, defaults.trace_cache_entries, defaults.response_cache_mb) == (5.0, 8, 64.0)


def test_values_are_parsed_by_type() -> None:
    chosen = Settings.from_env({"REGTRACE_STORE": "neo4j://db:7687", "REGTRACE_DEBUG": "1",
                                "REGTRACE_TRACE_CACHE_ENTRIES": "0", "REGTRACE_AUTH_CACHE_SECONDS": "0.5",
                                "NEO4J_DATABASE": "regtrace"})
    assert chosen.store == "neo4j://db:7687"
    assert chosen.debug is True
    assert chosen.trace_cache_entries == 0
    assert chosen.auth_cache_seconds == 0.5
    assert chosen.neo4j_database == "regtrace"
    assert Settings.from_env({"REGTRACE_DEBUG": "0"}).debug is False


@pytest.mark.parametrize(("name", "value"), [
    ("REGTRACE_TRACE_CACHE_ENTRIES", "eight"),
    ("REGTRACE_TRACE_CACHE_ENTRIES", "-1"),
    ("REGTRACE_TRACE_CACHE_ENTRIES", "2.5"),
    ("REGTRACE_AUTH_CACHE_SECONDS", "5s"),
    ("REGTRACE_RESPONSE_CACHE_MB", "-64"),
    ("REGTRACE_RESPONSE_CACHE_MB", "nan"),
    ("REGTRACE_TRACE_CACHE_SECONDS", "inf"),
    ("REGTRACE_DEBUG", "maybe"),
])
def test_a_value_that_cannot_be_parsed_is_a_config_error_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REGTRACE, *args], capture_output=True, text=True, timeout=60,
                          env={**{k: v for k, v in os.environ.items() if not k.startswith(("REGTRACE_", "NEO4J_"))},
                               **env})


def test_settings_command_shows_values_in_effect_and_hides_secrets() -> None:
    result = run("settings", "--json", REGTRACE_TRACE_CACHE_ENTRIES="3", NEO4J_PASSWORD="hunter2-secret")
    assert result.returncode == 0, result.stderr
    assert "hunter2-secret" not in result.stdout
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["REGTRACE_TRACE_CACHE_ENTRIES"]["value"] == "3"
    assert rows["NEO4J_PASSWORD"]["value"] == "set"
    assert rows["REGTRACE_CURSOR_SECRET"]["value"] == "not set"
    assert rows["REGTRACE_STORE"] == {"name": "REGTRACE_STORE", "value": "(default) regtrace-store", "set": False,
                                      "default": "regtrace-store", "description": rows["REGTRACE_STORE"]["description"]}
    assert set(rows) == {v.name for v in variables()}


def test_a_bad_value_makes_a_command_exit_5_naming_it(tmp_path: Path) -> None:
    result = run("settings", REGTRACE_AUTH_CACHE_SECONDS="soon")
    assert result.returncode == 5
    assert "REGTRACE_AUTH_CACHE_SECONDS" in result.stderr and "Traceback" not in result.stderr


def test_the_markdown_table_is_printed_as_is() -> None:
    result = run("settings", "--markdown")
    assert result.returncode == 0, result.stderr
    assert result.stdout == markdown_table()
