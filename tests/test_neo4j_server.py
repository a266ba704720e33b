"""The Neo4j test infrastructure itself: a real server starts, answers Bolt, and stops on SIGTERM."""

from __future__ import annotations

from pathlib import Path

import neo4j_server
import pytest
from neo4j import Driver, GraphDatabase
from neo4j_fixtures import require_local_tools, wipe

pytestmark = pytest.mark.neo4j


def test_driver_connects_to_the_session_server(neo4j_driver: Driver) -> None:
    neo4j_driver.verify_connectivity()
    records = neo4j_driver.execute_query("CALL dbms.components() YIELD name, versions RETURN name, versions").records
    assert records[0]["name"] == "Neo4j Kernel"


def test_parameterised_write_read_round_trip(neo4j_clean: Driver) -> None:
    clause = {"id": "§3.1", "title": "雲端服務委外之風險評估", "order": 7, "tags": ["cloud", "outsourcing"]}
    neo4j_clean.execute_query(
        "CREATE (c:Clause {id: $id, title: $title, order: $order, tags: $tags})"
        "-[:PART_OF {since: $since}]->(:Regulation {name: $regulation})",
        clause,
        since=2024,
        regulation="保險業作業委外使用雲端服務自律規範",
    )
    records = neo4j_clean.execute_query(
        "MATCH (c:Clause {id: $id})-[p:PART_OF]->(r:Regulation) RETURN c, p.since AS since, r.name AS name",
        id="§3.1",
    ).records
    assert len(records) == 1
    assert dict(records[0]["c"]) == clause
    assert records[0]["since"] == 2024
    assert records[0]["name"] == "保險業作業委外使用雲端服務自律規範"


def test_wipe_removes_data_constraints_and_indexes(neo4j_driver: Driver) -> None:
    neo4j_driver.execute_query("CREATE CONSTRAINT clause_id IF NOT EXISTS FOR (c:Clause) REQUIRE c.id IS UNIQUE")
    neo4j_driver.execute_query("CREATE INDEX clause_title IF NOT EXISTS FOR (c:Clause) ON (c.title)")
    neo4j_driver.execute_query("CREATE (:Clause {id: 'x', title: 't'})-[:CITES]->(:Clause {id: 'y'})")
    wipe(neo4j_driver)
    assert neo4j_driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"] == 0
    assert neo4j_driver.execute_query("SHOW CONSTRAINTS").records == []
    left = neo4j_driver.execute_query("SHOW INDEXES YIELD type RETURN collect(type) AS types").records[0]
    assert set(left["types"]) <= {"LOOKUP"}


def test_sigterm_stops_a_second_server(neo4j_uri: str, tmp_path: Path) -> None:
    require_local_tools()
    server = neo4j_server.start(tmp_path / "second")
    try:
        assert server.uri != neo4j_uri
        with GraphDatabase.driver(server.uri, auth=None) as driver:
            value = driver.execute_query("RETURN $x + 1 AS y", x=41).records[0]["y"]
        assert value == 42
        assert server.process is not None and server.process.poll() is None
    except BaseException:
        neo4j_server.stop(server)
        raise
    exit_code = neo4j_server.stop(server, grace=30.0)  # SIGTERM; SIGKILL only after 30 s
    assert exit_code == 0, f"not a clean SIGTERM shutdown; tail of the log:\n{neo4j_server.log_tail(server.log_file)}"
    assert "Stopped." in server.log_file.read_text()
    assert not neo4j_server.port_open(server.port)
    assert (tmp_path / "second" / "logs").is_dir(), "a home given by the caller is kept"
