"""The regulation and one tenant's registers as RDF under the regtrace ontology: Turtle and JSON-LD.

Every node becomes a resource https://w3id.org/regtrace/id/{tenant}/{Class}/{id} (regulation nodes, shared by
all tenants: https://w3id.org/regtrace/id/{Class}/{id}) typed with its ontology class; values become typed
literals (dates xsd:date) of the ontology's datatype properties, relationships its object properties. The
articles and points a provision cites of another instrument (properties of the `references` relationship)
hang off an rdf:Statement that reifies the reference.

Both formats are written from the same node descriptions, page by page, so a tenant with a million evidence
items streams (rdflib's in-memory graph would need minutes and gigabytes for that): Turtle one subject block
at a time, JSON-LD as compact JSON under a context generated from the ontology. The tests parse both with
rdflib, check they are the same graph and validate it against the SHACL shapes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib import RDF, XSD, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS
from regtrace.graph.port import Row
from regtrace.ontology.model import ClassModel, load_ontology, relationship_type
from regtrace.ontology.reading import RT

from .data import ExportData, key_of
from .evidence import EvidencePage

ID = "https://w3id.org/regtrace/id/"
ONTOLOGY = URIRef("https://w3id.org/regtrace/ontology")
PREFIXES = {"rt": str(RT), "xsd": str(XSD), "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL),
            "dcterms": str(DCTERMS)}
_XSD = {"date": XSD.date, "boolean": XSD.boolean, "integer": XSD.integer}


@dataclass
class Resource:
    """One node: its IRI, class and (property, value) pairs; a value is a Python value or an IRI."""

    iri: str
    types: list[str]  # CURIEs, e.g. rt:Provision
    values: list[tuple[str, Any, str | None]] = field(default_factory=list)  # (CURIE, value, datatype name)
    links: list[tuple[str, str]] = field(default_factory=list)  # (CURIE, IRI)


def node_iri(tenant: str | None, cls: str, key: str) -> str:
    """https://w3id.org/regtrace/id/{tenant}/{Class}/{id}, the tenant left out for regulation nodes."""
    prefix = f"{ID}{quote(tenant, safe='-._~')}/" if tenant else ID
    return f"{prefix}{cls}/{quote(key, safe='-._~')}"


def dataset_iri(tenant: str) -> str:
    return f"{ID}{quote(tenant, safe='-._~')}/export"


class _Describer:
    """Turns store rows into Resources, using the ontology for property names, types and relationships."""

    def __init__(self, data: ExportData) -> None:
        self.data = data
        self.onto = load_ontology()
        self._prefixes = {c.name: f"{ID}{quote(data.meta.tenant, safe='-._~')}/{c.name}/" if c.tenant_scoped
                          else f"{ID}{c.name}/" for c in self.onto.classes.values()}
        # IRIs of link targets, which recur (controls, arrangements); keyed by class too, since a lead-in duty's
        # Obligation has its Provision's id
        self._linked: dict[tuple[str, str], str] = {}
        # per class: (name, CURIE, datatype) of its shown values and (name, CURIE, target class) of its links
        self._values = {c.name: [(f.name, f"rt:{f.name}", f.datatype if f.datatype != "string" else None)
                                 for f in c.attributes if not f.secret] for c in self.onto.classes.values()}
        self._links = {c.name: [(f.name, f"rt:{f.name}", f.target or "") for f in c.references]
                       for c in self.onto.classes.values()}

    def iri(self, cls: str, uid: str) -> str:
        key = key_of(uid) if self.onto.classes[cls].tenant_scoped else uid
        return self._prefixes[cls] + quote(key, safe="-._~")

    def _target(self, cls: str, uid: str) -> str:
        iri = self._linked.get((cls, uid))
        if iri is None:
            iri = self._linked[(cls, uid)] = self.iri(cls, uid)
        return iri

    def describe(self, model: ClassModel, row: Row, links: dict[str, list[str]]) -> Resource:
        res = Resource(self.iri(model.name, row["uid"]), [f"rt:{model.name}"])
        values = res.values
        for name, curie, datatype in self._values[model.name]:
            raw = row.get(name)
            if isinstance(raw, list):
                values.extend((curie, v, datatype) for v in raw if v is not None and v != "")
            elif raw is not None and raw != "":
                values.append((curie, raw, datatype))
        for name, curie, target in self._links[model.name]:
            for uid in links.get(name, ()):
                res.links.append((curie, self._target(target, uid)))
        return res

    def header(self) -> Resource:
        m = self.data.meta
        res = Resource(dataset_iri(m.tenant), ["owl:Ontology"])
        res.links.append(("owl:imports", str(ONTOLOGY)))
        res.values += [
            ("dcterms:title", f"regtrace export — {m.tenant} — {m.as_of.isoformat()}", None),
            ("dcterms:date", m.as_of, "date"),
            ("dcterms:created", m.generated_at, "dateTime"),
            ("dcterms:creator", f"{m.generator} {m.version}", None),
            ("rt:tenant", m.tenant, None),
        ]
        return res

    def _outgoing(self, model: ClassModel,
                  links: dict[tuple[str, str, str], list[Row]]) -> dict[str, dict[str, list[str]]]:
        """Source uid -> property name -> target uids, for every relationship leaving the class."""
        result: dict[str, dict[str, list[str]]] = {}
        for f in model.references:
            assert f.target is not None
            for r in links.get((relationship_type(f.name), model.name, f.target), []):
                result.setdefault(r["source"], {}).setdefault(f.name, []).append(r["target"])
        return result

    def nodes(self) -> Iterator[Resource]:
        """Every node but evidence (see evidence), then the reified references."""
        for model in self.onto.classes.values():
            if model.name not in self.data.nodes or model.name == "Evidence":
                continue
            outgoing = self._outgoing(model, self.data.links)
            for row in self.data.nodes[model.name]:
                yield self.describe(model, row, outgoing.get(row["uid"], {}))
        for r in self.data.links.get(("REFERENCES", "Provision", "Instrument"), []):
            source, target = self.iri("Provision", r["source"]), self.iri("Instrument", r["target"])
            stmt = Resource(f"{source}/references/{quote(r['target'], safe='-._~')}", ["rdf:Statement"])
            stmt.links += [("rdf:subject", source), ("rdf:predicate", f"{RT}references"), ("rdf:object", target)]
            stmt.values += [("rt:articles", a, "integer") for a in r.get("articles") or ()]
            stmt.values += [("rt:points", p, "integer") for p in r.get("points") or ()]
            yield stmt

    def evidence(self, page: EvidencePage) -> Iterator[Resource]:
        model = self.onto.classes["Evidence"]
        for row in page.rows:
            links = {"evidences": [page.control_of[row["uid"]]] if row["uid"] in page.control_of else [],
                     "concerns": [page.arrangement_of[row["uid"]]] if row["uid"] in page.arrangement_of else []}
            yield self.describe(model, row, links)


def resources(data: ExportData) -> Iterator[list[Resource]]:
    """The export as pages of resources: the header and every non-evidence node, then evidence pages."""
    d = _Describer(data)
    yield [d.header(), *d.nodes()]
    for page in data.evidence_pages():
        yield list(d.evidence(page))


# ---------------------------------------------------------------- Turtle


def _turtle_literal(value: Any, datatype: str | None) -> str:
    """A Turtle literal: JSON string escapes are Turtle's (ECHAR and UCHAR), so json.dumps quotes safely."""
    if datatype == "boolean":
        return "true" if value else "false"
    if datatype == "integer":
        return str(int(value))
    if datatype == "dateTime":
        return f'"{value.isoformat()}"^^xsd:dateTime'
    if datatype == "date":
        return f'"{value.isoformat()}"^^xsd:date'
    return json.dumps(str(value), ensure_ascii=False)


def to_turtle(res: Resource) -> str:
    """One subject block: its types, values and links, predicates in a fixed order."""
    lines = [f"<{res.iri}> a {', '.join(res.types)}"]
    grouped: dict[str, list[str]] = {}
    for p, value, datatype in res.values:
        grouped.setdefault(p, []).append(_turtle_literal(value, datatype))
    for p, target in res.links:
        grouped.setdefault(p, []).append(f"<{target}>")
    lines += [f"    {p} {', '.join(objects)}" for p, objects in grouped.items()]
    return " ;\n".join(lines) + " .\n"


# ---------------------------------------------------------------- JSON-LD


def context() -> dict[str, Any]:
    """The JSON-LD context: prefixes, a term per ontology class and property, dates and links typed."""
    onto = load_ontology()
    ctx: dict[str, Any] = dict(PREFIXES)
    for model in onto.classes.values():
        ctx[model.name] = f"rt:{model.name}"
        for f in model.fields:
            if f.target is not None:
                ctx[f.name] = {"@id": f"rt:{f.name}", "@type": "@id"}
            elif f.datatype == "date":
                ctx[f.name] = {"@id": f"rt:{f.name}", "@type": "xsd:date"}
            elif f.name not in ctx:
                ctx[f.name] = f"rt:{f.name}"
    for name in ("articles", "points"):
        ctx.setdefault(name, f"rt:{name}")
    return ctx


def _jsonld_value(value: Any, datatype: str | None) -> Any:
    if datatype in ("boolean", "integer"):
        return value
    if isinstance(value, dt.datetime):
        return {"@value": value.isoformat(), "@type": "xsd:dateTime"}
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def to_jsonld(res: Resource, ctx: dict[str, Any]) -> dict[str, Any]:
    """A resource as a compact JSON-LD node object under `context()`."""
    node: dict[str, Any] = {"@id": res.iri, "@type": [t[3:] if t.startswith("rt:") else t for t in res.types]}
    if len(node["@type"]) == 1:
        node["@type"] = node["@type"][0]

    def put(key: str, value: Any) -> None:
        node.setdefault(key, []).append(value)

    for curie, value, datatype in res.values:
        term = curie[3:] if curie.startswith("rt:") and curie[3:] in ctx else curie
        if term == curie and datatype in ("date", "dateTime"):  # a term without coercion: type it inline
            put(term, {"@value": value.isoformat(), "@type": f"xsd:{datatype}"})
        elif term != curie and isinstance(ctx[term], dict) and ctx[term].get("@type") == "xsd:date":
            put(term, value.isoformat())
        else:
            put(term, _jsonld_value(value, datatype))
    for curie, target in res.links:
        term = curie[3:] if curie.startswith("rt:") and isinstance(ctx.get(curie[3:]), dict) else curie
        put(term, target if term != curie else {"@id": target})
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 and k not in ("@type",) else v) for k, v in node.items()}


# ---------------------------------------------------------------- both, in one pass over the store


def write_rdf(data: ExportData, turtle: Path | None, jsonld: Path | None) -> list[Path]:
    """Write Turtle and/or JSON-LD in one pass over the resources (the evidence is read from the store once)."""
    ctx = context()
    with ExitStack() as stack:
        ttl = stack.enter_context(turtle.open("w", encoding="utf-8")) if turtle else None
        js = stack.enter_context(jsonld.open("w", encoding="utf-8")) if jsonld else None
        if ttl:
            ttl.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n")
        if js:
            js.write('{\n"@context": ' + json.dumps(ctx, ensure_ascii=False, sort_keys=True) + ',\n"@graph": [\n')
        separator = ""
        for page in resources(data):
            if ttl:
                ttl.write("\n".join(to_turtle(r) for r in page) + "\n")
            if js and page:
                js.write(separator + ",\n".join(json.dumps(to_jsonld(r, ctx), ensure_ascii=False, sort_keys=True)
                                                 for r in page))
                separator = ",\n"
        if js:
            js.write("\n]\n}\n")
    return [p for p in (turtle, jsonld) if p is not None]


def write_turtle(data: ExportData, path: Path) -> Path:
    """The graph as Turtle, written resource by resource (a million evidence items stream through)."""
    return write_rdf(data, path, None)[0]


def write_jsonld(data: ExportData, path: Path) -> Path:
    """The graph as JSON-LD: {"@context": …, "@graph": [...]}, one node object per line, streamed."""
    return write_rdf(data, None, path)[0]
