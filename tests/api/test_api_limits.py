"""Depth, cost and asOf limits in one walk linear in the document (fragments visited once), cost with variable
defaults like given variables, at most four distinct dates, and size bounds that keep graphql-core's own rules
fast. Expected costs are worked out by hand from api/limits.py's rule (a field costs 1; the fields below a list
count once per item of its first/limit, 10 without one)."""

from __future__ import annotations

from typing import Any

import pytest
from api_fixtures import Api
from graphql import parse
from regtrace.api import limits
from regtrace.api.execution import GraphQLRequest, Limits, prepare
from regtrace.api.schema import build_schema

DEFAULTS = ("query($n: Int = 1000) { provisions(limit: $n) { imposes { controls(limit: $n) "
            "{ evidence(limit: $n) { evidence_id } } } } }")


def bomb(levels: int) -> str:
    fragments = [f"fragment G{i} on Query {{ ...G{i + 1} ...G{i + 1} }}" for i in range(levels)]
    return "{ ...G0 } " + " ".join(fragments) + f" fragment G{levels} on Query {{ viewer {{ name }} }}"


def refused(query: str, variables: dict[str, Any] | None = None, **limit: Any) -> tuple[int, str, str] | None:
    _, outcome = prepare(build_schema(), GraphQLRequest(query, variables, None), Limits(**limit))
    if outcome is None:
        return None
    error = outcome.body["errors"][0]
    return outcome.status, error["extensions"]["code"], error["message"]


def test_cost_by_hand() -> None:
    # provisions(limit: 5) { provision_id }: 1 + 5 x 1 = 6
    assert refused("{ provisions(limit: 5) { provision_id } }", max_cost=6) is None
    assert refused("{ provisions(limit: 5) { provision_id } }", max_cost=5)[1] == "QUERY_TOO_COMPLEX"  # type: ignore[index]
    # evidence(1): 1 + 1 = 2; controls(1): 1 + 2 = 3; imposes (one obligation): 1 + 3 = 4; provisions(1): 5
    assert refused(DEFAULTS, {"n": 1}, max_cost=5) is None
    assert refused(DEFAULTS, {"n": 1}, max_cost=4) is not None
    # with 1000: evidence 1001, controls 1 + 1000 x 1001 = 1,001,001: far above 50,000


def test_a_variable_default_costs_like_the_value_given() -> None:
    given = refused(DEFAULTS.replace(" = 1000", ""), {"n": 1000})
    by_default = refused(DEFAULTS)
    assert given is not None and by_default is not None
    assert given[:2] == by_default[:2] == (400, "QUERY_TOO_COMPLEX")


def test_a_fragment_bomb_is_walked_once_per_fragment(monkeypatch: pytest.MonkeyPatch) -> None:
    visits: list[str] = []
    real = limits._Walk.fragment

    def counting(self: Any, name: str) -> Any:
        if name not in self.memo:
            visits.append(name)
        return real(self, name)

    monkeypatch.setattr(limits._Walk, "fragment", counting)
    for levels in (21, 30):
        visits.clear()
        result = refused(bomb(levels))
        assert result is not None and result[:2] == (400, "QUERY_TOO_COMPLEX")  # 2^levels viewers counted in full
        assert sorted(visits) == sorted(f"G{i}" for i in range(levels + 1))  # each fragment computed once
    assert refused(bomb(3)) is None  # 8 spreads of { viewer { name } }: 8 x 2 = 16


def test_depth_counts_through_fragments() -> None:
    chain = "{ ...F } fragment F on Query { outsourcingArrangements { " + "providedBy { arrangements { " * 7 + \
            "arrangement_id" + " } }" * 7 + " } }"
    # 1 + 7 x 2 = 15 fields with selections: at the limit of 15, one more is refused
    assert refused(chain, max_cost=10**9) is None
    deeper = chain.replace("arrangement_id", "providedBy { name }")
    assert refused(deeper, max_cost=10**9)[1:] == ("QUERY_TOO_COMPLEX",  # type: ignore[index]
                                                   "the query is nested too deeply: depth 16 exceeds 15")


def test_at_most_four_distinct_dates() -> None:
    four = ('query($d: Date = "2026-03-01") { a: coverageOverall { percent } b: coverageOverall(asOf: "2026-01-01") '
            '{ percent } c: coverageOverall(asOf: "2026-01-01") { percent } d: gaps(asOf: "2026-02-01") '
            "{ totalCount } e: certificationStates(asOf: $d) { status } }")
    assert refused(four) is None  # today, 2026-01-01 (twice), 2026-02-01, 2026-03-01
    fifth = four.replace("}  }", "} }").rstrip("}") + ' f: findingStates(asOf: "2026-04-01") { state } }'
    status, code, message = refused(fifth)  # type: ignore[misc]
    assert (status, code) == (400, "QUERY_TOO_COMPLEX") and "more than 4 distinct asOf dates" in message
    assert refused(fifth, {"d": "2026-04-01"}) is None  # the variable names the fifth date: four again


def test_many_dates_by_aliases_are_refused(api: Api) -> None:
    query = "{ " + " ".join(f'c{i}: coverageOverall(asOf: "2026-01-{i + 1:02d}") {{ percent }}'
                            for i in range(30)) + " }"
    status, body = api.post(query)
    error = body["errors"][0]
    assert status == 400 and error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["message"].startswith("the query asks for more than 4 distinct asOf dates")


@pytest.mark.parametrize(("query", "message"), [
    ("{ " + "a: viewer { name } " * 11 + "}", "'a' is selected more than 10 times in one selection set"),
    ("{ " + " ".join(f"...F{i}" for i in range(51)) + " } " +
     " ".join(f"fragment F{i} on Query {{ viewer {{ name }} }}" for i in range(51)), "defines 51 fragments"),
    ("{ " + " ".join(f"a{i}: viewer {{ name }}" for i in range(501)) + " }", "selects more than 1000 fields"),
])
def test_documents_that_would_make_graphql_core_slow_are_refused_first(query: str, message: str) -> None:
    result = refused(query)
    assert result is not None and result[:2] == (400, "QUERY_TOO_COMPLEX") and message in result[2], result
    assert refused("{ " + "a: viewer { name } " * 10 + "}") is None


def test_the_walk_is_linear_not_exponential() -> None:
    document = parse(bomb(200), max_tokens=100_000)  # 2^200 spreads: only a linear walk finishes at all
    operation = document.definitions[0]
    errors = limits.check_demand(build_schema(), document, operation, None,  # type: ignore[arg-type]
                                 max_depth=15, max_cost=50_000, max_dates=4)
    assert [e.extensions["code"] for e in errors] == ["QUERY_TOO_COMPLEX"]  # type: ignore[index]
