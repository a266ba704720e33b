"""A document that passed the spec rules is not parsed and checked again; depth and cost still are, per request."""

from __future__ import annotations

from typing import Any

import pytest
from api_fixtures import Api
from graphql import parse as graphql_parse
from regtrace.api import execution

QUERY = "query($n: Int) { trace(asOf: \"2026-11-29\", first: $n) { totalCount edges { node { provision } } } }"


def test_a_known_document_is_not_parsed_again_but_its_cost_is_checked(api: Api,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    real = graphql_parse

    def counting(text: str, **kwargs: Any) -> Any:
        parsed.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(execution, "parse", counting)
    first = api.data(QUERY, {"n": 5})
    assert api.data(QUERY, {"n": 5}) == first and len(first["trace"]["edges"]) == 5
    assert parsed == [QUERY]
    _, code, _ = api.error(QUERY, {"n": 1_000_000})
    assert code == "QUERY_TOO_COMPLEX"
    status, code, _ = api.error(QUERY.replace("provision", "no_such_field"))
    assert (status, code) == (400, "GRAPHQL_VALIDATION_FAILED")
    status, code, _ = api.error(QUERY.replace("provision", "no_such_field"))
    assert (status, code) == (400, "GRAPHQL_VALIDATION_FAILED")  # an invalid document is never kept
    assert len(parsed) == 3
