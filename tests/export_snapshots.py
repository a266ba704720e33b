"""Golden files for the export tests: each format reduced to stable text, compared with tests/snapshots/exports/.

Regenerate with REGTRACE_UPDATE_SNAPSHOTS=1. Volatile parts are normalised: the generator's version, the
store's path, the PDF's own dates; the charts (matplotlib's SVG paths) are replaced by a placeholder and
checked separately. Snapshots live in a folder per data source (the example insurer, or the small fallback).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from rdflib import Graph

from regtrace import __version__

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "exports"
VERSION = "<version>"
STORE = "<store>"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def need_tool(name: str) -> str:
    """The path of a command-line tool; skip without it (fail under CI=true, which installs it)."""
    path = shutil.which(name)
    if path is None:
        if in_ci():
            pytest.fail(f"{name} is required under CI=true (poppler-utils)", pytrace=False)
        pytest.skip(f"{name} not installed (poppler-utils)")
    return path


def normalise(text: str, store: str) -> str:
    if store:
        text = text.replace(store, STORE)
    return re.sub(rf"(?<![\d.]){re.escape(__version__)}(?![\d.])", VERSION, text)


def assert_snapshot(source: str, name: str, text: str) -> None:
    """Compare `text` with the golden file, or write it when REGTRACE_UPDATE_SNAPSHOTS=1."""
    path = SNAPSHOTS / source / name
    if os.environ.get("REGTRACE_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no golden file {path}: run the tests once with REGTRACE_UPDATE_SNAPSHOTS=1 and review it",
                    pytrace=False)
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        actual = path.with_suffix(path.suffix + ".actual")
        actual.write_text(text, encoding="utf-8")
        pytest.fail(f"{name} differs from its golden file {path} (this run's output: {actual}); if the change is "
                    "intended, rerun with REGTRACE_UPDATE_SNAPSHOTS=1", pytrace=False)


# The crosswalk sheet lists the shipped mapping sets (curated data, the same for every tenant): it is checked in
# tests/test_crosswalk_exports.py, and kept out of the golden files so a reworded rationale does not rewrite them.
UNSNAPSHOTTED_SHEETS = frozenset({"對照 Crosswalks"})


def xlsx_text(path: Path, store: str) -> str:
    """Per sheet: frozen cell, filter range, column widths and every non-empty cell with its fill."""
    wb = load_workbook(path)
    sheets: dict[str, Any] = {}
    for ws in wb.worksheets:
        if ws.title in UNSNAPSHOTTED_SHEETS:
            sheets[ws.title] = {"freeze": ws.freeze_panes, "filter": ws.auto_filter.ref}
            continue
        cells = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and c.fill.fill_type is None:
                    continue
                value = c.value.date().isoformat() if hasattr(c.value, "date") else c.value
                fill = c.fill.start_color.rgb if c.fill.fill_type == "solid" else None
                cells.append([c.coordinate, value, fill[-6:] if isinstance(fill, str) else None])
        sheets[ws.title] = {"freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
                            "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items())}, "cells": cells}
    return normalise(json.dumps(sheets, ensure_ascii=False, indent=1, default=str), store) + "\n"


def pdf_text(path: Path) -> str:
    """The PDF's text (pdftotext) without whitespace, in lines of 100 characters: line wrapping and spacing
    vary with font versions; the words and their order do not."""
    raw = subprocess.run([need_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = [re.sub(r"\s+", "", page) for page in raw.split("\f") if page.strip()]
    chunks = [f"--- page {i + 1}\n" + "\n".join(p[j:j + 100] for j in range(0, len(p), 100))
              for i, p in enumerate(pages)]
    return normalise("\n".join(chunks), "") + "\n"


def html_text(path: Path, store: str) -> str:
    text = re.sub(r"<svg\b.*?</svg>", "<svg>chart</svg>", path.read_text(encoding="utf-8"), flags=re.S)
    return normalise(text, store)


def ntriples(graph: Graph, store: str) -> str:
    """The graph as sorted N-Triples (a canonical text: the graph has no blank nodes)."""
    lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
    return normalise("\n".join(lines), store) + "\n"


def json_text(path: Path, store: str) -> str:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return normalise(json.dumps(doc, ensure_ascii=False, indent=1), store) + "\n"
