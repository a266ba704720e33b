"""Handing the memory the embedded engine freed back to the operating system.

LadybugDB allocates through the C library from several threads; on glibc the pages it frees stay in the
allocator's arenas (counted in the process's resident memory) until the next allocation of the same size
happens to reuse them. A load first writes the regulation into a new store and then builds the tenant's
columns and the engine's pages for a million rows: without trimming, the first write's freed pages are still
resident under the second's peak. `malloc_trim` returns every arena's free pages; elsewhere (another C
library, another system) this does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache
from typing import Any


@cache
def _trim() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def release_freed_memory() -> None:
    """Return the C library's free pages to the system (glibc only; otherwise nothing)."""
    trim = _trim()
    if trim is not None:
        trim(0)
