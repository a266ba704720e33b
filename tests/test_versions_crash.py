"""A real `regtrace adopt` killed with SIGKILL mid-write leaves the embedded store exactly as it was (counts and
digests of every tenant's rows and of the shared rows, every tenant's trace, one version), and the adopt can be
run again. The kill points are those of tests/test_crash_ladybug.py: when the write's staging folder appears and
when its WAL does (the new version being written)."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from crash_fixtures import Zygote, regtrace, state_of, wait_for
from regtrace.graph.ladybug_store import LadybugStore
from test_versions import AMENDED, _registers

from regtrace.seed import install_seed
from regtrace.versions import VersionBook


def _staging_has(folder: Path, name: str) -> bool:
    return any((s / name).exists() for s in folder.glob("staging-*"))


@pytest.mark.parametrize("point", ["graph.lbdb", "graph.lbdb.wal"])
def test_a_killed_adopt_leaves_the_store_as_it_was(tmp_path: Path, point: str) -> None:
    folder = tmp_path / "store"
    with LadybugStore(folder) as store:
        install_seed(store)
        _registers(store)
        before = state_of(store)
    zygote = Zygote()
    try:
        pid = zygote.start("--store", str(folder), "adopt", str(AMENDED), "--effective-from", "2027-01-01",
                           "--version", "2027")
        reached = wait_for(lambda: _staging_has(folder, point), zygote)
        os.kill(pid, signal.SIGKILL)
        status = zygote.exited(timeout=60)
        assert reached, "the adopt ended before the kill point"
        assert status is not None and os.WIFSIGNALED(status)
    finally:
        zygote.close()
    with LadybugStore(folder, create=False) as store:
        assert state_of(store) == before
        assert [v.label for v in VersionBook.read(store).versions] == ["seed"]
    regtrace("adopt", str(AMENDED), "--effective-from", "2027-01-01", "--version", "2027", store=folder)
    with LadybugStore(folder, create=False) as store:
        assert [v.label for v in VersionBook.read(store).versions] == ["seed", "2027"]
    shutil.rmtree(folder, ignore_errors=True)
