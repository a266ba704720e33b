"""What a process reads from the ontology's files is kept for the next one (regtrace.ontology.kept): the same
answer as reading the files, read again when they change, and never an obstacle when the folder is unusable."""

from __future__ import annotations

from pathlib import Path

import pytest
from regtrace.ontology import kept
from regtrace.ontology.reading import read_ontology
from regtrace.trace.vocabulary import read_scheme


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REGTRACE_CACHE", str(tmp_path))
    return tmp_path / "ontology"


def test_a_kept_ontology_is_the_one_read_from_the_files(cache: Path) -> None:
    first = kept.kept("ontology", read_ontology)
    again = kept.kept("ontology", lambda: pytest.fail("read again although kept"))
    assert again == first == read_ontology()
    assert kept.kept("scheme-TraceStatus", lambda: read_scheme("TraceStatus")) == read_scheme("TraceStatus")
    assert sorted(p.name.split("-")[0] for p in cache.iterdir()) == ["ontology", "scheme"]


def test_changed_files_are_read_again_and_the_old_answer_removed(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept.kept("words", lambda: ("old",))
    monkeypatch.setattr(kept, "digest", lambda: "another")
    assert kept.kept("words", lambda: ("new",)) == ("new",)
    assert [p.name for p in cache.iterdir()] == ["words-another.pickle"]


def test_an_unreadable_file_or_unwritable_folder_only_means_reading_the_files(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.mkdir()
    (cache / f"words-{kept.digest()}.pickle").write_bytes(b"not a pickle")
    assert kept.kept("words", lambda: ("read",)) == ("read",)
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("REGTRACE_CACHE", str(blocked))
    assert kept.kept("words", lambda: ("read",)) == ("read",)
    monkeypatch.setenv("REGTRACE_CACHE", "off")
    assert kept.kept("other", lambda: ("read",)) == ("read",)
    assert not (cache / f"other-{kept.digest()}.pickle").exists()
