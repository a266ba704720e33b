"""A load's batches with the cyclic collector paused (graph/neo4j_generations.py): the garbage of a batch is
collected after it even when another batch's collection promoted it while it was still in flight."""

from __future__ import annotations

import gc
import weakref

from regtrace.graph.neo4j_generations import batches_collected, collect_batch


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_a_batch_cycle_promoted_while_in_flight_is_collected_after_it() -> None:
    enabled = gc.isenabled()
    gc.disable()
    try:
        with batches_collected():
            in_flight = _Node()
            gone = weakref.ref(in_flight)
            gc.collect(0)  # another session's batch ends meanwhile: its collection promotes this one's objects
            gc.collect(1)
            del in_flight  # this batch ends
            collect_batch()
            assert gone() is None
        assert gc.get_freeze_count() == 0
    finally:
        if enabled:
            gc.enable()


def test_what_exists_before_the_batches_is_left_out_of_their_collections() -> None:
    enabled = gc.isenabled()
    gc.disable()
    try:
        before = _Node()
        kept = weakref.ref(before)
        del before  # garbage made before the batches: frozen with the rest, freed after them
        with batches_collected():
            collect_batch()
            assert kept() is not None
        gc.collect()
        assert kept() is None
    finally:
        if enabled:
            gc.enable()


def test_with_the_collector_running_nothing_is_frozen() -> None:
    assert gc.isenabled()
    with batches_collected():
        assert gc.get_freeze_count() == 0
        collect_batch()
