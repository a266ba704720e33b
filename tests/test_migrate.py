"""`regtrace migrate`: LadybugDB -> Neo4j -> LadybugDB loses nothing (equal counts and checksums per label and
type), a non-empty target is refused unless replaced, and the command prints the comparison."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conformance_data import install, typed
from neo4j import Driver
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Store, Writer
from regtrace.graph.schema import store_schema
from store_fixtures import StoreFactory, wipe_data
from typer.testing import CliRunner

from regtrace import cli
from regtrace.errors import InputError
from regtrace.migrate import checksum, contents, migrate


def _odd_rows(store: Store) -> None:
    """Rows of the labels no register fills, with empty strings and a non-ASCII value."""
    def blank(label: str) -> dict[str, object]:
        return {n: None for n in store_schema().nodes[label].names}

    token = {**blank("ApiToken"), "uid": "tok1", "token_id": "tok1", "name": "", "revoked": False}
    change = {**blank("ChangeLogEntry"), "uid": "ch1", "change_id": "ch1", "before": "", "after": "稽核 {\"a\": 1}"}

    def unit(w: Writer) -> None:
        w.upsert_nodes("ApiToken", [token])
        w.upsert_nodes("ChangeLogEntry", [change])

    store.write(unit)


@pytest.mark.usefixtures("neo4j_uri")  # opens a Neo4j store: runs with the shared server
def test_ladybug_to_neo4j_and_back_loses_nothing(open_store_of: StoreFactory, tmp_path: Path) -> None:
    first = open_store_of("ladybug")
    install(first)
    _odd_rows(first)
    middle = open_store_of("neo4j")
    there = migrate(first, middle)
    assert there.ok, [t for t in there.tallies if not t.equal]
    back = migrate(middle, LadybugStore(tmp_path / "back"))
    assert back.ok
    assert [t.source_checksum for t in back.tallies] == [t.source_checksum for t in there.tallies]
    counts = {t.name: t.target_count for t in back.tallies}
    assert counts["Provision"] > 100 and counts["Evidence"] == 7 and counts["REFERENCES"] == 3
    assert counts["ChangeLogEntry"] == 1


def test_a_non_empty_target_is_refused_unless_replaced(store_pair: dict[str, Store]) -> None:
    source, target = store_pair["ladybug"], store_pair["neo4j"]
    install(source)
    _odd_rows(target)
    with pytest.raises(InputError, match="not empty"):
        migrate(source, target)
    assert target.count("Provision") == 0, "a refused migration writes nothing"
    report = migrate(source, target, replace=True)
    assert report.ok
    assert typed(contents(target)) == typed(contents(source))
    assert target.count("ApiToken") == 0, "replace empties the target first"


def test_checksums_tell_a_date_from_its_iso_string() -> None:
    assert checksum([{"d": dt.date(2026, 1, 2)}]) != checksum([{"d": "2026-01-02"}])
    assert checksum([{"a": 1}, {"a": 2}]) == checksum([{"a": 2}, {"a": 1}])


@pytest.mark.neo4j
def test_the_command_prints_the_comparison(tmp_path: Path, neo4j_uri: str, neo4j_driver: Driver) -> None:
    folder = tmp_path / "embedded"
    with LadybugStore(folder) as store:
        install(store)
    wipe_data(neo4j_driver)
    runner = CliRunner()
    result = runner.invoke(cli.app, ["--store", str(folder), "migrate", "--to", neo4j_uri, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] and {t["name"] for t in report["tallies"]} >= {"Provision", "SATISFIES"}
    again = runner.invoke(cli.app, ["--store", str(folder), "migrate", "--to", neo4j_uri])
    assert isinstance(again.exception, InputError) and "--replace" in str(again.exception)
    table = runner.invoke(cli.app, ["--store", str(folder), "migrate", "--to", neo4j_uri, "--replace"])
    assert table.exit_code == 0, table.output
    assert "Provision" in table.output and "✓" in table.output and "✗" not in table.output
