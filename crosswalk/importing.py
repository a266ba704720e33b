"""Reading a mapping set to import — a CSV file (columns source, target, relationship, rationale; optional
rationale_type, strength, confidence, reviewed_by; the target as FRAMEWORK:ID) or an OSCAL 1.2 mapping
collection (JSON) — validated whole: every problem is reported with its file, row (or JSON path) and column,
and nothing is written unless there are none.

Relationships take the OLIR words (equal, subset, superset, intersect) or OSCAL's (equal-to, subset-of,
superset-of, intersects-with). A target in a framework the store already catalogs must name one of its ids;
a new framework's catalog is made of the ids the file names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from regtrace.errors import MappingFileError, Problem

from .model import FROM_OSCAL, SEPARATOR, CatalogControl, Framework, Mapping, MappingSet, relationships, vocabulary

REQUIRED_COLUMNS = ("source", "target", "relationship", "rationale")
OPTIONAL_COLUMNS = ("rationale_type", "strength", "confidence", "reviewed_by")
DEFAULT_RATIONALE_TYPE = "semantic"
FRAMEWORK_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
SET_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MAX_BYTES = 50 * 1024 * 1024
# Where each value sits in an OSCAL map (for the JSON path of a problem).
OSCAL_FIELDS = {"source": "sources.id-ref", "target": "targets.id-ref", "relationship": "relationship",
                "rationale": "remarks", "rationale_type": "matching-rationale", "strength": "props.strength",
                "confidence": "confidence-score", "reviewed_by": "props.reviewed-by"}


@dataclass(frozen=True)
class SetOptions:
    """What the command line says about the set; blank fields come from the file or its name."""

    set_id: str | None = None
    title: str | None = None
    status: str | None = None
    method: str | None = None
    made_by: str | None = None
    reviewed_by: str | None = None


@dataclass(frozen=True)
class Context:
    """What validation checks against: the store's provisions, the catalogs of the shipped frameworks (fixed:
    a target must name one of their ids; an imported framework's catalog grows with what is imported), and the
    ids of the sets that ship with regtrace (which an import may not replace)."""

    provisions: frozenset[str]
    catalogs: MappingType[str, frozenset[str]]
    shipped_sets: frozenset[str]
    source_instrument: str


@dataclass
class _Collector:
    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, row, column, message))


@dataclass(frozen=True)
class Imported:
    """A validated set and the framework it targets (the catalog to write: new ids only for a new one)."""

    mapping_set: MappingSet
    framework: Framework
    new_framework: bool


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp950")  # Big5, as the registers accept; raises UnicodeDecodeError if neither


def _relationship(value: str) -> str | None:
    word = value.strip().lower()
    if word in relationships():
        return word
    return FROM_OSCAL.get(word)


def _check_row(c: _Collector, ctx: Context, row: int | None, where: str, raw: MappingType[str, Any],
               targets: dict[str, set[str]]) -> Mapping | None:
    """One mapping's cells; problems go to the collector; targets[FRAMEWORK] collects the ids named."""
    def col(name: str) -> str | None:
        return f"{where}{OSCAL_FIELDS[name]}" if where else name

    ok = True
    source = str(raw.get("source") or "").strip()
    if not source:
        c.add(row, col("source"), "a provision id is required")
        ok = False
    elif source not in ctx.provisions:
        c.add(row, col("source"), f"{source!r} is not a provision of the regulation (ids like A7.P1.I3.S1)")
        ok = False
    target = str(raw.get("target") or "").strip()
    framework, _, code = target.partition(SEPARATOR)
    if not target or not code or not FRAMEWORK_ID.match(framework) or any(ch.isspace() for ch in code):
        c.add(row, col("target"), f"{target!r} is not FRAMEWORK:ID (e.g. ISO27001:A.5.23)")
        ok = False
    elif framework in ctx.catalogs and code not in ctx.catalogs[framework]:
        c.add(row, col("target"), f"{code!r} is not in the {framework} catalog of this store")
        ok = False
    else:
        targets.setdefault(framework, set()).add(code)
    relationship = _relationship(str(raw.get("relationship") or ""))
    if relationship is None:
        c.add(row, col("relationship"), f"{raw.get('relationship')!r} is not one of {', '.join(relationships())}")
        ok = False
    rationale = str(raw.get("rationale") or "").strip()
    if not rationale:
        c.add(row, col("rationale"), "a sentence saying why is required")
        ok = False
    rationale_type = str(raw.get("rationale_type") or DEFAULT_RATIONALE_TYPE).strip().lower()
    if rationale_type not in vocabulary("Mapping", "rationale_type"):
        c.add(row, col("rationale_type"), f"{rationale_type!r} is not one of syntactic, semantic, functional")
        ok = False
    strength: int | None = None
    raw_strength = str(raw.get("strength") if raw.get("strength") is not None else "").strip()
    if raw_strength:
        if not raw_strength.isdigit() or len(raw_strength) > 2 or int(raw_strength) > 10:
            c.add(row, col("strength"), f"{raw_strength!r} is not a whole number from 0 to 10")
            ok = False
        else:
            strength = int(raw_strength)
    confidence = str(raw.get("confidence") or "").strip().lower() or None
    if confidence is not None and confidence not in vocabulary("Mapping", "confidence"):
        c.add(row, col("confidence"), f"{confidence!r} is not one of high, medium, low")
        ok = False
    if not ok:
        return None
    return Mapping(source, target, str(relationship), rationale, rationale_type, strength, confidence,
                   str(raw.get("reviewed_by") or "").strip() or None)


def _csv_rows(c: _Collector, text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        c.add(1, None, "the file is empty: the first row must name the columns " + ", ".join(REQUIRED_COLUMNS))
        return
    names = [h.strip().lower() for h in header]
    missing = [n for n in REQUIRED_COLUMNS if n not in names]
    if missing:
        c.add(1, None, f"missing column(s) {', '.join(missing)}")
    unknown = [h for h in names if h and h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    for h in unknown:
        c.add(1, h, f"unknown column; expected {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}")
    if missing or unknown:
        return
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(names):
            c.add(number, None, f"{len(cells)} cells but {len(names)} columns")
            continue
        yield number, {n: (cells[i] if i < len(cells) else "") for i, n in enumerate(names) if n}


def _finish(c: _Collector, ctx: Context, path: Path, found: list[tuple[int | None, str, Mapping]],
            targets: dict[str, set[str]], opts: SetOptions, defaults: MappingType[str, Any]) -> Imported:
    if len(targets) > 1:
        c.add(None, "target", f"a mapping set targets one framework; this file names {', '.join(sorted(targets))}")
    seen: dict[tuple[str, str], str] = {}
    for row, where, m in found:
        key = (m.source, m.target)
        at = f"row {row}" if row is not None else where
        if key in seen:
            c.add(row, f"{where}{OSCAL_FIELDS['target']}" if where else "target",
                  f"{m.source} → {m.target} is mapped twice (first at {seen[key]})")
        else:
            seen[key] = at
    if not found and not c.problems:
        c.add(None, None, "no mappings in the file")
    set_id = opts.set_id or str(defaults.get("set_id") or re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-."))
    if not SET_ID.match(set_id or ""):
        c.add(None, "--id", f"{set_id!r} is not a usable mapping set id (letters, digits, . _ -)")
    elif set_id in ctx.shipped_sets:
        c.add(None, "--id", f"{set_id} is a mapping set shipped with regtrace; import under another id")
    status = (opts.status or str(defaults.get("status") or "draft")).lower()
    if status not in vocabulary("MappingSet", "status"):
        c.add(None, "--status", f"{status!r} is not one of draft, reviewed")
    if c.problems:
        raise MappingFileError(c.problems)
    framework_id = next(iter(targets))
    codes = {m.target.partition(SEPARATOR)[2] for _, _, m in found}
    mappings = tuple(replace(m, target=m.target.partition(SEPARATOR)[2]) for _, _, m in found)
    mapping_set = MappingSet(
        id=set_id, title=opts.title or str(defaults.get("title") or f"{set_id} → {framework_id}"),
        source=ctx.source_instrument, framework=framework_id, version=str(defaults.get("version") or "1"),
        method=opts.method or str(defaults.get("method") or f"imported from {path.name}"), status=status,
        origin="imported", made_by=opts.made_by or defaults.get("made_by"),
        reviewed_by=opts.reviewed_by or defaults.get("reviewed_by"), made_on=dt.date.today(),
        note=defaults.get("note"), mappings=mappings)
    new = framework_id not in ctx.catalogs
    framework = Framework(framework_id, str(defaults.get("framework_title") or framework_id),
                          controls=tuple(CatalogControl(code) for code in sorted(codes)) if new else ())
    return Imported(mapping_set, framework, new)


def read_csv(path: Path, ctx: Context, opts: SetOptions) -> Imported:
    c = _Collector(str(path))
    text = _read_text(c, path)
    found: list[tuple[int | None, str, Mapping]] = []
    targets: dict[str, set[str]] = {}
    try:
        for number, raw in _csv_rows(c, text):
            m = _check_row(c, ctx, number, "", raw, targets)
            if m is not None:
                found.append((number, "", m))
    except csv.Error as exc:
        c.add(None, None, f"not a readable CSV file: {exc}")
        raise MappingFileError(c.problems) from exc
    return _finish(c, ctx, path, found, targets, opts, {})


def _read_text(c: _Collector, path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            c.add(None, None, f"larger than {MAX_BYTES // (1024 * 1024)} MB")
            raise MappingFileError(c.problems)
        return _decode(path.read_bytes())
    except UnicodeDecodeError as exc:
        c.add(None, None, "neither UTF-8 nor Big5 text")
        raise MappingFileError(c.problems) from exc
    except OSError as exc:
        c.add(None, None, f"cannot read: {exc.strerror or exc}")
        raise MappingFileError(c.problems) from exc


# ---------------------------------------------------------------- OSCAL 1.2 mapping collection


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _props(node: MappingType[str, Any]) -> dict[str, str]:
    props = node.get("props")
    if not isinstance(props, list):
        return {}
    return {str(p["name"]): str(p["value"]) for p in props if isinstance(p, dict) and "name" in p and "value" in p}


def _confidence(node: MappingType[str, Any]) -> str | None:
    score = node.get("confidence-score")
    if not isinstance(score, dict):
        return None
    if isinstance(score.get("category"), str):
        return str(score["category"]).lower()
    pct = score.get("percentage")
    if isinstance(pct, int | float) and not isinstance(pct, bool):
        return "high" if pct >= 0.8 else "medium" if pct >= 0.5 else "low"
    return None


def _text_of(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def read_oscal(path: Path, ctx: Context, opts: SetOptions) -> Imported:
    c = _Collector(str(path))
    try:
        document = json.loads(_read_text(c, path))
    except (json.JSONDecodeError, ValueError, RecursionError) as exc:  # ValueError: e.g. an over-long integer
        c.add(None, None, f"not valid JSON: {exc}")
        raise MappingFileError(c.problems) from exc
    collection = document.get("mapping-collection") if isinstance(document, dict) else None
    if not isinstance(collection, dict):
        c.add(None, "mapping-collection", "not an OSCAL mapping collection (no mapping-collection object)")
        raise MappingFileError(c.problems)
    provenance = _object(collection.get("provenance"))
    metadata = _object(collection.get("metadata"))
    mappings = collection.get("mappings")
    if isinstance(mappings, dict):
        mappings = [mappings]
    if not isinstance(mappings, list) or not mappings:
        c.add(None, "mapping-collection.mappings", "at least one mapping is required")
        raise MappingFileError(c.problems)
    found: list[tuple[int | None, str, Mapping]] = []
    targets: dict[str, set[str]] = {}
    framework_title = None
    for i, mapping in enumerate(mappings):
        base = f"mapping-collection.mappings[{i}]"
        if not isinstance(mapping, dict) or not isinstance(mapping.get("maps"), list):
            c.add(None, f"{base}.maps", "a list of maps is required")
            continue
        target_resource = _object(mapping.get("target-resource"))
        framework = _props(target_resource).get("framework")
        framework_title = framework_title or _props(target_resource).get("framework-title")
        default_type = mapping.get("matching-rationale") or provenance.get("matching-rationale")
        for j, entry in enumerate(mapping["maps"]):
            where = f"{base}.maps[{j}]."
            if not isinstance(entry, dict):
                c.add(None, where.rstrip("."), "a map must be an object")
                continue
            if str(entry.get("relationship", "")).lower() == "no-relationship":
                continue  # states that there is no mapping: nothing to keep
            props = _props(entry)
            sources = [s for s in entry.get("sources", []) if isinstance(s, dict)] or [{}]
            ends = [t for t in entry.get("targets", []) if isinstance(t, dict)] or [{}]
            for s in sources:
                for t in ends:
                    ref = str(t.get("id-ref") or "")
                    target = ref if SEPARATOR in ref or framework is None else f"{framework}{SEPARATOR}{ref}"
                    raw = {"source": str(s.get("id-ref") or ""), "target": target,
                           "relationship": str(entry.get("relationship") or ""),
                           "rationale": _text_of(entry.get("remarks")),
                           "rationale_type": entry.get("matching-rationale") or default_type,
                           "strength": props.get("strength"),
                           "confidence": _confidence(entry) or _confidence(provenance),
                           "reviewed_by": props.get("reviewed-by")}
                    m = _check_row(c, ctx, None, where, raw, targets)
                    if m is not None:
                        found.append((None, where, m))
    meta_props = _props(metadata) | _props(provenance)
    status = str(provenance.get("status") or "draft").lower()
    defaults = {"set_id": meta_props.get("mapping-set-id"), "title": metadata.get("title"),
                "version": metadata.get("version"), "method": provenance.get("method"),
                "status": status if status in vocabulary("MappingSet", "status") else "draft",
                "made_by": meta_props.get("made-by"), "reviewed_by": meta_props.get("reviewed-by"),
                "note": _text_of(provenance.get("mapping-description")) or None,
                "framework_title": framework_title}
    return _finish(c, ctx, path, found, targets, opts, defaults)


def read_mapping_file(path: Path, ctx: Context, opts: SetOptions) -> Imported:
    """A CSV file or an OSCAL mapping collection (.json), by its suffix."""
    if path.suffix.lower() == ".json":
        return read_oscal(path, ctx, opts)
    if path.suffix.lower() == ".csv":
        return read_csv(path, ctx, opts)
    raise MappingFileError([Problem(str(path), None, None,
                                    "expected a .csv file or an OSCAL mapping collection (.json)")])
