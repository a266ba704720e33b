"""The cyclic garbage collector paused around work that makes tens of thousands of acyclic objects (a trace's
inputs read from the store, its rows; a load's validated rows and columns): it would scan them again and again
for nothing; reference counting still frees them."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off for the block; then what the block made and kept (the rows) joins the oldest
    generation (gc.freeze then gc.unfreeze: two list splices) instead of being scanned at once by a young
    collection of everything allocated meanwhile (a third of a second for a large tenant), and again by the
    next. Skipped when the caller keeps objects frozen (gc.unfreeze would release them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
