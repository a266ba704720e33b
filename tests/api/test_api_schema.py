"""The schema: a snapshot of its SDL (REGTRACE_UPDATE_SNAPSHOTS=1 rewrites it) and its agreement with the
ontology (every class, field and relationship has its GraphQL counterpart)."""

from __future__ import annotations

import os
from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLObjectType
from regtrace.api.navigation import navigations, served_classes
from regtrace.api.schema import build_schema, schema_sdl

SNAPSHOT = Path(__file__).resolve().parent.parent / "snapshots" / "schema.graphql"


def test_schema_matches_the_snapshot() -> None:
    sdl = schema_sdl() + "\n"
    if os.environ.get("REGTRACE_UPDATE_SNAPSHOTS") or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(sdl, encoding="utf-8")
    assert sdl == SNAPSHOT.read_text(encoding="utf-8"), "schema changed: rerun with REGTRACE_UPDATE_SNAPSHOTS=1"


def test_every_ontology_class_field_and_relationship_is_in_the_schema() -> None:
    schema = build_schema()
    for cls in served_classes():
        gql = schema.get_type(cls.name)
        assert isinstance(gql, GraphQLObjectType), cls.name
        assert cls.label_zh in (gql.description or "") and cls.label_en in (gql.description or "")
        for f in cls.attributes:
            if f.secret:
                assert f.name not in gql.fields
                continue
            assert f.name in gql.fields, f"{cls.name}.{f.name}"
            assert f.label_en in (gql.fields[f.name].description or "")
        for nav in navigations()[cls.name]:
            assert nav.name in gql.fields, f"{cls.name}.{nav.name}"
        where = schema.get_type(f"{cls.name}Where")
        assert isinstance(where, GraphQLInputObjectType)
        assert {"AND", "OR", "NOT"} <= set(where.fields)
    assert schema.get_type("ApiToken") is None  # tokens never show, not even their hashes
