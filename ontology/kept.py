"""What a process reads from regtrace's own ontology files, kept on disk for the next process.

Reading the ontology (rdflib parsing two Turtle files, then walking the graph) takes about half a second of CPU,
the largest part of opening a store and tracing in a new process. `kept(name, read)` returns `read()` and keeps it
in the folder REGTRACE_CACHE (settings) under a name holding the SHA-256 of the ontology files and of the modules
that read them: any change to either is a new name, so a kept answer is never an old one. A folder that cannot be
written, or a file that cannot be read, only means reading the files again; `off` keeps nothing.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TypeVar

from regtrace.errors import ConfigError
from regtrace.settings import current

T = TypeVar("T")
_SOURCES = ("regtrace.ttl", "shapes.ttl", "model.py", "reading.py")  # in regtrace.ontology
_READERS = (("regtrace.trace", "vocabulary.py"),)


@cache
def digest() -> str:
    """SHA-256 of the ontology files and of the modules that read them."""
    h = hashlib.sha256()
    parts = [files("regtrace.ontology").joinpath(name) for name in _SOURCES]
    parts += [files(package).joinpath(name) for package, name in _READERS]
    for part in parts:
        h.update(part.read_bytes())
    return h.hexdigest()


def folder() -> Path | None:
    """The folder (None: keep nothing). Settings that do not parse keep nothing here: the command that reads them
    says what is wrong (this runs while modules are imported, before it can)."""
    try:
        where = current().cache
    except ConfigError:
        return None
    return None if where.lower() == "off" else Path(where).expanduser() / "ontology"


def kept(name: str, read: Callable[[], T]) -> T:
    """read(), or what a previous process kept of it for the same ontology files."""
    base = folder()
    if base is None:
        return read()
    path = base / f"{name}-{digest()}.pickle"
    try:
        with path.open("rb") as f:
            value: T = pickle.load(f)  # a file this user's processes wrote, named by the digest
        return value
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    value = read()
    temporary: str | None = None
    try:
        base.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=base, delete=False, suffix=".tmp") as f:
            temporary = f.name
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        temporary = None
        for old in base.glob(f"{name}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    return value
