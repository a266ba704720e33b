"""The embedded store's folder as copy-on-write generations: what makes a write all-or-nothing across a kill.

    <store>/CURRENT              the published generation's number (replaced atomically, never edited)
    <store>/WRITER               lock file: one writer at a time, across processes (fcntl.flock, exclusive)
    <store>/generations/<n>/     one complete LadybugDB database, never changed once published
    <store>/generations/<n>/READERS   lock file: every process reading generation n holds a shared flock on it
    <store>/staging-<n>-<pid>/   the next generation while a write builds it (removed if the writer dies)

A write takes WRITER, copies the published generation into a staging folder, applies itself there, checkpoints
and closes it (no WAL left), fsyncs it, renames it to generations/<n+1> and then replaces CURRENT (temp file,
fsync, os.replace, fsync of the folder). A kill before the replace leaves CURRENT naming the old generation,
untouched; after it, the new one, complete. Readers open the published generation read-only and follow CURRENT
when it changes. Old generations go once no process holds their READERS lock. This module is the file-system
half (no database calls); graph/ladybug_store.py opens the databases.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from regtrace.errors import StoreError

DB_FILE = "graph.lbdb"
POINTER = "CURRENT"
POINTER_TEMP = "CURRENT.tmp"
WRITER_LOCK = "WRITER"
READERS_LOCK = "READERS"
GENERATIONS = "generations"
STAGING_PREFIX = "staging-"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class Inspection:
    """What is in a store folder, for `regtrace doctor`: the published generation and what is left over."""

    current: int | None
    pointer_problem: str | None
    generations: list[int]
    stale_staging: list[str] = field(default_factory=list)
    stale_generations: list[int] = field(default_factory=list)
    pointer_temp: bool = False
    legacy_database: bool = False


class Layout:
    """Paths and file operations of one store folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.generations = folder / GENERATIONS

    # -- reading the pointer -------------------------------------------------------------------------------

    def exists(self) -> bool:
        """A store is here: a published generation, an interrupted first publication, or the old layout."""
        return (self.folder / POINTER).exists() or bool(self.generation_numbers()) or self.legacy_exists()

    def legacy_exists(self) -> bool:
        """The layout before generations: the database file directly in the folder."""
        return (self.folder / DB_FILE).exists()

    def read_pointer(self) -> int | None:
        """The published generation, None when there is no pointer; StoreError when it is unreadable."""
        path = self.folder / POINTER
        try:
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"the store pointer {path} cannot be read: {exc}; run `regtrace doctor --repair`") \
                from exc
        if not text.strip().isdigit():
            raise StoreError(f"the store pointer {path} holds {text[:40]!r}, not a generation number; "
                             "run `regtrace doctor --repair`")
        return int(text.strip())

    def pointer_stamp(self) -> tuple[int, int, int] | None:
        """A cheap fingerprint of CURRENT (inode, size, mtime): it changes whenever a writer replaces it."""
        try:
            st = os.stat(self.folder / POINTER)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def generation_dir(self, n: int) -> Path:
        return self.generations / str(n)

    def database(self, n: int) -> Path:
        return self.generation_dir(n) / DB_FILE

    def generation_numbers(self) -> list[int]:
        if not self.generations.is_dir():
            return []
        return sorted(int(p.name) for p in self.generations.iterdir() if p.name.isdigit())

    # -- locks ---------------------------------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[None]:
        """The one writer's turn: blocks while another process writes."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / WRITER_LOCK, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def pin(self, n: int) -> IO[bytes] | None:
        """A shared lock on generation n's READERS file (held while the generation is open), or None when the
        generation is gone (removed as old between reading the pointer and pinning it)."""
        try:
            handle = open(self.generation_dir(n) / READERS_LOCK, "rb")  # noqa: SIM115 - held open while pinned
        except FileNotFoundError:
            return None
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        if not self.database(n).exists():
            handle.close()
            return None
        return handle

    # -- writing -------------------------------------------------------------------------------------------

    def new_staging(self, n: int) -> Path:
        staging = self.folder / f"{STAGING_PREFIX}{n}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        (staging / READERS_LOCK).touch()
        return staging

    def copy_database(self, source: int, staging: Path) -> None:
        """The published generation's database file into the staging folder (the whole cost of copy-on-write)."""
        shutil.copyfile(self.database(source), staging / DB_FILE)

    def publish(self, staging: Path, n: int) -> None:
        """Make a complete staging folder generation n and point CURRENT at it; each step durable before the next."""
        for entry in staging.iterdir():
            if entry.name != READERS_LOCK and entry.name != DB_FILE:
                raise StoreError(f"the new generation left {entry.name} behind (the database did not close "
                                 "cleanly); nothing was published")
        fsync_file(staging / DB_FILE)
        fsync_dir(staging)
        self.generations.mkdir(exist_ok=True)
        os.rename(staging, self.generation_dir(n))
        fsync_dir(self.generations)
        fsync_dir(self.folder)
        self.write_pointer(n)

    def write_pointer(self, n: int) -> None:
        temp = self.folder / POINTER_TEMP
        with open(temp, "wb") as handle:
            handle.write(f"{n}\n".encode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.folder / POINTER)
        fsync_dir(self.folder)

    def adopt_legacy(self) -> None:
        """Move the old layout's database (already checkpointed, no WAL) in place as generation 1."""
        first = self.generation_dir(1)
        first.mkdir(parents=True, exist_ok=True)
        (first / READERS_LOCK).touch()
        fsync_dir(first)
        os.rename(self.folder / DB_FILE, first / DB_FILE)
        fsync_dir(first)
        fsync_dir(self.generations)
        fsync_dir(self.folder)
        self.write_pointer(1)

    # -- what is left over ---------------------------------------------------------------------------------

    def inspect(self) -> Inspection:
        problem = None
        try:
            current = self.read_pointer()
        except StoreError as exc:
            current, problem = None, str(exc)
        numbers = self.generation_numbers()
        if current is not None and current not in numbers:
            problem, current = f"CURRENT names generation {current}, which is not in {self.generations}", None
        found = Inspection(current, problem, numbers)
        found.stale_staging = sorted(p.name for p in self.folder.glob(f"{STAGING_PREFIX}*"))
        found.stale_generations = [n for n in numbers if current is not None and n != current]
        found.pointer_temp = (self.folder / POINTER_TEMP).exists()
        found.legacy_database = self.legacy_exists()
        return found

    def remove_leftovers(self, current: int) -> list[str]:
        """Under the writer lock: remove staging folders (their writer is dead or is us, finished), generations
        newer than the published one (a kill between rename and pointer) and older ones no process reads.
        Returns what was removed."""
        removed: list[str] = []
        for staging in self.folder.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(staging, ignore_errors=True)
            removed.append(staging.name)
        temp = self.folder / POINTER_TEMP
        if temp.exists():
            temp.unlink()
            removed.append(POINTER_TEMP)
        for n in self.generation_numbers():
            if n > current and self._remove_unread(n):
                removed.append(f"{GENERATIONS}/{n} (never published)")
            elif n < current and self._remove_unread(n):
                removed.append(f"{GENERATIONS}/{n} (old)")
        return removed

    def _remove_unread(self, n: int) -> bool:
        lock = self.generation_dir(n) / READERS_LOCK
        try:
            handle = open(lock, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            shutil.rmtree(self.generation_dir(n), ignore_errors=True)
            return True
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # a process still reads it; the next writer tries again
            shutil.rmtree(self.generation_dir(n), ignore_errors=True)
        return True
