"""`regtrace adopt`: write an amended text as the instrument's next version, carrying every mapping.

The new text is compared with the latest stored version by the diff's matching (loaders/regulation_diff.py);
each new provision that has a predecessor links to it: SAME_AS (unchanged), RENUMBERED_FROM (renumbered only)
or REPLACES (amended: the link names the change kinds). The curated reading of the predecessor (rule, who it
falls on, lead-in, conditions) carries to a provision whose words did not change in that respect.

Every member company's links to the latest version's obligations (a control's satisfies, a contract's clauses,
a finding's and an approval's provisions) are then:
  * carried: a link to the successor obligation, when the successor is unchanged or only renumbered;
  * carried and queued for review: the same, plus a MappingReview `needs_review`, when the successor is amended;
  * orphaned: kept as it is, on the old version, when the provision was removed or deleted (刪除) or no longer
    obliges.
No link is ever deleted; the old version stays, its effective_until set to the day before the new one's
effective_from. All of it is one write: all or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regtrace.errors import InputError
from regtrace.graph.port import Link, Row, Store, Writer
from regtrace.loaders.curation import load_curation, load_regulation
from regtrace.loaders.provision import OBLIGATION_MODALITIES
from regtrace.loaders.regulation_diff import RegulationDiff, diff_regulations
from regtrace.loaders.regulation_parser import ParsedRegulation
from regtrace.regulation_graph import RegulationGraph, Semantics, build_regulation_graph, write_regulation_rows
from regtrace.versions import VersionBook, node_key, require_label, version_uid

# The tenant links that map a member company's records to obligations: (relationship, source label, kind).
MAPPING_LINKS: tuple[tuple[str, str, str], ...] = (
    ("SATISFIES", "Control", "satisfies"),
    ("COVERS_CLAUSE", "Contract", "clause"),
    ("CITES", "Finding", "cites"),
    ("SUPPORTS", "Approval", "supports"),
)


@dataclass(frozen=True)
class Carried:
    """One mapping and what the adoption does with it."""

    tenant: str
    kind: str  # satisfies | clause | cites | supports
    source_id: str
    old_id: str
    new_id: str | None  # None: orphaned
    outcome: str  # carried | needs_review | orphaned
    changes: tuple[str, ...] = ()

    @property
    def review_id(self) -> str:
        return f"{self.kind}:{self.source_id}:{self.new_id}"

    def to_json(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "kind": self.kind, "source_id": self.source_id, "old_id": self.old_id,
                "new_id": self.new_id, "outcome": self.outcome, "changes": list(self.changes)}


@dataclass
class Adoption:
    """What adopting a text writes (computed before anything is written)."""

    version: Row
    previous: Row
    graph: RegulationGraph
    identity: dict[str, list[Link]]  # SAME_AS | RENUMBERED_FROM | REPLACES -> links new key -> old key
    mappings: list[Carried] = field(default_factory=list)
    new_links: dict[tuple[str, str], list[Link]] = field(default_factory=dict)
    reviews: list[Row] = field(default_factory=list)
    diff: RegulationDiff | None = None
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        c = Counter(m.outcome for m in self.mappings)
        return {"carried": c["carried"], "needs_review": c["needs_review"], "orphaned": c["orphaned"]}

    def to_json(self) -> dict[str, Any]:
        v = self.version
        return {"version": v["version"], "effective_from": v["effective_from"].isoformat(),
                "promulgated_on": v["promulgated_on"].isoformat() if v["promulgated_on"] else None,
                "previous": {"version": self.previous["version"],
                             "effective_until": self.previous["effective_until"].isoformat()},
                "source_sha256": v["source_sha256"], "provisions": len(self.graph.provisions),
                "obligations": len(self.graph.obligations),
                "identity": {k: len(v) for k, v in self.identity.items()},
                "mappings": self.counts(), "warnings": self.warnings,
                "changes": len(self.diff.changes) if self.diff else 0}


def _identity(diff: RegulationDiff, old: ParsedRegulation, new: ParsedRegulation
              ) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """New provision id -> (link kind, old provision id, change kinds)."""
    found: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    changed_old = {c.old_id for c in diff.changes if c.old_id}
    changed_new = {c.new_id for c in diff.changes if c.new_id}
    for c in diff.changes:
        if c.old is None or c.new is None or "added" in c.kinds:
            continue
        kind = "RENUMBERED_FROM" if c.kinds == ("renumbered",) else "REPLACES"
        found[c.new.id] = (kind, c.old.id, tuple(c.kinds))
    old_ids = {p.id for p in old.provisions}
    for q in new.provisions:
        if q.id not in changed_new and q.id in old_ids and q.id not in changed_old:
            found[q.id] = ("SAME_AS", q.id, ())
    return found


def _carry_curation(new: ParsedRegulation, identity: dict[str, tuple[str, str, tuple[str, ...]]],
                    old_rows: dict[str, Row], old_obligations: dict[str, Row]) -> None:
    """A provision whose conditions (modality) did not change keeps its predecessor's curated conditions (modality)."""
    for p in new.provisions:
        link = identity.get(p.id)
        if link is None or "conditions_changed" in link[2] or p.deleted:
            continue
        before = old_rows.get(link[1])
        if before is None:
            continue
        p.conditions = list(before["conditions"] or [])
        if "modality_changed" not in link[2]:  # a curated modality (A10.P1.I6.S1) holds for the same words
            p.modalities = list(before["modalities"] or [])
            p.effective_modality = before["effective_modality"]
        if (ob := old_obligations.get(link[1])) is not None:
            p.applies_when = ob["applies_when"]


def _semantics(new: ParsedRegulation, identity: dict[str, tuple[str, str, tuple[str, ...]]],
               old_obligations: dict[str, Row]) -> Semantics:
    """The seed's curated choices (non-normative articles, arrangement articles), the rest carried by identity."""
    from regtrace.seed import ARRANGEMENT_ARTICLES

    curation = load_curation()
    old_non_normative = set(curation.non_normative)
    rules: dict[str, str] = {}
    lead_ins: dict[str, str] = {}
    falls_on: dict[str, str] = {}
    shall_when: dict[str, str] = {}
    non_normative: set[str] = set()
    by_id = {p.id: p for p in new.provisions}
    for p in new.provisions:
        link = identity.get(p.id)
        if link is None:
            continue
        old_id, kinds = link[1], link[2]
        if old_id in old_non_normative:
            non_normative.add(p.id)
        ob = old_obligations.get(old_id)
        if ob is None:
            continue
        rules[p.id] = ob["rule"]
        if ob["falls_on"] == "both" or "conditions_changed" not in kinds:
            falls_on[p.id] = ob["falls_on"]
        if ob["shall_when"] and "modality_changed" not in kinds:
            shall_when[p.id] = ob["shall_when"]
        if ob["lead_in"]:
            own = by_id[p.id].effective_modality
            modality = own if "modality_changed" in kinds and own in OBLIGATION_MODALITIES else ob["modality"]
            lead_ins[p.id] = str(modality)
    return Semantics(frozenset(non_normative), ARRANGEMENT_ARTICLES, rules, lead_ins, falls_on, shall_when)


def _parse(path: Path) -> ParsedRegulation:
    if not path.is_file():
        raise InputError(f"{path}: no such file (give the amended regulation text)")
    parsed = load_regulation(path, seed=False)
    if parsed.excerpt:
        raise InputError(f"{path}: an excerpt (its first article is not 第一條): adopt takes the whole amended text; "
                         "`regtrace diff` compares an excerpt")
    return parsed


def plan_adoption(store: Store, path: Path, effective_from: dt.date, label: str | None = None,
                  promulgated_on: dt.date | None = None, now: dt.datetime | None = None) -> Adoption:
    """Everything adopting `path` would write, computed from the store; nothing is written."""
    book = VersionBook.read(store)
    latest = book.latest
    if latest.effective_from is not None and effective_from <= latest.effective_from:
        raise InputError(f"--effective-from {effective_from}: the latest version ({latest.label}) takes effect on "
                         f"{latest.effective_from}; a new version must take effect after it")
    label = require_label(label or effective_from.isoformat())
    if label in book.labels:
        raise InputError(f"--version {label!r}: the store already holds a version so labelled "
                         f"(versions: {', '.join(book.labels)})")
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
    new = _parse(path)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    previous_rows = {r["uid"]: r for r in store.nodes("InstrumentVersion")}
    previous = previous_rows[latest.version_id]
    if sha == previous["source_sha256"]:
        raise InputError(f"{path}: the same text as the version in force since {latest.effective_from or 'the start'} "
                         f"({latest.label}); nothing to adopt")
    if new.instrument_id not in (None, latest.instrument_id):
        raise InputError(f"{path}: the text is of another instrument ({new.title}), not {latest.instrument_id}")
    old = load_regulation(str(previous["source_text"]), seed=False)
    diff = diff_regulations(old, new)
    version = {"version_id": version_uid(latest.instrument_id, label), "version": label,
               "promulgated_on": promulgated_on, "effective_from": effective_from, "effective_until": None,
               "source_sha256": sha, "source_text": text, "ordinal": latest.ordinal + 1,
               "adopted_at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")}
    identity, old_rows, old_obligations, graph = successor_graph(store, book, latest.label, latest.instrument_id,
                                                                 old, new, diff, version)
    identity_links: dict[str, list[Link]] = {"SAME_AS": [], "RENUMBERED_FROM": [], "REPLACES": []}
    for new_id, (kind, old_id, kinds) in sorted(identity.items()):
        props = {"changes": list(kinds)} if kind == "REPLACES" else None
        identity_links[kind].append(Link(node_key(new_id, label, False), old_rows[old_id]["uid"], props))
    adoption = Adoption(version, {**previous, "effective_until": effective_from - dt.timedelta(days=1)}, graph,
                        identity_links, diff=diff, warnings=list(new.warnings))
    _carry_mappings(store, adoption, identity, old_rows, old_obligations, label)
    return adoption


def successor_graph(store: Store, book: VersionBook, label: str, instrument_id: str, old: ParsedRegulation,
                    new: ParsedRegulation, diff: RegulationDiff, version: Row
                    ) -> tuple[dict[str, tuple[str, str, tuple[str, ...]]], dict[str, Row], dict[str, Row],
                               RegulationGraph]:
    """The text `new` as the successor of stored version `label` (read as `old`; `diff` between them): how each
    new provision follows an old one, the old version's provision and obligation rows by id, and the new
    version's graph, its curation carried as adopt writes it (also read, unwritten, by regtrace.impact_stored)."""
    identity = _identity(diff, old, new)
    old_rows = {r["provision_id"]: r for r in book.provisions_of(label)}
    old_obligations = {r["obligation_id"]: r for r in book.obligations_of(label)}
    _carry_curation(new, identity, old_rows, old_obligations)
    return identity, old_rows, old_obligations, _graph(store, instrument_id, new, identity, old_obligations,
                                                       version, old_rows)


def _graph(store: Store, instrument_id: str, new: ParsedRegulation,
           identity: dict[str, tuple[str, str, tuple[str, ...]]], old_obligations: dict[str, Row], version: Row,
           old_rows: dict[str, Row]) -> RegulationGraph:
    from regtrace import labels

    curation = load_curation()
    graph = build_regulation_graph(
        instrument_id, new.provisions, [i.to_row() for i in curation.instruments],
        {a: labels.ACTOR[a][0] for a in labels.ACTOR}, curation.instrument_ids_by_title,
        _semantics(new, identity, old_obligations), version, first=False)
    for p in graph.provisions:  # the CSP-meetable curation holds for the same words
        link = identity.get(p["provision_id"])
        if link is not None and link[0] != "REPLACES" and (before := old_rows.get(link[1])) is not None:
            p["csp_meetable"], p["csp_meetable_quote"] = before["csp_meetable"], before["csp_meetable_quote"]
    return graph


def _carry_mappings(store: Store, adoption: Adoption, identity: dict[str, tuple[str, str, tuple[str, ...]]],
                    old_rows: dict[str, Row], old_obligations: dict[str, Row], label: str) -> None:
    successor = {old_id: (new_id, kind, kinds) for new_id, (kind, old_id, kinds) in identity.items()}
    new_obligations = {o["obligation_id"] for o in adoption.graph.obligations}
    old_by_key = {o["uid"]: o["obligation_id"] for o in old_obligations.values()}
    created = adoption.version["adopted_at"]
    for rel, source_label, kind in MAPPING_LINKS:
        for r in store.links(rel):
            old_id = old_by_key.get(r["target"])
            if old_id is None:
                continue  # a link to an older version's obligation: already carried or orphaned there
            tenant, source_id = r["source"].split("/", 1)
            step = successor.get(old_id)
            if step is None or step[0] not in new_obligations:
                adoption.mappings.append(Carried(tenant, kind, source_id, old_id, None, "orphaned"))
                continue
            new_id, link_kind, kinds = step
            outcome = "needs_review" if link_kind == "REPLACES" else "carried"
            carried = Carried(tenant, kind, source_id, old_id, new_id, outcome, kinds)
            adoption.mappings.append(carried)
            adoption.new_links.setdefault((rel, source_label), []).append(
                Link(r["source"], node_key(new_id, label, False)))
            if outcome == "needs_review":
                adoption.reviews.append({
                    "uid": f"{tenant}/{carried.review_id}@{label}", "review_id": f"{carried.review_id}@{label}",
                    "tenant": tenant, "mapping_kind": kind, "source_id": source_id,
                    "provision_id": new_id, "version": label, "from_provision_id": old_id,
                    "from_version": old_rows[old_id]["version"] or adoption.previous["version"],
                    "changes": list(kinds), "status": "needs_review", "created_at": created, "accepted_at": None})


def write_adoption(store: Store, adoption: Adoption) -> None:
    """Write the adoption in one transaction."""
    def unit(w: Writer) -> None:
        w.upsert_nodes("InstrumentVersion", [adoption.previous])
        write_regulation_rows(w, adoption.graph)
        for kind, links in adoption.identity.items():
            if links:
                w.link(kind, links)
        for (rel, _source_label), links in adoption.new_links.items():
            w.link(rel, links)
        if adoption.reviews:
            w.upsert_nodes("MappingReview", adoption.reviews)

    store.write(unit)


def adopt(store: Store, path: Path, effective_from: dt.date, label: str | None = None,
          promulgated_on: dt.date | None = None) -> Adoption:
    """Plan and write an adoption (all or nothing)."""
    adoption = plan_adoption(store, path, effective_from, label, promulgated_on)
    write_adoption(store, adoption)
    return adoption

