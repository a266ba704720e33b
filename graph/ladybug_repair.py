"""What `regtrace doctor` checks and repairs in an embedded store's folder (the files; the data is read through
the port): a torn or dangling pointer, staging folders and pointer temp files left by a kill, generations no
process reads, an old-layout database whose WAL cannot be replayed."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from pathlib import Path

from regtrace.errors import RegtraceError

from .generations import DB_FILE, WRITER_LOCK, Layout
from .ladybug_connection import LadybugConnection


def writer_busy(folder: Path) -> bool:
    """Another process is writing right now (its staging folder is work in progress, not a leftover)."""
    lock = folder / WRITER_LOCK
    if not lock.exists():
        return False
    with open(lock, "rb") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


def problems(folder: Path) -> list[str]:
    """What is wrong with the folder's files (empty when healthy)."""
    layout = Layout(folder)
    found = layout.inspect()
    wrong: list[str] = []
    if found.pointer_problem:
        wrong.append(found.pointer_problem)
    elif found.current is None and found.generations:
        wrong.append("no CURRENT pointer though generations exist (a first write was interrupted)")
    if found.legacy_database and found.current is None:
        wrong.append(f"{DB_FILE} in the old layout, not yet adopted as a generation")
    if writer_busy(folder):
        return wrong  # a write is under way: its staging folder is not a leftover
    wrong += [f"staging folder {name} left by an interrupted write" for name in found.stale_staging]
    if found.pointer_temp:
        wrong.append("CURRENT.tmp left by an interrupted write")
    for n in found.stale_generations:
        if not _read_now(layout, n):
            what = "newer than the published one, never published" if found.current and n > found.current \
                else "older than the published one, read by no process"
            wrong.append(f"generation {n} {what}")
    return wrong


def _read_now(layout: Layout, n: int) -> bool:
    lock = layout.generation_dir(n) / "READERS"
    try:
        handle = open(lock, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return False
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def repair(folder: Path) -> list[str]:
    """Fix what can be fixed, under the writer lock; returns what was done, in words."""
    layout = Layout(folder)
    done: list[str] = []
    with layout.writer():
        found = layout.inspect()
        if found.current is None and found.generations:
            chosen = _newest_that_opens(layout, found.generations)
            if chosen is not None:
                layout.write_pointer(chosen)
                done.append(f"pointed CURRENT at generation {chosen}, the newest complete one")
        elif found.current is None and found.legacy_database:
            done += _adopt_with_wal_set_aside(layout)
        current = layout.read_pointer() if not layout.inspect().pointer_problem else None
        if current is not None:
            done += [f"removed {what}" for what in layout.remove_leftovers(current)]
    return done


def _newest_that_opens(layout: Layout, numbers: list[int]) -> int | None:
    for n in sorted(numbers, reverse=True):
        try:
            LadybugConnection(layout.database(n), read_only=True).close()
        except RegtraceError:
            continue
        return n
    return None


def _adopt_with_wal_set_aside(layout: Layout) -> list[str]:
    """An old-layout database that will not open (a torn WAL): set the WAL aside, keeping it, so the database
    opens at its last checkpoint; the next open adopts it as generation 1."""
    done: list[str] = []
    try:
        LadybugConnection(layout.folder / DB_FILE, read_only=False).close()
    except RegtraceError as exc:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        for wal in [p for p in layout.folder.glob(f"{DB_FILE}.*") if ".set-aside-" not in p.name]:
            aside = wal.with_name(f"{wal.name}.set-aside-{stamp}")
            os.rename(wal, aside)
            done.append(f"set {wal.name} aside as {aside.name} ({exc}); the store opens at its last checkpoint, "
                        "so writes made after it are lost: load the registers again")
    return done
