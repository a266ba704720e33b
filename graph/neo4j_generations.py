"""A tenant's registers on Neo4j as generations: how a load stays all or nothing without one giant transaction.

Every node of a tenant's registers carries a `generation`; one small node per tenant names the published one
(graph/neo4j_queries.py, "generations"), and every read keeps only that one. A load:

1. claims the next generation number in one small transaction (any load of the tenant that claimed a lower
   number can no longer publish: the newest load wins) and removes what loads that died or lost left behind;
2. writes the new registers into the claimed generation in batches, each batch its own transaction;
3. publishes it in one small transaction: the pointer names the new generation, on condition that no other
   load claimed a later number and no change was made in place (through the API) since the claim, so that
   nothing acknowledged is overwritten unseen; otherwise nothing is published and the load fails;
4. removes the old generation, in batches.

A failure or a kill (of the loading process or of the server) at any batch before step 3 leaves the pointer
naming the previous generation, which is what every reader still sees; the staged nodes are removed at once
when the load can, else by the next load. After step 3 the new registers are published whole.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import ManagedTransaction

from regtrace.errors import StoreChangedError

from . import neo4j_queries as q
from .port import Row
from .schema import NodeSchema, store_schema

Run = Callable[[str, Mapping[str, Any]], list[Row]]
log = logging.getLogger(__name__)


def _scoped() -> list[NodeSchema]:
    return [node for node in store_schema().nodes.values() if node.tenant_scoped]


def collect_batch() -> None:
    """After a batch's transaction: a load pauses the collector, and each batch leaves the driver's cycles behind
    (~8,000 objects per batch of 10,000 rows: at 1M, 0.9 GB held until the load ended). A full collection: a
    younger one would promote the objects of a batch still in flight on another session (graph/neo4j_lanes.py),
    whose cycles no younger collection then finds (1.2 GB at 1M from two sessions); it is cheap because what
    existed before the batches is frozen (`batches_collected`)."""
    if not gc.isenabled():
        gc.collect()


@contextmanager
def batches_collected() -> Iterator[None]:
    """Around a load's batches while the collector is paused: the objects made before are frozen (left out of
    every collection until the block ends), so that each batch's full collection looks at the batches' objects
    alone (~100 objects, not the load's ~90,000)."""
    if gc.isenabled():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def removal_order() -> list[NodeSchema]:
    """The tenant-scoped labels, each before the labels its relationships point to: a node is removed after the
    nodes that link to it, so that removing it removes few links. (Controls removed before their evidence took
    a million links into one transaction, over a 4 GB server's transaction memory.) Labels in a cycle, if the
    schema ever has one, in the schema's order."""
    schema = store_schema()
    pending = [node.label for node in _scoped()]
    points_to = {label: {r.target for r in schema.relationships if r.source == label and r.target != label}
                 for label in pending}
    order: list[str] = []
    while pending:
        free = [label for label in pending if not any(label in points_to[other] for other in pending)]
        for label in free or pending[:1]:
            order.append(label)
            pending.remove(label)
    return [schema.nodes[label] for label in order]


def remove_old(session: neo4j.Session, tenant: str, *, below: int, keep: int) -> None:
    """Remove every generation of `tenant` numbered below `below` except `keep`, REMOVE_BATCH nodes per
    transaction, the nodes that link to others first (`removal_order`)."""
    batch = q.REMOVE_BATCH
    parameters = {"tenant": tenant, "below": below, "keep": keep, "batch": batch}
    for node in removal_order():
        statement = q.remove_generations(node)
        while session.execute_write(_removed, statement, parameters) == batch:
            pass


def _removed(tx: ManagedTransaction, statement: str, parameters: Mapping[str, Any]) -> int:
    return int(tx.run(statement, dict(parameters)).single(strict=True)["removed"])


def adopt_legacy(session: neo4j.Session) -> None:
    """A store written before generations: each tenant's register nodes become its published generation 0."""
    for node in _scoped():
        session.run(q.legacy_pointers(node)).consume()
        session.run(q.adopt_legacy(node)).consume()


def _publish(tx: ManagedTransaction, tenant: str, generation: int, version: int) -> int | None:
    record = tx.run(q.PUBLISH, {"tenant": tenant, "generation": generation, "version": version}).single()
    if record is None:
        return None
    tx.run(q.BUMP_VERSION).consume()
    return int(record["previous"])


def _discard(session: neo4j.Session, tenant: str, generation: int) -> None:
    """Best effort after a failed load: remove its staged generation (a dead server leaves it to the next load)."""
    try:
        current = session.execute_read(lambda tx: tx.run(q.CURRENT_GENERATION, {"tenant": tenant}).single())
        keep = int(current["current"]) if current is not None else -1
        remove_old(session, tenant, below=generation + 1, keep=keep)
    except Exception as exc:  # the load's own error is what the caller must see
        log.warning("the staged registers of %r stay until the next load: %s", tenant, exc)


def tidy(session: neo4j.Session, tenant: str) -> None:
    """Step 1 alone, for a reload with nothing to write: claim a number (a load that claimed a lower one can no
    longer publish) and remove what loads that died or lost left behind; the published generation stays."""
    claim = session.execute_write(lambda tx: tx.run(q.CLAIM, {"tenant": tenant}).single(strict=True).data())
    remove_old(session, tenant, below=int(claim["claimed"]), keep=int(claim["current"]))


def replace(session: neo4j.Session, tenant: str, write: Callable[[Run, int], None]) -> None:
    """Replace the registers of `tenant` with what `write(run, generation)` writes through `run` (one
    transaction per statement) into `generation`; see the module's text for the steps."""
    claim = session.execute_write(lambda tx: tx.run(q.CLAIM, {"tenant": tenant}).single(strict=True).data())
    generation, current, version = int(claim["claimed"]), int(claim["current"]), int(claim["version"])
    remove_old(session, tenant, below=generation, keep=current)

    def run(statement: str, parameters: Mapping[str, Any]) -> list[Row]:
        rows: list[Row] = session.execute_write(lambda tx: tx.run(statement, dict(parameters)).data())
        collect_batch()
        return rows

    try:
        with batches_collected():
            write(run, generation)
        previous = session.execute_write(_publish, tenant, generation, version)
    except BaseException:
        _discard(session, tenant, generation)
        raise
    if previous is None:
        _discard(session, tenant, generation)
        raise StoreChangedError(
            f"the registers of {tenant!r} changed while this load was writing (another load, or a change made "
            "through the API); nothing of this load was kept: load again")
    try:
        remove_old(session, tenant, below=generation, keep=generation)
    except Exception as exc:  # published: the old generation is unread, the next load removes it
        log.warning("the previous registers of %r stay until the next load: %s", tenant, exc)
