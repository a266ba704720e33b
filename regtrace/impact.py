"""What an amended text would change for one member company, before it is adopted: `regtrace impact`.

Nothing is written. The amended version is built in memory through the pipeline the seed goes through
(parser → modality and references → the curated files), the curation carried by the diff's matching:

* a provision matched to one of the current text (same, renumbered or reworded) keeps the curation of its
  predecessor under its new id — conditions, falls_on, lead-in, trace rule, non-normative article — except a
  curated modality (or a lead-in's) when the words' modality changed: the curated choice quoted the old
  words, so the new text's own modality rules;
* a provision the amendment adds gets what the parser derives from its words (conditions inferred);
* a deleted (刪除) or removed provision has no obligation.

An excerpt (an amendment listing only the articles it changes) is read into the current text (`whole_text`).

The tenant's stored mappings (controls' satisfies, contracts' clauses, findings' and approvals' provisions)
name obligations of the current text; they are translated old id → new id through the same matching, and the
plain trace rules run on the tenant's stored registers with the new obligations (`trace_against`). A mapping
stored today was expanded, when loaded, to the obligations that existed then, so a provision the amendment
adds is met only once a register naming it (or a provision above it) is loaded again: until then it is a
gap, never a guess. The trace rules name two provisions by id (RULE_PROVISIONS); one the amendment renumbers is
traced under the id the rules know (`rule_relabelling`), so it keeps its rule.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regtrace.errors import InputError
from regtrace.graph.filters import Compare, Hop, RelatedQuery
from regtrace.graph.port import Row, Store
from regtrace.graph.schema import node_uid
from regtrace.loaders.curation import (
    Condition,
    Curation,
    LeadIn,
    apply_curation,
    check_curation,
    load_curation,
    load_regulation,
    load_seed,
    resolve_references,
    seed_source,
    seed_text,
)
from regtrace.loaders.numbering import Number, article_key
from regtrace.loaders.provision import OBLIGATION_MODALITIES, Provision
from regtrace.loaders.regulation_diff import Change, RegulationDiff, diff_regulations, normalise, read_side
from regtrace.loaders.regulation_parser import ParsedRegulation
from regtrace.regulation_graph import RegulationGraph, obligations_under_rows
from regtrace.tenants import require_tenant
from regtrace.trace import COMPANY, TraceInputs, TraceRow, fast, gather
from regtrace.trace.conditions import TRUE
from regtrace.trace.model import DELETION_PROVISION, FINDINGS_DEFAULT_PROVISION

# Provision ids the trace rules name themselves (trace/model.py): moved by an amendment, the rules would miss them.
RULE_PROVISIONS = (FINDINGS_DEFAULT_PROVISION, DELETION_PROVISION)
# A finding whose cited provisions all went keeps citing nothing, not the default provision (A9.P1.I3).
_GONE = "gone:"


# ---------------------------------------------------------------- the amended version, in memory


@dataclass(frozen=True)
class Version:
    """A regulation text as the store would hold it: parsed, curated, its graph rows (not written)."""

    parsed: ParsedRegulation
    graph: RegulationGraph

    @property
    def obligation_ids(self) -> frozenset[str]:
        return frozenset(o["obligation_id"] for o in self.graph.obligations)

    def under(self) -> dict[str, list[str]]:
        """Each provision id -> the obligation ids at or below it."""
        return obligations_under_rows(self.graph.provisions, self.graph.obligations)


def matching(diff: RegulationDiff, old: ParsedRegulation, new: ParsedRegulation) -> dict[str, str]:
    """Old provision id -> new provision id for every provision the diff matches and the new text keeps (not
    deleted): the unchanged ones (same id, in no change) and the renumbered or reworded ones."""
    in_changes = {c.old_id for c in diff.changes} | {c.new_id for c in diff.changes}
    new_by_id = {p.id: p for p in new.provisions}
    ids = {p.id: p.id for p in old.provisions
           if p.id not in in_changes and p.id in new_by_id and not p.deleted and not new_by_id[p.id].deleted}
    for c in diff.changes:
        if c.old is not None and c.new is not None and not c.old.deleted and not c.new.deleted:
            ids[c.old.id] = c.new.id
    return ids


def carried_curation(curation: Curation, ids: Mapping[str, str], diff: RegulationDiff,
                     new: ParsedRegulation) -> Curation:
    """The curation of the current text moved onto the amended one through `ids` (see the module's rules).

    Every carried provision the curation gives no condition gets an explicit "always", so that only the
    provisions the amendment adds have conditions inferred from their words.
    """
    moved_modality = {c.new_id for c in diff.changes if "modality_changed" in c.kinds}
    by_id = {p.id: p for p in new.provisions}
    parents = {p.parent for p in new.provisions if p.parent}
    conditions: dict[str, Condition] = {new_id: Condition(TRUE, "") for new_id in ids.values()
                                        if by_id[new_id].level != "article"}
    conditions |= {ids[pid]: c for pid, c in curation.conditions.items() if pid in ids}
    modalities = {ids[pid]: m for pid, m in curation.modalities.items()
                  if pid in ids and ids[pid] not in moved_modality}
    lead_ins: dict[str, LeadIn] = {}
    for pid, lead in curation.lead_ins.items():
        new_id = ids.get(pid)
        if new_id is None or new_id not in parents:
            continue
        if new_id in moved_modality:
            own = by_id[new_id].effective_modality
            if own not in OBLIGATION_MODALITIES:
                continue
            lead = LeadIn(own, lead.quote)
        lead_ins[new_id] = lead
    return dataclasses.replace(
        curation,
        conditions=conditions,
        modalities=modalities,
        lead_ins=lead_ins,
        non_normative=tuple(ids[pid] for pid in curation.non_normative if pid in ids),
        trace_rules={rule: tuple(ids[pid] for pid in pids if pid in ids)
                     for rule, pids in curation.trace_rules.items()},
    )


def seed_version(curation: Curation | None = None) -> Version:
    """The bundled seed as the store holds it."""
    from regtrace.seed import regulation_graph

    curation = curation or load_curation()
    parsed = load_seed(curation)
    assert parsed.instrument_id is not None  # the seed's title is in the register (checked by seed_graph)
    return Version(parsed, regulation_graph(parsed, parsed.instrument_id, curation))


@dataclass(frozen=True)
class Amendment:
    """The diff of the current text and an amended one, the amended version built in memory, and the matching."""

    diff: RegulationDiff
    current: Version
    amended: Version
    ids: dict[str, str]  # current provision id -> amended provision id (kept provisions only)
    warnings: list[str] = field(default_factory=list)


def whole_text(current: ParsedRegulation, excerpt: ParsedRegulation) -> ParsedRegulation:
    """The amended text in full from an excerpt (an amendment listing only the articles it changes): the
    current text's articles with those the excerpt lists replaced or inserted (copies; neither is changed)."""
    listed = {article_key(p.id) for p in excerpt.provisions}
    articles: dict[Number, list[Provision]] = {}
    for p in current.provisions:
        if article_key(p.id) not in listed:
            articles.setdefault(article_key(p.id), []).append(copy.deepcopy(p))
    for p in excerpt.provisions:
        articles.setdefault(article_key(p.id), []).append(copy.deepcopy(p))
    return dataclasses.replace(excerpt, title=excerpt.title or current.title, excerpt=False,
                               provisions=[p for key in sorted(articles) for p in articles[key]])


def curated(parsed: ParsedRegulation, curation: Curation) -> ParsedRegulation:
    """A copy of a text parsed as any text other than the seed, with `curation` checked and applied where it
    covers a provision and conditions inferred elsewhere (what `load_regulation(..., seed=False,
    curation=curation)` does after parsing)."""
    result = dataclasses.replace(parsed, provisions=[copy.deepcopy(p) for p in parsed.provisions])
    check_curation(result.provisions, curation)
    apply_curation(result.provisions, curation, infer_uncovered=True)
    resolve_references(result.provisions, curation, strict=False, source=result.source)
    instrument = curation.instrument_for_title(result.title) if result.title else None
    result.instrument_id = instrument.id if instrument else None
    return result


def amend(new: Path | str, current_text: tuple[str, str] | None = None) -> Amendment:
    """The amendment from the current text (the bundled seed unless `current_text`, (text, source name), is
    given) to `new`: a regulation text file (a Path) or the text itself (a str, as the API receives it).

    The diff is `regtrace diff CURRENT NEW`'s (both sides read as any text, so it lists the same changes; an
    excerpt compares the articles it lists); the amended version is the whole text (an excerpt's articles in
    the current text) carrying the current curation through the diff's matching.
    """
    from regtrace.seed import regulation_graph

    curation = load_curation()
    uncurated = curation.without_conditions()
    text, source = current_text or (seed_text(), seed_source())
    before = load_regulation(text, seed=False, curation=uncurated)
    before.source = source
    after = load_regulation(new, seed=False, curation=uncurated)
    diff = diff_regulations(before, after)
    diff.warnings[:0] = [*before.warnings, *after.warnings]
    whole = whole_text(before, after) if after.excerpt else after
    current = seed_version(curation) if current_text is None else _curated(text, source, curation)
    ids = matching(diff, before, whole)
    carried = carried_curation(curation, ids, diff, whole)
    parsed = curated(whole, carried)
    instrument = parsed.instrument_id or current.parsed.instrument_id
    if instrument is None:
        raise InputError(f"{after.source}: its title names no instrument of the register")
    amended = Version(parsed, regulation_graph(parsed, instrument, carried))
    warnings = [f"{after.source}: its title 「{after.title}」 is not the current text's 「{before.title}」; "
                "compared as an amendment of it all the same"] \
        if after.title and normalise(after.title) != normalise(before.title or "") else []
    warnings += [f"{c.new_id}: the amended words suggest other conditions ({_facts(c.old)} → {_facts(c.new)}); "
                 "traced with the current curation, which never narrows a duty on a guess: review it before "
                 "adoption" for c in diff.changes if "conditions_changed" in c.kinds and c.old_id in ids]
    warnings += [f"{pid}: the trace rules name this provision; the amended text moves it to {ids[pid]}, "
                 "traced with the same rule" for pid in RULE_PROVISIONS if pid in ids and ids[pid] != pid]
    warnings += [f"{pid}: the trace rules name this provision; the amended text no longer has it"
                 for pid in RULE_PROVISIONS if pid not in ids]
    return Amendment(diff, current, amended, ids, warnings)


def _facts(p: Provision | None) -> str:
    return ", ".join(p.conditions) if p is not None and p.conditions else "none"


def amend_file(argument: str) -> Amendment:
    """`amend` for a file named on the command line (NEW_TEXT): a missing file or a folder is an InputError."""
    read_side(argument, "NEW_TEXT")
    return amend(Path(argument))


def _curated(text: str, source: str, curation: Curation) -> Version:
    from regtrace.seed import regulation_graph

    parsed = load_regulation(text, seed=True, curation=curation)
    parsed.source = source
    assert parsed.instrument_id is not None
    return Version(parsed, regulation_graph(parsed, parsed.instrument_id, curation))


# ---------------------------------------------------------------- tracing a tenant against given obligations


def _translate(cited: Iterable[str], ids: Mapping[str, str], keep: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted({ids[pid] for pid in cited if pid in ids and ids[pid] in keep}))


def with_regulation(inputs: TraceInputs, graph: RegulationGraph, ids: Mapping[str, str]) -> TraceInputs:
    """The tenant's inputs with another regulation's provisions and obligations: every obligation id the
    registers name translated through `ids` (old -> new); one with no counterpart that is an obligation of
    `graph` is dropped (a finding that cited only such ones cites nothing, never the default A9.P1.I3)."""
    obligations = {o["obligation_id"]: o for o in graph.obligations}
    keep = frozenset(obligations)
    provisions = frozenset(p["provision_id"] for p in graph.provisions)
    controls: dict[str, list[Row]] = {}
    for oid, links in inputs.controls.items():
        new_id = ids.get(oid)
        if new_id is not None and new_id in keep:
            controls.setdefault(new_id, []).extend({**link, "obligation_id": new_id} for link in links)
    references: dict[str, tuple[str, ...]] = {}
    for link in graph.links.get(("REFERENCES", "Provision", "Instrument"), ()):
        references[link.source] = tuple(sorted({*references.get(link.source, ()), link.target}))
    findings = [dataclasses.replace(f, provisions=_translate(f.provisions, ids, provisions)
                                    or tuple(_GONE + pid for pid in f.provisions))
                for f in inputs.findings]
    return dataclasses.replace(
        inputs,
        provisions=sorted(graph.provisions, key=lambda p: p["ordinal"]),
        obligations=obligations,
        controls=controls,
        contracts=[dataclasses.replace(k, clauses=frozenset(_translate(k.clauses, ids, keep)))
                   for k in inputs.contracts],
        findings=findings,
        approvals=[dataclasses.replace(a, provisions=_translate(a.provisions, ids, provisions))
                   for a in inputs.approvals],
        references=references,
    )


def rule_relabelling(graph: RegulationGraph, ids: Mapping[str, str]) -> dict[str, str]:
    """The provision ids to trace under while the trace rules name provisions by id (RULE_PROVISIONS): a rule
    provision the amendment renumbers is traced under the id the rules know, swapped with whatever holds that
    id in the amended text, so that it keeps its rule (a pure relabelling: paths and parents follow)."""
    known = {p["provision_id"] for p in graph.provisions}
    relabel: dict[str, str] = {}
    for rule_id in RULE_PROVISIONS:
        moved = ids.get(rule_id)
        if moved is None or moved == rule_id:
            continue
        relabel[moved] = rule_id
        if rule_id in known:
            relabel[rule_id] = moved
    return relabel


def _relabelled(graph: RegulationGraph, relabel: Mapping[str, str]) -> RegulationGraph:
    def r(pid: str) -> str:
        return relabel.get(pid, pid)

    provisions = [{**p, "uid": r(p["uid"]), "provision_id": r(p["provision_id"]), "path": [r(x) for x in p["path"]]}
                  for p in graph.provisions]
    obligations = [{**o, "uid": r(o["uid"]), "obligation_id": r(o["obligation_id"])} for o in graph.obligations]
    key = ("REFERENCES", "Provision", "Instrument")
    references = [dataclasses.replace(link, source=r(link.source)) for link in graph.links.get(key, ())]
    links = {**graph.links, key: references}
    return dataclasses.replace(graph, provisions=provisions, obligations=obligations, links=links)


def _row_back(row: TraceRow, back: Mapping[str, str]) -> TraceRow:
    causes = tuple(dataclasses.replace(c, details=tuple((k, back.get(v, v) if isinstance(v, str) else v)
                                                        for k, v in c.details)) for c in row.cause)
    return dataclasses.replace(row, provision=back.get(row.provision, row.provision), cause=causes)


def trace_against(inputs: TraceInputs, graph: RegulationGraph, ids: Mapping[str, str]) -> list[TraceRow]:
    """Trace a tenant's gathered inputs (`regtrace.trace.gather`) against the obligations of `graph`, the
    registers' provision ids translated through `ids` (old -> new; the identity for the text they name).
    A rule provision the amendment renumbers keeps its rule (`rule_relabelling`)."""
    relabel = rule_relabelling(graph, ids)
    if not relabel:
        return fast.evaluate(with_regulation(inputs, graph, ids))
    translated = {old: relabel.get(new, new) for old, new in ids.items()}
    rows = fast.evaluate(with_regulation(inputs, _relabelled(graph, relabel), translated))
    back = {v: k for k, v in relabel.items()}
    return [_row_back(row, back) for row in rows]


# ---------------------------------------------------------------- the impact


@dataclass(frozen=True)
class StatusChange:
    """A trace row whose status would change: None where the row does not exist on that side."""

    provision: str  # the amended text's id, or the current one's when the provision goes
    old_provision: str | None
    subject: str
    old: str | None
    new: str | None

    def to_json(self) -> dict[str, Any]:
        return {"provision": self.provision, "old_provision": self.old_provision, "subject": self.subject,
                "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ChangeImpact:
    """One change of the diff and what of the tenant's it touches."""

    change: Change
    controls: tuple[str, ...]
    contracts: tuple[str, ...]
    evidence: tuple[str, ...]
    arrangements: tuple[str, ...]
    status_changes: tuple[StatusChange, ...]

    def to_json(self) -> dict[str, Any]:
        return {**self.change.to_json(), "controls": list(self.controls), "contracts": list(self.contracts),
                "evidence": list(self.evidence), "arrangements": list(self.arrangements),
                "status_changes": [s.to_json() for s in self.status_changes]}


@dataclass(frozen=True)
class Impact:
    tenant: str
    as_of: dt.date
    amendment: Amendment
    changes: list[ChangeImpact]
    # Rows whose status changes though the diff does not list their provision (roll-ups, rows whose
    # conditions depend on others, e.g. A6.P2 on the contract items).
    other_status_changes: list[StatusChange]

    @property
    def diff(self) -> RegulationDiff:
        return self.amendment.diff

    @property
    def warnings(self) -> list[str]:
        return [*self.diff.warnings, *self.amendment.warnings]

    def to_json(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.changes]


def _rows_by_key(rows: Sequence[TraceRow]) -> dict[tuple[str, str], TraceRow]:
    return {(r.provision, r.subject): r for r in rows}


def _status_changes(old_rows: Mapping[tuple[str, str], TraceRow], new_rows: Mapping[tuple[str, str], TraceRow],
                    old_id: str | None, new_id: str | None, order: Mapping[str, int]) -> list[StatusChange]:
    subjects = sorted({s for (p, s) in old_rows if p == old_id} | {s for (p, s) in new_rows if p == new_id},
                      key=lambda s: (s != COMPANY, order.get(s, 0), s))
    found = []
    for subject in subjects:
        before = old_rows.get((old_id or "", subject))
        after = new_rows.get((new_id or "", subject))
        old_status = before.status if before else None
        new_status = after.status if after else None
        if old_status != new_status:
            found.append(StatusChange(new_id or old_id or "", old_id, subject, old_status, new_status))
    return found


def _touching(under: Mapping[str, list[str]], pid: str | None, mapped: Mapping[str, Iterable[str]]) -> set[str]:
    return {x for oid in (under.get(pid, ()) if pid else ()) for x in mapped.get(oid, ())}


def _evidence(store: Store, tenant: str, controls: Iterable[str], as_of: dt.date) -> dict[str, list[str]]:
    """Control id -> its evidence ids collected on or before the date."""
    uids = tuple(node_uid(tenant, c) for c in sorted(set(controls)))
    found: dict[str, list[str]] = {}
    if not uids:
        return found
    query = RelatedQuery("Control", uids, (Hop("EVIDENCES", "in", "Evidence"),), tenant,
                         Compare("collected_on", "lte", as_of))
    for hit in store.related(query):
        found.setdefault(hit["_from"].split("/", 1)[1], []).append(hit["evidence_id"])
    return found


@dataclass(frozen=True)
class ImpactReads:
    """What `impact` reads from the store (one job for the API's store queue): the tenant's trace inputs, the
    controls and contracts each change touches and their evidence."""

    tenant: str
    as_of: dt.date
    inputs: TraceInputs
    touched: list[tuple[Change, set[str], set[str]]]  # each change, its control ids and contract ids
    evidence: dict[str, list[str]]  # control id -> evidence ids collected on or before as_of


def _by_obligation(inputs: TraceInputs) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Obligation id -> the control ids satisfying it, and -> the contract ids listing it."""
    controls = {oid: [link["control_id"] for link in links] for oid, links in inputs.controls.items()}
    contracts: dict[str, list[str]] = {}
    for k in inputs.contracts:
        for oid in k.clauses:
            contracts.setdefault(oid, []).append(k.contract_id)
    return controls, contracts


def read_impact(store: Store, tenant: str, amendment: Amendment, as_of: dt.date) -> ImpactReads:
    """The store reads of `impact`; NotFoundError for a tenant without registers or an empty store."""
    tenant = require_tenant(store, tenant)
    inputs = gather(store, tenant, as_of)
    amended_inputs = with_regulation(inputs, amendment.amended.graph, amendment.ids)
    old_under, new_under = amendment.current.under(), amendment.amended.under()
    old_controls, old_contracts = _by_obligation(inputs)
    new_controls, new_contracts = _by_obligation(amended_inputs)
    touched = [(c, _touching(old_under, c.old_id, old_controls) | _touching(new_under, c.new_id, new_controls),
                _touching(old_under, c.old_id, old_contracts) | _touching(new_under, c.new_id, new_contracts))
               for c in amendment.diff.changes]
    evidence = _evidence(store, tenant, {x for _, controls, _ in touched for x in controls}, as_of)
    return ImpactReads(tenant, as_of, inputs, touched, evidence)


def finish_impact(reads: ImpactReads, amendment: Amendment) -> Impact:
    """The impact from its reads: the trace rules run on the current and the amended obligations (pure
    computation, no store)."""
    current = amendment.current
    identity = {oid: oid for oid in current.obligation_ids}
    old_rows = _rows_by_key(trace_against(reads.inputs, current.graph, identity))
    new_rows = _rows_by_key(trace_against(reads.inputs, amendment.amended.graph, amendment.ids))
    order = {a: i for i, a in enumerate(sorted(a.arrangement_id for a in reads.inputs.arrangements))}
    changes = []
    for c, controls, contracts in reads.touched:
        applicable = {s for (p, s), r in old_rows.items() if p == c.old_id and r.status != "not_applicable"}
        applicable |= {s for (p, s), r in new_rows.items() if p == c.new_id and r.status != "not_applicable"}
        changes.append(ChangeImpact(
            c, tuple(sorted(controls)), tuple(sorted(contracts)),
            tuple(sorted({e for x in controls for e in reads.evidence.get(x, ())})),
            tuple(sorted(applicable - {COMPANY})),
            tuple(_status_changes(old_rows, new_rows, c.old_id, c.new_id, order))))
    attributed = {(s.old_provision, s.provision, s.subject) for ci in changes for s in ci.status_changes}
    back = {new_id: old_id for old_id, new_id in amendment.ids.items()}
    others = [s for p in amendment.amended.graph.provisions
              for s in _status_changes(old_rows, new_rows, back.get(p["provision_id"]), p["provision_id"], order)
              if (s.old_provision, s.provision, s.subject) not in attributed]
    return Impact(reads.tenant, reads.as_of, amendment, changes, others)


def impact(store: Store, tenant: str, amendment: Amendment, as_of: dt.date) -> Impact:
    """What adopting the amendment would change for `tenant` as of the date; reads the store, writes nothing."""
    return finish_impact(read_impact(store, tenant, amendment, as_of), amendment)
