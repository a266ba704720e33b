"""Tracing a member company's stored registers against another text's obligations (an amended text built in
memory, or a stored version): `trace_against`, the plain trace rules on the tenant's gathered inputs.

The registers name obligations of the text they were loaded against; they are translated old id → new id
(`ids`, e.g. an amendment's matching). A mapping stored today was expanded, when loaded, to the obligations
that existed then, so a provision the other text adds is met only once a register naming it (or a provision
above it) is loaded again: until then it is a gap, never a guess. The trace rules name two provisions by id
(RULE_PROVISIONS); one the other text renumbers is traced under the id the rules know (`rule_relabelling`), so
it keeps its rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from regtrace.graph.port import Row
from regtrace.regulation_graph import RegulationGraph
from regtrace.trace import TraceInputs, TraceRow, fast
from regtrace.trace.model import DELETION_PROVISION, FINDINGS_DEFAULT_PROVISION

# Provision ids the trace rules name themselves (trace/model.py): moved by an amendment, the rules would miss them.
RULE_PROVISIONS = (FINDINGS_DEFAULT_PROVISION, DELETION_PROVISION)
# A finding whose cited provisions all went keeps citing nothing, not the default provision (A9.P1.I3).
_GONE = "gone:"


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
