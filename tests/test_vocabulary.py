"""One vocabulary: every status, state and severity word users read comes from the ontology's SKOS schemes
(regtrace.labels), in the CLI, the dashboard and every export, in zh-TW and English.

Three checks: the schemes name exactly the values the code and the registers use; the dashboard's words are the
block generated from the ontology (and no such word is written elsewhere in i18n.js); and no source file writes
a word of its own for one of them — neither a competing word (已過期, a bare 逾期) nor a table of its own
mapping a status code to words.
"""

from __future__ import annotations

import importlib.util
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from regtrace.ontology.reading import RT
from regtrace.trace.due_diligence import CertStatus, FindingState
from regtrace.trace.model import STATUSES

from regtrace import labels

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "api" / "dashboard_ui" / "i18n.js"
SOURCES = ("regtrace", "exports", "api", "trace", "features", "graph", "loaders", "crosswalk")
OWN = {ROOT / "regtrace" / "labels.py", ROOT / "trace" / "vocabulary.py"}  # where the words are read
# Words that compete with the ontology's: expired is 已到期; stale evidence is 佐證過時, not 逾期 or 已逾期; an
# overdue finding is 逾期未改善; an open one 改善中, a closed one 已結案.
COMPETING = re.compile(r"已過期|已逾期|佐證資料已逾期|[\"'](?:逾期|未結|已結|過期)[\"']")
# Causes are phrases (checked for competing words only).
STATE_WORDS = ("status", "severity", "cert", "finding", "instrument", "contract")
CODES = "|".join(sorted({c for name in STATE_WORDS for c in labels.VOCABULARY[name]} - {"open"}, key=len,
                        reverse=True))
# trace/model.py's REASONS says why a status was decided ("stale": 佐證資料已過時 evidence exists but none is
# fresh): a reason code that shares a status's name, not a word for the status.
REASON_TABLE = ROOT / "trace" / "model.py"
# A literal table of words for a code: "expired": ("已過期", …) or "status.stale": ["逾期", …]
OWN_TABLE = re.compile(rf"[\"'](?:[a-z]+\.)?(?:{CODES})[\"']\s*:\s*[\(\[]?\s*[\"'][^\"']*[\u4e00-\u9fff]")


def test_the_schemes_hold_exactly_the_values_in_use() -> None:
    assert tuple(labels.STATUS) == STATUSES
    assert set(labels.CERT_STATUS) == set(typing.get_args(CertStatus))
    assert set(labels.FINDING_STATE) == set(typing.get_args(FindingState))
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    allowed = None
    for prop in shapes.subjects(SH.path, URIRef(RT.severity)):
        listed = shapes.value(prop, SH["in"])
        if listed is not None:
            allowed = [str(v) for v in shapes.items(listed) if isinstance(v, Literal)]
    assert allowed is not None and list(labels.SEVERITY) == allowed  # critical, high, medium, low
    for words in labels.VOCABULARY.values():
        assert all(zh and en and zh != en for zh, en in words.values())


def test_distinct_things_get_distinct_words() -> None:
    zh = {name: {code: w[0] for code, w in words.items()} for name, words in labels.VOCABULARY.items()}
    assert zh["status"]["stale"] != zh["finding"]["overdue"]
    assert zh["status"]["stale"] == "佐證過時" and zh["finding"]["overdue"] == "逾期未改善"
    assert zh["cert"]["expired"] == zh["contract"]["expired"] == "已到期"  # one word for expired
    assert zh["severity"] == {"critical": "重大", "high": "高", "medium": "中", "low": "低"}
    for name, words in zh.items():  # within one vocabulary, one word per state
        assert len(set(words.values())) == len(words), name


def _tool() -> Any:
    """tools/vocabulary_js.py, which writes the generated block."""
    spec = importlib.util.spec_from_file_location("vocabulary_js", ROOT / "tools" / "vocabulary_js.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dashboard_words_are_generated_from_the_ontology() -> None:
    tool = _tool()
    BEGIN, END, block, current = tool.BEGIN, tool.END, tool.block, tool.current
    text = I18N.read_text(encoding="utf-8")
    assert current(text) == block(), "run python tools/vocabulary_js.py --write"
    outside = text.replace(current(text), "")
    assert BEGIN not in outside and END not in outside
    keys = re.findall(rf"[\"']((?:{'|'.join(labels.VOCABULARY)})\.[a-z_]+)[\"']\s*:", outside)
    assert keys == [], f"i18n.js writes these words by hand: {keys}"


def _sources() -> list[Path]:
    found = []
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".js", ".html", ".feature", ".toml"} and path not in OWN:
                found.append(path)
    return found


@pytest.mark.parametrize("pattern", [COMPETING, OWN_TABLE], ids=["competing-words", "own-word-tables"])
def test_no_source_writes_its_own_status_words(pattern: re.Pattern[str]) -> None:
    generated = _tool().current(I18N.read_text(encoding="utf-8"))
    hits = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        if path == I18N:
            text = text.replace(generated, "")
        if path == REASON_TABLE and pattern is OWN_TABLE:
            text = re.sub(r"REASONS: dict.*?\n}\n", "", text, flags=re.S)
        for m in pattern.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            hits.append(f"{path.relative_to(ROOT)}:{line}: {m.group(0)}")
    assert hits == [], "words not from the ontology (use regtrace.labels):\n" + "\n".join(hits)


def test_the_cli_prints_the_ontology_words(tmp_path: Path) -> None:
    import datetime as dt

    from regtrace.trace.due_diligence import CertificationState, FindingStateRow
    from rich.console import Console

    from regtrace.cli.tables import certifications_table, findings_table

    console = Console(record=True, width=200)
    console.print(certifications_table([CertificationState("C1", "CSP1", "ISO27001", None, None, dt.date(2026, 8, 31),
                                                            "expired", -90)], "t"))
    console.print(findings_table([FindingStateRow("F1", "A1", "ARR-1", "critical", "overdue", dt.date(2026, 10, 31),
                                                  None, 29)], "t"))
    text = console.export_text()
    assert "已到期 expired" in text and "重大 critical" in text and "逾期未改善 overdue" in text
    assert not COMPETING.search(text)
