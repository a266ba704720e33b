"""OSCAL 1.1 JSON: a catalog of the regulation's provisions and assessment results for the trace.

Catalog: a group per article, a control per provision (nested as the provisions are), its text in a
`statement` part, props for the citation label, level, modalities, conditions and, for obligations, whom
they fall on and the trace rule; the instruments the rules cite are back-matter resources with their status.
Assessment results: one result as of the date, the arrangements (and the company) as local components,
an observation per obligation × subject and a finding per applicable one (satisfied when covered).
UUIDs are uuid5 of stable names, so the same data always gives the same documents.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from regtrace.crosswalk import oscal as crosswalk_oscal
from regtrace.trace import COMPANY, TraceRow

from regtrace import labels

from .data import ExportData

OSCAL_VERSION = "1.1.2"
NS = "https://w3id.org/regtrace/ontology"
UUID_NS = uuid.UUID("6b7c2f0e-53a4-5d0c-9d8e-7265677472ac")  # regtrace's namespace for uuid5
TAIPEI = dt.timezone(dt.timedelta(hours=8))
SEED_INSTRUMENT = "TIA-CLOUD-SRR"


DELETED = "（刪除）"


def stable_uuid(*parts: object) -> str:
    """uuid5 of the parts joined by '/': the same name gives the same UUID."""
    return str(uuid.uuid5(UUID_NS, "/".join(str(p) for p in parts)))


def _prop(name: str, value: object, ns: bool = True) -> dict[str, str]:
    p = {"name": name, "value": str(value).strip()}
    if ns:
        p["ns"] = NS
    return p


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _metadata(d: ExportData, title: str, props: list[dict[str, str]]) -> dict[str, Any]:
    return {"title": title, "last-modified": d.meta.generated_at.isoformat(), "version": d.meta.version,
            "oscal-version": OSCAL_VERSION, "props": [_prop("generator", f"{d.meta.generator} {d.meta.version}"),
                                                      *props]}


# ---------------------------------------------------------------- catalog


def _control(d: ExportData, p: dict[str, Any], children: dict[str, list[dict[str, Any]]],
             resources: dict[str, str]) -> dict[str, Any]:
    pid = p["provision_id"]
    o = d.obligations.get(pid)
    props = [_prop("label", p["label"], ns=False), _prop("sort-id", f"{p['ordinal']:04d}", ns=False),
             _prop("level", p["level"])]
    props += [_prop("modality", m) for m in p["modalities"] or ()]
    if p["effective_modality"]:
        props.append(_prop("effective-modality", p["effective_modality"]))
    props += [_prop("condition", c) for c in p["conditions"] or ()]
    if p["frequency_months"]:
        props.append(_prop("frequency-months", p["frequency_months"]))
    if o:
        props += [_prop("obligation", "true"), _prop("falls-on", o["falls_on"]), _prop("trace-rule", o["rule"])]
    if p["text"] == DELETED:  # （刪除）: kept so that numbers never shift, no longer in force
        props.append(_prop("status", "withdrawn", ns=False))
    control: dict[str, Any] = {"id": pid, "class": p["level"], "title": p["label"], "props": props,
                               "parts": [{"id": f"{pid}_smt", "name": "statement", "prose": p["text"]}]}
    refs = [r for r in d.references if r.provision_id == pid]
    if refs:
        control["links"] = [{"href": f"#{resources[r.instrument_id]}", "rel": "reference",
                             "text": _one_line(f"「{r.title}」 {' '.join(f'第{x}點' for x in r.points)}")}
                            for r in refs]
    subs = [_control(d, c, children, resources) for c in children.get(pid, [])]
    if subs:
        control["controls"] = subs
    return control


def _back_matter(d: ExportData) -> tuple[dict[str, str], list[dict[str, Any]]]:
    successor = {r.instrument_id: r.successor_id for r in d.references}
    ids: dict[str, str] = {}
    resources = []
    for i in d.nodes["Instrument"]:
        rid = stable_uuid("instrument", i["instrument_id"])
        ids[i["instrument_id"]] = rid
        props = [_prop("instrument-id", i["instrument_id"]), _prop("status", i["status"])]
        props += [_prop(k.replace("_", "-"), i[k]) for k in ("kind", "promulgated_on", "effective_from",
                                                              "abolished_on") if i.get(k)]
        if successor.get(i["instrument_id"]):
            props.append(_prop("superseded-by", successor[i["instrument_id"]]))
        resource: dict[str, Any] = {"uuid": rid, "title": i["title"], "props": props,
                                    "citation": {"text": f"{i['title']} ({i.get('title_en') or i['instrument_id']})"}}
        if i.get("note"):
            resource["description"] = i["note"]
        resources.append(resource)
    return ids, resources


def _revisions(d: ExportData) -> list[dict[str, Any]]:
    """Every stored version of the regulation, oldest first (OSCAL revision history)."""
    revisions = []
    for v in sorted(d.nodes.get("InstrumentVersion", []), key=lambda r: r["ordinal"]):
        props = [_prop("source-sha256", v["source_sha256"])]
        props += [_prop(k.replace("_", "-"), v[k]) for k in ("promulgated_on", "effective_from", "effective_until")
                  if v.get(k)]
        revision: dict[str, Any] = {"title": f"版本 version {v['version']}", "version": v["version"], "props": props}
        if v.get("promulgated_on"):
            revision["published"] = f"{v['promulgated_on'].isoformat()}T00:00:00+08:00"
        revisions.append(revision)
    return revisions


def catalog(d: ExportData) -> dict[str, Any]:
    """The regulation as an OSCAL catalog (the same for every tenant)."""
    children: dict[str, list[dict[str, Any]]] = {}
    for p in d.provisions:
        if len(p["path"]) > 1:
            children.setdefault(p["path"][-2], []).append(p)
    ids, resources = _back_matter(d)
    groups = []
    for article in (p for p in d.provisions if p["level"] == "article"):
        n = article["provision_id"][1:]  # 6, or 6-1 for 第六條之一 (A6-1)
        groups.append({"id": f"art-{n}", "class": "article", "title": f"{article['label']} Article {n}",
                       "props": [_prop("label", article["label"], ns=False)],
                       "controls": [_control(d, c, children, ids) for c in children.get(article["provision_id"], [])]})
    instrument = next((i for i in d.nodes["Instrument"] if i["instrument_id"] == SEED_INSTRUMENT), None)
    title = instrument["title"] if instrument else "regtrace catalog"
    metadata = _metadata(d, title, [_prop("instrument-id", SEED_INSTRUMENT)])
    if d.meta.regulation_version:
        metadata["version"] = d.meta.regulation_version
        metadata["props"].append(_prop("tool-version", d.meta.version))
        metadata["revisions"] = _revisions(d)
    return {"catalog": {
        "uuid": stable_uuid("catalog", SEED_INSTRUMENT, d.meta.regulation_version or ""),
        "metadata": metadata,
        "groups": groups,
        "back-matter": {"resources": resources},
    }}


# ---------------------------------------------------------------- assessment results


def _components(d: ExportData) -> dict[str, dict[str, Any]]:
    arrangements = d.by_key("OutsourcingArrangement")
    csp_of = d.csp_of
    company = {"uuid": stable_uuid("subject", d.meta.tenant, COMPANY), "type": "this-system",
               "title": f"{labels.SUBJECT_COMPANY[0]} {d.meta.company_name}",
               "description": "The member company as a whole (governance, training, board oversight).",
               "status": {"state": "operational"}}
    result: dict[str, dict[str, Any]] = {COMPANY: company}
    # the arrangements in effect and those ended before the date (subjects of the deletion duty)
    for aid in sorted(d.active | {r.subject for r in d.trace if r.subject != COMPANY}):
        a = arrangements[aid]
        props = [_prop("arrangement-id", aid), _prop("service-model", a["service_model"])]
        props += [_prop("fact", f) for f in a["facts"] or ()]
        if csp_of.get(aid):
            props.append(_prop("csp-id", csp_of[aid]))
        result[aid] = {"uuid": stable_uuid("subject", d.meta.tenant, aid), "type": "service",
                       "title": _one_line(f"{aid} {a['name']}"), "description": "委外事項 Outsourcing arrangement",
                       "props": props, "status": {"state": "operational"}}
    return result


def _evidence(d: ExportData, row: TraceRow) -> list[dict[str, Any]]:
    evidence = d.by_key("Evidence")
    items = []
    for eid in row.evidence:
        e = evidence.get(eid)
        item: dict[str, Any] = {"description": _one_line(f"佐證 Evidence {eid}" + (f": {e['title']}" if e else ""))}
        if e and e.get("uri"):
            item["href"] = e["uri"]
        if e and e.get("sha256"):
            item["props"] = [_prop("sha256", e["sha256"])]
        items.append(item)
    items += [{"description": f"契約 Contract {k}"} for k in row.contracts]
    items += [{"description": f"查核 Audit {a}"} for a in row.audits]
    return items


def _observation(d: ExportData, r: TraceRow, subject: dict[str, Any], when: str) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "uuid": stable_uuid("observation", d.meta.tenant, d.meta.as_of, r.provision, r.subject),
        "title": f"{r.label} {r.provision} — {r.subject}",
        "description": f"{labels.status(r.status)}: {r.reason_zh} ({r.reason_en})",
        "props": [_prop("status", r.status), *([_prop("modality", r.modality)] if r.modality else []),
                  *([_prop("trace-rule", r.rule)] if r.rule else []),
                  *([_prop("control-id", c) for c in r.controls])],
        "methods": ["EXAMINE"],
        "subjects": [{"subject-uuid": subject["uuid"], "type": "component"}],
        "collected": when,
    }
    if r.fresh_until:
        obs["expires"] = dt.datetime.combine(r.fresh_until, dt.time(23, 59, 59), TAIPEI).isoformat()
    evidence = _evidence(d, r)
    if evidence:
        obs["relevant-evidence"] = evidence
    return obs


def _finding(d: ExportData, r: TraceRow, observation: str) -> dict[str, Any]:
    satisfied = r.status == "covered"
    return {
        "uuid": stable_uuid("finding", d.meta.tenant, d.meta.as_of, r.provision, r.subject),
        "title": f"{r.label} {r.provision} — {r.subject}",
        "description": f"{labels.status(r.status)}: {r.reason_zh} ({r.reason_en})",
        "props": [_prop("status", r.status), _prop("subject", r.subject)],
        "target": {"type": "statement-id", "target-id": f"{r.provision}_smt",
                   "status": {"state": "satisfied" if satisfied else "not-satisfied",
                              "reason": "pass" if satisfied else "fail"}},
        "related-observations": [{"observation-uuid": observation}],
    }


def assessment_results(d: ExportData, catalog_href: str = "oscal-catalog.json") -> dict[str, Any]:
    """The trace as OSCAL assessment results: one result, an observation per obligation × subject."""
    m = d.meta
    when = dt.datetime.combine(m.as_of, dt.time(23, 59, 59), TAIPEI).isoformat()
    components = _components(d)
    observations, findings = [], []
    for r in (r for r in d.trace if r.obligation):
        obs = _observation(d, r, components[r.subject], when)
        observations.append(obs)
        if r.status != "not_applicable":
            findings.append(_finding(d, r, obs["uuid"]))
    total = d.overall
    result = {
        "uuid": stable_uuid("result", m.tenant, m.as_of),
        "title": f"追溯結果 Trace — {m.company_name} — {m.as_of.isoformat()}",
        "description": "Every obligation of the cloud outsourcing rules for each arrangement in effect and the "
                       "company, traced to contracts, audits, controls and evidence as of the date (regtrace trace "
                       "semantics).",
        "start": when,
        "props": [_prop("as-of", m.as_of.isoformat()), _prop("tenant", m.tenant),
                  _prop("coverage-percent", "n/a" if total.percent is None else f"{total.percent:.1f}"),
                  *(_prop(f"count-{s.replace('_', '-')}", total.counts.get(s, 0)) for s in
                    ("covered", "stale", "unevidenced", "gap", "not_applicable"))],
        "local-definitions": {"components": list(components.values())},
        "reviewed-controls": {"control-selections": [
            {"include-controls": [{"control-id": o} for o in sorted(d.obligations, key=lambda k: d.obligations[k]
                                                                     ["ordinal"])]}]},
        "observations": observations,
    }
    if findings:
        result["findings"] = findings
    return {"assessment-results": {
        "uuid": stable_uuid("assessment-results", m.tenant, m.as_of),
        "metadata": _metadata(d, f"雲端委外法遵追溯結果 Cloud outsourcing trace — {m.company_name} — "
                                 f"{m.as_of.isoformat()}",
                              [_prop("tenant", m.tenant), _prop("as-of", m.as_of.isoformat())]),
        "import-ap": {"href": catalog_href,
                      "remarks": "regtrace's trace rules stand in for an assessment plan: the controls assessed are "
                                 "the obligations of this catalog."},
        "results": [result],
    }}


def write_json(document: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def mapping_files(d: ExportData) -> list[str]:
    """The file names of the OSCAL 1.2 mapping collections: one per mapping set of the store."""
    return [crosswalk_oscal.file_name(v.set_id) for v in d.crosswalks]


def write_oscal(d: ExportData, catalog_path: Path, results_path: Path) -> list[Path]:
    """Write the catalog, the assessment results (which refer to the catalog by its file name) and a mapping
    collection per mapping set (from the catalog's provisions to the set's framework)."""
    written = [write_json(catalog(d), catalog_path), write_json(assessment_results(d, catalog_path.name), results_path)]
    for view, name in zip(d.crosswalks, mapping_files(d), strict=True):
        document = crosswalk_oscal.mapping_collection(view, generated_at=d.meta.generated_at, version=d.meta.version,
                                                      catalog_href=catalog_path.name)
        written.append(write_json(document, catalog_path.parent / name))
    return written

