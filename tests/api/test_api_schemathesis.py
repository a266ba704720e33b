"""Schemathesis generates GraphQL queries from the schema and sends them to the app in-process: no answer may
be a server error. Bounded (a few examples per root field) so the run stays well under a minute."""

from __future__ import annotations

from typing import Any

import schemathesis
from api_fixtures import Template
from hypothesis import HealthCheck, given, settings
from regtrace.api.app import create_app
from regtrace.graph.ladybug_store import LadybugStore

EXAMPLES = 4


def test_generated_queries_never_get_a_server_error(api_store: LadybugStore, api_template: Template) -> None:
    app = create_app(api_store, introspection=True)
    headers = {"Authorization": f"Bearer {api_template.tokens['admin']}"}
    loaded = schemathesis.graphql.from_asgi("/graphql", app, headers=headers)
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) > 40
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            response = case.call(headers=headers)
            body = response.json()
            internal = [e for e in body.get("errors") or [] if e["extensions"]["code"] == "INTERNAL_SERVER_ERROR"]
            if response.status_code >= 500 or internal or not ("data" in body or "errors" in body):
                failures.append(f"{case.operation.label}: {response.status_code} {case.body} -> {response.text[:300]}")

        check()
    assert not failures, "\n".join(failures[:5])
