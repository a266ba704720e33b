"""The scope an export states: which arrangements the trace examined and which it did not (and why), and the
registers it read with their row counts and a SHA-256 digest of what was loaded.

The store keeps the registers' rows, not the files they came from, so the digest is over the rows as loaded:
each row as canonical JSON (its register columns in the ontology's order, dates ISO 8601, references as the
sorted ids they name), each row's SHA-256, and the SHA-256 of those digests sorted — the same rows give the
same digest whatever their order or the store. Evidence (which may be a million items) is read page by page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from regtrace.graph.port import Row
from regtrace.ontology.model import ClassModel, load_ontology

from .data import ExportData, key_of


@dataclass(frozen=True)
class ArrangementScope:
    arrangement_id: str
    name: str
    csp: str
    start_date: dt.date | None
    end_date: dt.date | None
    material: bool
    in_scope: bool
    why: str  # zh-TW and English


@dataclass(frozen=True)
class RegisterScope:
    register: str  # the file stem / sheet name (arrangements, evidence, …)
    label: str  # zh-TW and English
    rows: int
    sha256: str


def arrangements(d: ExportData) -> list[ArrangementScope]:
    """Every arrangement of the tenant: those in effect on the as-of date first (in scope), then the others with
    the reason they are out of scope."""
    csp_of = d.csp_of
    csps = d.by_key("CloudServiceProvider")
    day = d.meta.as_of
    result = []
    for a in sorted(d.nodes.get("OutsourcingArrangement", []), key=lambda r: r["arrangement_id"]):
        aid = a["arrangement_id"]
        start, end = a.get("start_date"), a.get("end_date")
        csp = csp_of.get(aid) or ""
        csp_text = f"{csp} {csps[csp]['name']}" if csp in csps else csp
        if aid in d.active:
            why = "基準日有效 in effect on the as-of date"
        elif start is not None and start > day:
            why = f"基準日後始開始（{start.isoformat()}）starts after the as-of date, on {start.isoformat()}"
        else:
            ended = end.isoformat() if end else "?"
            why = (f"於基準日前結束（{ended}）；僅追溯終止後之資料刪除紀錄（第十條第一項第六款第二目）"
                   f" ended before the as-of date, on {ended}; traced only for the deletion record of A10.P1.I6.S2")
        result.append(ArrangementScope(aid, a["name"], csp_text, start, end, bool(a.get("material")),
                                       aid in d.active, why))
    return sorted(result, key=lambda s: (not s.in_scope, s.arrangement_id))


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def row_digest(row: Row, columns: Iterable[str], references: dict[str, list[str]]) -> bytes:
    """SHA-256 of one row: its columns' values (references: the sorted ids they name) as canonical JSON."""
    doc = {c: sorted(references.get(c, [])) if c in references else _canonical(row.get(c)) for c in columns}
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=False,
                                     separators=(",", ":")).encode()).digest()


def _digest(rows: Iterable[bytes]) -> str:
    return hashlib.sha256(b"".join(sorted(rows))).hexdigest()


def _references(d: ExportData, c: ClassModel) -> dict[str, dict[str, list[str]]]:
    """Reference column -> row uid -> the keys it names, from the links the export read."""
    relations = {r.name: r for r in load_ontology().relations if r.source == c.name}
    result: dict[str, dict[str, list[str]]] = {}
    for f in c.columns:
        rel = relations.get(f.name)
        if f.is_reference and rel is not None:
            result[f.column] = {s: [key_of(t) for t in ts] for s, ts in d.targets(rel.type, rel.source,
                                                                                   rel.target).items()}
    return result


def registers(d: ExportData) -> list[RegisterScope]:
    """Each register of the tenant with its row count and digest, in the ontology's order (computed once per
    export: the report and the workbook show the same)."""
    if ("scope-registers",) in d._cache:
        cached: list[RegisterScope] = d._cache[("scope-registers",)]
        return cached
    result = []
    for c in load_ontology().registers:
        if not c.tenant_scoped or c.name not in d.nodes:
            continue
        columns = [f.column for f in c.columns]
        if c.name == "Evidence":
            digests, count = _evidence_digests(d, columns)
        else:
            refs = _references(d, c)
            rows = d.nodes[c.name]
            digests = [row_digest(r, columns, {col: per.get(r["uid"], []) for col, per in refs.items()})
                       for r in rows]
            count = len(rows)
        result.append(RegisterScope(c.register or c.name, f"{c.label_zh} {c.label_en}", count, _digest(digests)))
    d._cache[("scope-registers",)] = result
    return result


def _evidence_digests(d: ExportData, columns: list[str]) -> tuple[list[bytes], int]:
    """Every evidence item's digest, streamed from the store (not the capped table)."""
    relation_of = {r.name: r.type for r in load_ontology().relations if r.source == "Evidence"}
    evidence = load_ontology().classes["Evidence"]
    digests: list[bytes] = []
    for page in d.evidence_pages():
        for r in page.rows:
            refs: dict[str, list[str]] = {}
            for f in evidence.columns:
                kind = relation_of.get(f.name)
                target = page.control_of.get(r["uid"]) if kind == "EVIDENCES" else (
                    page.arrangement_of.get(r["uid"]) if kind == "CONCERNS" else None)
                if f.is_reference:
                    refs[f.column] = [key_of(target)] if target else []
            digests.append(row_digest(r, columns, refs))
    return digests, len(digests)
