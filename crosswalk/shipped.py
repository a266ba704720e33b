"""The curated crosswalks shipped in ontology/crosswalks/: framework catalogs, mapping sets and the
CSP-meetable flags. Each file is checked when read; a mistake is a CurationError naming the file and entry."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping as MappingType
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from regtrace.errors import CurationError

from .model import CatalogControl, Framework, Mapping, MappingSet, Unmapped, relationships, vocabulary

PACKAGE = "regtrace.ontology"
FOLDER = "crosswalks"
FRAMEWORKS_FILE = "frameworks.toml"
MEETABLE_FILE = "csp_meetable.toml"
SET_FILES = ("iso27001-2022.toml", "iso27017-2015.toml", "csa-ccm-v4.toml")
_SET_KEYS = frozenset({"id", "title", "source", "framework", "version", "method", "status", "made_by",
                       "reviewed_by", "made_on", "note", "mapping", "unmapped"})
_MAPPING_KEYS = frozenset({"source", "target", "relationship", "rationale_type", "rationale", "strength",
                           "confidence", "reviewed_by"})


@dataclass(frozen=True)
class Meetable:
    """Whether a provision's duty is one a CSP can meet, with the regulation's words that decide it."""

    provision: str
    csp_meetable: bool
    quote: str


def _read(name: str) -> tuple[dict[str, Any], str]:
    resource = files(PACKAGE).joinpath(FOLDER, name)
    source = f"ontology/{FOLDER}/{name}"
    try:
        return tomllib.loads(resource.read_text(encoding="utf-8")), source
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CurationError(f"{source}: cannot read: {exc}") from exc


def _text(entry: MappingType[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CurationError(f"{where}: {key} must be non-empty text")
    return value.strip()


@cache
def shipped_frameworks() -> tuple[Framework, ...]:
    data, source = _read(FRAMEWORKS_FILE)
    frameworks = []
    for i, entry in enumerate(data.get("framework", []), start=1):
        where = f"{source}: framework {i}"
        controls = []
        for code, titles in entry.get("controls", {}).items():
            if not (isinstance(titles, list) and len(titles) == 2 and all(isinstance(t, str) and t for t in titles)):
                raise CurationError(f"{where}: control {code!r}: expected [zh-TW title, en title]")
            controls.append(CatalogControl(code, titles[0], titles[1]))
        standards = entry.get("certified_by", [])
        if not isinstance(standards, list) or any(s not in vocabulary("Certification", "standard") for s in standards):
            raise CurationError(f"{where}: certified_by must list standards of the certifications register "
                                f"({', '.join(vocabulary('Certification', 'standard'))})")
        frameworks.append(Framework(
            id=str(_text(entry, "id", where)), title=str(_text(entry, "title", where)),
            version=_text(entry, "version", where, required=False),
            publisher=_text(entry, "publisher", where, required=False),
            note=_text(entry, "note", where, required=False), controls=tuple(controls),
            certified_by=tuple(standards)))
    return tuple(frameworks)


def _mapping(entry: MappingType[str, Any], where: str) -> Mapping:
    unknown = sorted(set(entry) - _MAPPING_KEYS)
    if unknown:
        raise CurationError(f"{where}: unknown key(s) {', '.join(unknown)}")
    relationship = _text(entry, "relationship", where)
    if relationship not in relationships():
        raise CurationError(f"{where}: relationship {relationship!r} is not one of {', '.join(relationships())}")
    rationale_type = _text(entry, "rationale_type", where)
    if rationale_type not in vocabulary("Mapping", "rationale_type"):
        raise CurationError(f"{where}: rationale_type {rationale_type!r} is not one of "
                            f"{', '.join(vocabulary('Mapping', 'rationale_type'))}")
    confidence = _text(entry, "confidence", where, required=False)
    if confidence is not None and confidence not in vocabulary("Mapping", "confidence"):
        raise CurationError(f"{where}: confidence {confidence!r} is not one of high, medium, low")
    strength = entry.get("strength")
    if strength is not None and (not isinstance(strength, int) or isinstance(strength, bool)
                                 or not 0 <= strength <= 10):
        raise CurationError(f"{where}: strength must be a whole number from 0 to 10")
    return Mapping(str(_text(entry, "source", where)), str(_text(entry, "target", where)), str(relationship),
                   str(_text(entry, "rationale", where)), str(rationale_type), strength, confidence,
                   _text(entry, "reviewed_by", where, required=False))


def read_set(name: str) -> MappingSet:
    """One shipped mapping set file: a [set] table with its provenance and the `mapping` and `unmapped` lists
    (shape-checked here; ids are checked against the regulation and the catalog by check_set)."""
    data, source = _read(name)
    head = data.get("set")
    if not isinstance(head, dict):
        raise CurationError(f"{source}: the [set] table is missing")
    unknown = sorted(set(head) - _SET_KEYS)
    if unknown:
        raise CurationError(f"{source}: [set]: unknown key(s) {', '.join(unknown)}")
    status = _text(head, "status", f"{source}: [set]")
    if status not in vocabulary("MappingSet", "status"):
        raise CurationError(f"{source}: [set]: status {status!r} is not one of draft, reviewed")
    made_on = head.get("made_on")
    if made_on is not None and (not isinstance(made_on, dt.date) or isinstance(made_on, dt.datetime)):
        raise CurationError(f"{source}: [set]: made_on must be a TOML date")
    w = f"{source}: [set]"
    return MappingSet(
        id=str(_text(head, "id", w)), title=str(_text(head, "title", w)), source=str(_text(head, "source", w)),
        framework=str(_text(head, "framework", w)), version=str(_text(head, "version", w)),
        method=str(_text(head, "method", w)), status=str(status), origin="shipped",
        made_by=_text(head, "made_by", w, required=False), reviewed_by=_text(head, "reviewed_by", w, required=False),
        made_on=made_on, note=_text(head, "note", w, required=False),
        mappings=tuple(_mapping(m, f"{source}: mapping {i}") for i, m in enumerate(head.get("mapping", []), 1)),
        unmapped=tuple(Unmapped(str(_text(u, "source", f"{source}: unmapped {i}")),
                                str(_text(u, "reason", f"{source}: unmapped {i}")))
                       for i, u in enumerate(head.get("unmapped", []), 1)),
    )


@cache
def shipped_sets() -> tuple[MappingSet, ...]:
    return tuple(read_set(name) for name in SET_FILES)


def check_set(mapping_set: MappingSet, provisions: frozenset[str], frameworks: MappingType[str, Framework]) -> None:
    """The set's provisions exist, its targets are in its framework's catalog, and nothing is listed twice."""
    where = f"mapping set {mapping_set.id}"
    framework = frameworks.get(mapping_set.framework)
    if framework is None:
        raise CurationError(f"{where}: unknown framework {mapping_set.framework!r}")
    seen: set[tuple[str, str]] = set()
    for i, m in enumerate(mapping_set.mappings, start=1):
        if m.source not in provisions:
            raise CurationError(f"{where}: mapping {i}: provision {m.source} is not in the regulation")
        if m.target not in framework.codes:
            raise CurationError(f"{where}: mapping {i}: {m.target} is not in the {framework.id} catalog")
        if (m.source, m.target) in seen:
            raise CurationError(f"{where}: mapping {i}: {m.source} → {m.target} is listed twice")
        seen.add((m.source, m.target))
    mapped = {m.source for m in mapping_set.mappings}
    for u in mapping_set.unmapped:
        if u.source not in provisions:
            raise CurationError(f"{where}: unmapped provision {u.source} is not in the regulation")
        if u.source in mapped:
            raise CurationError(f"{where}: {u.source} is both mapped and listed as unmapped")


@cache
def csp_meetable_flags() -> tuple[Meetable, ...]:
    data, source = _read(MEETABLE_FILE)
    flags = []
    for i, entry in enumerate(data.get("meetable", []), start=1):
        where = f"{source}: entry {i}"
        flag = entry.get("csp_meetable")
        if not isinstance(flag, bool):
            raise CurationError(f"{where}: csp_meetable must be true or false")
        flags.append(Meetable(str(_text(entry, "provision", where)), flag, str(_text(entry, "quote", where))))
    return tuple(flags)


def _compact(text: str) -> str:
    return "".join(text.split())


def csp_meetable(provisions: MappingType[str, tuple[list[str], str]]) -> dict[str, tuple[bool, str | None]]:
    """Per provision id (given as id -> (path from the article down, text)): whether a CSP can meet its duty
    and the quote that decides it, from the provision's nearest curated ancestor-or-self; not curated: False."""
    flags = {f.provision: f for f in csp_meetable_flags()}
    for f in flags.values():
        if f.provision not in provisions:
            raise CurationError(f"ontology/{FOLDER}/{MEETABLE_FILE}: {f.provision} is not in the regulation")
        if _compact(f.quote) not in _compact(provisions[f.provision][1]):
            raise CurationError(f"ontology/{FOLDER}/{MEETABLE_FILE}: {f.provision}: the quote is not in its text")
    result: dict[str, tuple[bool, str | None]] = {}
    for pid, (path, _) in provisions.items():
        decided = next((flags[p] for p in reversed(path) if p in flags), None)
        result[pid] = (decided.csp_meetable, decided.quote) if decided else (False, None)
    return result
