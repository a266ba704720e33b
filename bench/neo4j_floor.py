"""What Neo4j's server alone needs to create a tenant's evidence nodes: the floor under a Neo4j load.

    .venv/bin/python bench/neo4j_floor.py                  # a fresh server (4 GB heap, 2 GB page cache), 1M nodes
    .venv/bin/python bench/neo4j_floor.py --rows 200000 --uri bolt://127.0.0.1:7687   # a running, empty server

The nodes are made by the server itself (`UNWIND range(...)`, values built in Cypher: nothing is sent per row),
in batches of 10,000 rows, each batch its own transaction, from two sessions at once (as a load writes by
default), with the nine properties of an evidence item and its generation:

* `bare`: a label with no constraint and no index;
* `indexed`: a label with what the store puts on a tenant's evidence (graph/neo4j_queries.py `schema_items`):
  a uniqueness constraint on (uid, generation) and a range index on (tenant, generation).

A load also sends every row from the client and links each node to its control and arrangement, so a load
cannot be faster than `indexed`; issue 13 asks Neo4j's load to be within 2x of LadybugDB's whole load of the
same rows (bench_stores.py). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import neo4j

ROOT = Path(__file__).resolve().parent.parent
BATCH = 10_000
SESSIONS = 2
NODE = ("UNWIND range($first, $last) AS i CREATE (:{label} {{uid: 'floor/EV' + toString(i), "
        "evidence_id: 'EV' + toString(i), collected_on: date('2026-01-01') + duration({{days: i % 700}}), "
        "valid_until: date('2027-01-01'), title: '佐證 ' + toString(i), "
        "uri: 'https://grc.example.com.tw/evidence/EV' + toString(i), "
        "sha256: '5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9', tenant: 'floor', extra: null, "
        "generation: 1}})")
INDEXES = ("CREATE CONSTRAINT floor_unique IF NOT EXISTS FOR (n:FloorIndexed) REQUIRE (n.uid, n.generation) IS UNIQUE",
           "CREATE INDEX floor_tenant IF NOT EXISTS FOR (n:FloorIndexed) ON (n.tenant, n.generation)")


def create(driver: neo4j.Driver, label: str, rows: int) -> float:
    """Seconds to create `rows` nodes of `label` from SESSIONS sessions, batch by batch."""
    statement = NODE.format(label=label)
    starts = list(range(0, rows, BATCH))

    def batch(tx: neo4j.ManagedTransaction, first: int) -> None:
        tx.run(statement, first=first, last=min(first + BATCH, rows) - 1).consume()

    def lane(k: int) -> None:
        with driver.session() as session:
            for first in starts[k::SESSIONS]:
                session.execute_write(batch, first)

    started = time.perf_counter()
    with ThreadPoolExecutor(SESSIONS) as pool:
        list(pool.map(lane, range(SESSIONS)))
    return time.perf_counter() - started


def measure(uri: str, rows: int) -> dict[str, float]:
    with neo4j.GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver:
        with driver.session() as session:
            for statement in INDEXES:
                session.run(statement).consume()
            session.run("CALL db.awaitIndexes()").consume()
        create(driver, "FloorWarmUp", min(rows, 100_000))  # the server's compilers warm, as in a load
        return {"bare_s": round(create(driver, "FloorBare", rows), 2),
                "indexed_s": round(create(driver, "FloorIndexed", rows), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--uri", help="a running server with no such labels (default: start a fresh one)")
    parser.add_argument("--neo4j-heap", default="4g")
    parser.add_argument("--neo4j-pagecache", default="2g")
    args = parser.parse_args()
    result: dict[str, object] = {"rows": args.rows, "sessions": SESSIONS, "load_average": os.getloadavg()[0]}
    if args.uri:
        result.update(measure(args.uri, args.rows))
    else:
        sys.path.insert(0, str(ROOT / "tools"))
        import neo4j_server

        neo4j_server.HEAP_INITIAL = neo4j_server.HEAP_MAX = args.neo4j_heap
        neo4j_server.PAGE_CACHE = args.neo4j_pagecache
        server = neo4j_server.start(timeout=180.0)
        try:
            result.update(measure(server.uri, args.rows), heap=args.neo4j_heap, pagecache=args.neo4j_pagecache)
        finally:
            neo4j_server.stop(server)
    result["load_average_after"] = os.getloadavg()[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
