"""The ontology's Turtle files read with rdflib into the plain model of regtrace.ontology.model.

Kept apart from the model so that a process answered by the kept copy (regtrace.ontology.kept) never imports
rdflib (a fifth of a second of CPU).
"""

from __future__ import annotations

from importlib.resources import files

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH, XSD
from rdflib.term import Node

from .model import ClassModel, Datatype, Field, Ontology, Relation, local, relationship_type

RT = Namespace("https://w3id.org/regtrace/ontology#")
_DATATYPES: dict[URIRef, Datatype] = {
    XSD.string: "string",
    XSD.date: "date",
    XSD.boolean: "boolean",
    XSD.integer: "integer",
}



def _label(g: Graph, subject: URIRef, lang: str) -> str:
    for value in g.objects(subject, RDFS.label):
        if isinstance(value, RdfLiteral) and value.language == lang:
            return str(value)
    return local(subject)


def _field(g: Graph, shape: Node) -> Field:
    path = g.value(shape, SH.path)
    assert isinstance(path, URIRef), f"property shape without sh:path: {shape}"
    datatype = g.value(shape, SH.datatype)
    target = g.value(shape, SH["class"])
    allowed_list = g.value(shape, SH["in"])
    allowed = tuple(str(v) for v in Collection(g, allowed_list)) if allowed_list is not None else ()
    column = g.value(shape, RT.column)
    wildcard = g.value(shape, RT.wildcard)
    pattern = g.value(shape, SH.pattern)
    name = local(path)
    return Field(
        name=name,
        column=str(column) if column is not None else name,
        datatype=_DATATYPES[datatype] if isinstance(datatype, URIRef) else None,
        target=local(target) if target is not None else None,
        required=_int(g.value(shape, SH.minCount)) >= 1,
        many=g.value(shape, SH.maxCount) is None,
        allowed=allowed,
        pattern=str(pattern) if pattern is not None else None,
        wildcard=str(wildcard) if wildcard is not None else None,
        derived=bool(g.value(path, RT.derived)),
        label_zh=_label(g, path, "zh-TW"),
        label_en=_label(g, path, "en"),
        order=_int(g.value(shape, SH.order)),
        secret=bool(g.value(path, RT.secret)),
    )


def _edge_field(g: Graph, name: str, order: int) -> Field:
    """A value carried by a relationship (rt:edgeProperty): always an optional list."""
    datatype = g.value(RT[name], RDFS.range)
    assert isinstance(datatype, URIRef), f"edge property {name} has no datatype range"
    return Field(name, name, _DATATYPES[datatype], None, False, True, (), None, None, False,
                 _label(g, RT[name], "zh-TW"), _label(g, RT[name], "en"), order)


def _int(value: Node | None) -> int:
    return int(value.toPython()) if isinstance(value, RdfLiteral) else 0


def ontology_graph() -> Graph:
    """The ontology and its shapes as one rdflib graph."""
    g = Graph()
    base = files("regtrace.ontology")
    for name in ("regtrace.ttl", "shapes.ttl"):
        g.parse(data=base.joinpath(name).read_text(encoding="utf-8"), format="turtle")
    return g


def read_ontology() -> Ontology:
    """The ontology, from its files."""
    g = ontology_graph()
    classes: dict[str, ClassModel] = {}
    relations: list[Relation] = []
    for cls in sorted(g.subjects(RDF.type, OWL.Class), key=str):
        assert isinstance(cls, URIRef)
        shape = g.value(predicate=SH.targetClass, object=cls)
        fields = sorted((_field(g, s) for s in g.objects(shape, SH.property)), key=lambda f: f.order)
        register = g.value(cls, RT.register)
        max_rows = g.value(cls, RT.maxRows)
        name = local(cls)
        classes[name] = ClassModel(
            name=name,
            label_zh=_label(g, cls, "zh-TW"),
            label_en=_label(g, cls, "en"),
            register=str(register) if register is not None else None,
            key=local(g.value(cls, RT.key)),
            tenant_scoped=bool(g.value(cls, RT.tenantScoped).toPython()),  # type: ignore[union-attr]
            fields=tuple(fields),
            max_rows=_int(max_rows) if max_rows is not None else None,
        )
        for f in fields:
            if f.target is not None:
                edge_props = [local(p) for p in g.objects(RT[f.name], RT.edgeProperty)]
                edge_fields = tuple(_edge_field(g, p, i) for i, p in enumerate(sorted(edge_props)))
                inverse = g.value(RT[f.name], RT.inverseName)
                relations.append(
                    Relation(
                        f.name,
                        relationship_type(f.name),
                        name,
                        f.target,
                        f.many,
                        edge_fields,
                        str(inverse) if inverse is not None else None,
                    )
                )
    facts_field = classes["OutsourcingArrangement"].field("facts")
    return Ontology(classes=classes, relations=tuple(relations), facts=facts_field.allowed)
