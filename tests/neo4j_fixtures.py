"""Pytest plugin: a real Neo4j server for the tests that need one (registered by tests/conftest.py).

Fixtures:
    neo4j_uri     (session)  NEO4J_URI when set (auth from NEO4J_USERNAME/NEO4J_PASSWORD), else a
                             server fetched and started by tools/neo4j_server.py and stopped with
                             SIGTERM at the end of the session.
    neo4j_driver  (session)  a neo4j.Driver connected to neo4j_uri.
    neo4j_clean   (function) the same driver, after wipe(): no nodes, constraints or indexes left.

When java or mvn is missing the fixtures skip, except under CI=true, where they fail: CI must
never pass by skipping the Neo4j tests.  Tests that use these fixtures get the `neo4j` marker.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import NoReturn

import neo4j_server
import pytest
from neo4j import Driver, GraphDatabase

NEO4J_FIXTURES = frozenset({"neo4j_uri", "neo4j_driver", "neo4j_clean"})
# fixtures that ask for the shared server at run time: store_pair opens a store of every kind, Neo4j included
SHARED_SERVER_AT_RUN_TIME = frozenset({"store_pair"})


# The shared server of a test session. Its CPU is most of the Neo4j tests' (measured on 56 of them, one process,
# load 5-7: 221 s of the server's CPU against ~35 s of the tests'), and two things took the larger part of it:
#   - the C2 compiler, 40 % of it (about 165 s of the 420 s the server used in the first 20 minutes of a whole
#     suite): SHORT_LIVED_FLAGS leaves the C1 compiler only, as for the crash trials' servers (221 s -> 151 s);
#   - planning the same queries again: each test wipes the data and writes a small graph of its own, and every
#     cached plan whose statistics moved by more than 75 % is planned again once 10 s have passed. The tests'
#     graphs are all small, so a plan is kept until the schema changes (151 s -> 113 s).
SHARED_SERVER_SETTINGS = ("dbms.cypher.statistics_divergence_threshold=1.0", "dbms.cypher.min_replan_interval=1h")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip for want of Neo4j; under CI=true fail instead."""
    if in_ci():
        pytest.fail(f"Neo4j is required under CI=true, but {reason}", pytrace=False)
    pytest.skip(f"no Neo4j server: {reason} (or set NEO4J_URI to a running server)")


def require_local_tools() -> None:
    """Skip (fail under CI) unless this machine can start a server: java, and mvn if not fetched yet."""
    need_mvn = not neo4j_server.is_fetched(neo4j_server.cache_dir())
    missing = neo4j_server.missing_tools(need_mvn=need_mvn)
    if missing:
        unavailable("; ".join(missing))


def neo4j_auth() -> tuple[str, str] | None:
    user, password = os.environ.get("NEO4J_USERNAME"), os.environ.get("NEO4J_PASSWORD")
    return (user, password) if user and password else None


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def wipe(driver: Driver) -> None:
    """Delete every node and relationship, then every constraint and index (but the built-in lookups)."""
    driver.execute_query("MATCH (n) DETACH DELETE n")
    for record in driver.execute_query("SHOW CONSTRAINTS YIELD name").records:
        driver.execute_query(f"DROP CONSTRAINT {_quote(record['name'])} IF EXISTS")
    indexes = driver.execute_query(
        "SHOW INDEXES YIELD name, type, owningConstraint WHERE type <> 'LOOKUP' AND owningConstraint IS NULL "
        "RETURN name"
    )
    for record in indexes.records:
        driver.execute_query(f"DROP INDEX {_quote(record['name'])} IF EXISTS")


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    given = os.environ.get("NEO4J_URI")
    if given:
        yield given
        return
    require_local_tools()
    try:
        server = neo4j_server.start(short_lived=True, settings=SHARED_SERVER_SETTINGS)
    except neo4j_server.Neo4jSetupError as error:
        pytest.fail(f"could not start Neo4j: {error}", pytrace=False)
    try:
        yield server.uri
    finally:
        neo4j_server.stop(server)


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_uri: str) -> Iterator[Driver]:
    with GraphDatabase.driver(neo4j_uri, auth=neo4j_auth()) as driver:
        driver.verify_connectivity()
        yield driver


@pytest.fixture
def neo4j_clean(neo4j_driver: Driver) -> Driver:
    wipe(neo4j_driver)
    return neo4j_driver


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the Neo4j tests, and group the tests for `pytest -n N --dist loadgroup` (as `make test` runs them).

    Every test that needs the shared Neo4j server (by its fixtures, by store_pair, or as the [neo4j] case of a
    test parametrised over the stores), and every test of a module named after Neo4j (those start and kill servers
    of their own), runs on one worker, so the suite starts one shared server, not one per worker (a test that
    opens a Neo4j store through open_store_of says so with usefixtures("neo4j_uri")). A module that names its own
    group (the Neo4j crash trial, which runs a server of its own for its whole length) keeps it, and runs beside
    the shared server's group. The other tests are grouped by module, so that a module's fixtures are built once.
    """
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("xdist_group"):
            continue
        if NEO4J_FIXTURES & fixtures or SHARED_SERVER_AT_RUN_TIME & fixtures:
            item.add_marker(pytest.mark.neo4j)
            item.add_marker(pytest.mark.xdist_group("neo4j"))
        elif "neo4j" in module.rsplit("/", 1)[-1] or "neo4j" in getattr(getattr(item, "callspec", None), "id", ""):
            # a module named after Neo4j, or a test parametrised over the stores (its [neo4j] case asks for the
            # server at run time)
            item.add_marker(pytest.mark.xdist_group("neo4j"))
        else:
            item.add_marker(pytest.mark.xdist_group(module))
