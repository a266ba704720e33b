"""The GraphQL schema: generated ontology types and queries, the dashboard queries and the mutations.

Field names follow the ontology (snake_case properties such as valid_until) and the API's own arguments are
camelCase (asOf, groupBy), so the schema is built with auto_camelcase off. `schema_sdl()` prints it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import graphene
from graphql import GraphQLSchema, print_schema
from regtrace.ontology.model import load_ontology

from .certifications import certification_fields
from .changes import changes_fields
from .dashboard import dashboard_fields
from .impact import impact_fields
from .mutations import mutation_fields
from .navigation import served_classes
from .queries import entity_fields
from .sector import sector_fields
from .trace_state import trace_state_fields
from .trend import trend_fields
from .types import build_types
from .versions import version_mutation_fields, version_query_fields


@cache
def build_schema() -> GraphQLSchema:
    """The executable schema (built once per process)."""
    classes = served_classes()
    types = build_types((*classes, load_ontology().classes["ChangeLogEntry"]))
    query_fields: dict[str, Any] = {**dashboard_fields(types), **entity_fields(types, classes)}
    query_fields.update(certification_fields())
    query_fields.update(trend_fields())
    query_fields.update(changes_fields())
    query_fields.update(sector_fields())
    query_fields.update(version_query_fields())
    query_fields.update(impact_fields())
    query_fields.update(trace_state_fields())
    query = type("Query", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "regtrace 雲端委外法遵追溯 / cloud outsourcing traceability"}),
        **query_fields})
    mutation = type("Mutation", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "異動（officer, admin）/ changes (officer and admin tokens)"}),
        **mutation_fields(types), **version_mutation_fields()})
    schema = graphene.Schema(query=query, mutation=mutation, auto_camelcase=False)
    graphql_schema: GraphQLSchema = schema.graphql_schema
    return graphql_schema


def schema_sdl() -> str:
    return print_schema(build_schema())
