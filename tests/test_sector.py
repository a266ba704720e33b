"""The associations' view (issue 15 point 6): figures across members worked out by hand, withheld under 5
members, never a member's id, name, arrangement, control or evidence; the association token and its limits.

Members (tests/sector_fixtures.py): article 6 coverage 0, 20, 60, 80, 100, 100 % (c of n arrangements with a
contract). Inclusive quartiles (position (n − 1)·p over the sorted values, linear between neighbours), n = 6:
Q1 at 1.25 → 20 + 0.25·(60 − 20) = 30; median at 2.5 → (60 + 80) / 2 = 70; Q3 at 3.75 → 80 + 0.75·(100 − 80)
= 95. Overall c / (2n + 1): 0/3, 1/11, 3/11, 4/11, 1/3, 2/5 = 0, 9.09, 27.27, 36.36, 33.33, 40 %; sorted 0, 9.09,
27.27, 33.33, 36.36, 40: Q1 = 9.09 + 0.25·18.18 = 13.6; median = (27.27 + 33.33) / 2 = 30.3; Q3 = 33.33 +
0.75·3.03 = 35.6.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_inprocess import run
from fastapi.testclient import TestClient
from graphql import GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType, get_named_type
from regtrace.api.app import ApiSettings, create_app
from regtrace.api.auth import create_token
from regtrace.api.execution import Limits
from regtrace.api.schema import build_schema
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Store
from sector_fixtures import MEMBERS, tenant_id, write_members
from test_cli import regtrace

from regtrace.errors import InputError, NotFoundError
from regtrace.sector import figure, store_sector_view

AS_OF = dt.date(2026, 6, 30)


def build(path: Path, members: tuple[tuple[int, int], ...]) -> Path:
    with LadybugStore(path) as store:
        write_members(store, members)
    return path


@pytest.fixture(scope="module")
def six(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("six") / "store", MEMBERS)


@pytest.fixture(scope="module")
def four(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("four") / "store", MEMBERS[:4])


def test_five_members_show_a_figure_and_four_withhold_it() -> None:
    assert figure([0.0, 20.0, 60.0, 80.0, 100.0]).to_json() == {
        "members": 5, "withheld": False, "coverage": {"q1": 20.0, "median": 60.0, "q3": 80.0}}
    assert figure([0.0, 20.0, 60.0, 80.0]).to_json() == {"members": None, "withheld": True, "coverage": None}


def _by(items: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {i[key]: i for i in items}


@pytest.fixture(scope="module")
def six_view(six: Path) -> dict[str, Any]:
    with LadybugStore(six) as store:
        return store_sector_view(store, AS_OF).to_json()


def test_six_members_by_hand(six_view: dict[str, Any]) -> None:
    data = six_view
    assert "SECRET" not in json.dumps(data)
    articles = _by(data["articles"], "article")
    assert articles[6] == {"article": 6, "members": 6, "withheld": False,
                           "coverage": {"q1": 30.0, "median": 70.0, "q3": 95.0}}
    assert articles[7]["coverage"] == articles[8]["coverage"] == {"q1": 0.0, "median": 0.0, "q3": 0.0}
    assert articles[9] == {"article": 9, "members": None, "withheld": True, "coverage": None}  # applies to none
    assert data["overall"] == {"members": 6, "withheld": False, "coverage": {"q1": 13.6, "median": 30.3, "q3": 35.6}}
    obligations = _by(data["obligations"], "provision")
    assert obligations["A6.P1.I1"]["coverage"] == articles[6]["coverage"]
    assert obligations["A6.P1.I7"]["withheld"] is True
    # every member lacks a control for A7.P1.I1 and A8.P1; A6.P1.I1 is open at the four with c < n
    assert [(g["provision"], g["members_with_gap"], g["members"], g["percent"]) for g in data["common_gaps"]] == [
        ("A7.P1.I1", 6, 6, 100.0), ("A8.P1", 6, 6, 100.0), ("A6.P1.I1", 4, 6, 66.7)]
    trend = _by(data["trend"], "date")
    assert len(trend) == 8
    # before the contracts were signed (2025-01-01) no member covered anything
    assert trend["2024-12-31"]["coverage"] == {"q1": 0.0, "median": 0.0, "q3": 0.0}
    assert _by(trend["2025-03-31"]["articles"], "article")[6]["coverage"] == articles[6]["coverage"]


def test_four_members_withhold_everything(four: Path) -> None:
    with LadybugStore(four) as store:
        data = store_sector_view(store, AS_OF).to_json()
    figures = [data["overall"], *data["articles"], *data["obligations"], *data["trend"],
               *(a for t in data["trend"] for a in t["articles"])]
    assert all(f["withheld"] is True and f["members"] is None and f["coverage"] is None for f in figures)
    assert data["common_gaps"] == []


def test_cli_sector(six: Path, six_view: dict[str, Any], four: Path, tmp_path: Path) -> None:
    assert json.loads(regtrace("sector", "--as-of", "2026-06-30", "--json", store=six).stdout) == six_view
    table = run("sector", "--as-of", "2026-06-30", store=four).output
    assert "withheld" in table and re.search(r"\d%", table) is None  # not one percentage shown
    empty = tmp_path / "empty"
    with LadybugStore(empty) as store:
        write_members(store, ())
    result = run("sector", store=empty)
    assert isinstance(result.exception, NotFoundError)
    assert "holds no member company's registers" in str(result.exception)


def test_cli_association_token_takes_no_tenant(six: Path, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    shutil.copytree(six, folder)
    created = regtrace("token", "create", "--role", "association", store=folder)
    assert created.stdout.startswith("rt_") and "of no member company" in created.stderr
    refused = run("token", "create", "--role", "association", "--tenant", tenant_id(1), store=folder)
    assert isinstance(refused.exception, InputError)
    assert "bound to no member company" in str(refused.exception)
    listed = json.loads(run("token", "list", "--json", store=folder).output)
    assert [(t["role"], t["tenant"]) for t in listed] == [("association", None)]


# --- GraphQL -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(six: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("six-api") / "store"
    shutil.copytree(six, folder)
    store: Store = LadybugStore(folder)
    tokens = {"association": create_token(store, "association", None)[0],
              "officer": create_token(store, "officer", tenant_id(1))[0],
              "board": create_token(store, "board", tenant_id(1))[0],
              "officer6": create_token(store, "officer", tenant_id(6))[0]}
    # a member's traces on nine dates per request: more than the default 10 s on a loaded CI machine
    with TestClient(create_app(store, settings=ApiSettings(Limits(timeout_seconds=120)))) as http:
        yield http, tokens
    store.close()


def post(client: tuple[TestClient, dict[str, str]], query: str, role: str = "association", status: int = 200
         ) -> dict[str, Any]:
    http, tokens = client
    response = http.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {tokens[role]}"})
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


SECTOR = """{ sector(asOf: "2026-06-30") { as_of min_members quartile_method
  overall { members withheld coverage { q1 median q3 } }
  articles { article members withheld coverage { q1 median q3 } }
  common_gaps { provision members members_with_gap percent } } }"""
TREND = '{ sector(asOf: "2026-06-30") { trend { date members withheld coverage { q1 median q3 } } } }'


def test_graphql_sector_equals_the_cli(client: tuple[TestClient, dict[str, str]], six_view: dict[str, Any]
                                       ) -> None:
    body = post(client, SECTOR)
    assert "errors" not in body, body
    sector = body["data"]["sector"]
    assert "SECRET" not in json.dumps(body)
    shown = six_view
    assert sector["articles"] == shown["articles"]
    assert sector["overall"] == shown["overall"]
    assert [g["provision"] for g in sector["common_gaps"]] == [g["provision"] for g in shown["common_gaps"]]
    trend = post(client, TREND)["data"]["sector"]["trend"]
    assert [(t["date"], t["coverage"]) for t in trend] == [(t["date"], t["coverage"]) for t in shown["trend"]]
    for role in ("officer", "board"):  # a member's token does not see across members
        assert post(client, SECTOR, role)["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def _literal(arg_type: Any) -> str:
    """A valid literal of an argument's type (enough to reach the resolver)."""
    named = get_named_type(arg_type)
    if isinstance(named, GraphQLInputObjectType):
        required = {n: f for n, f in named.fields.items() if isinstance(f.type, GraphQLNonNull)}
        return "{" + ", ".join(f"{n}: {_literal(f.type)}" for n, f in required.items()) + "}"
    values = getattr(named, "values", None)
    if values:
        return next(iter(values))
    return {"Int": "1", "Float": "1.0", "Boolean": "true", "Date": '"2026-06-30"'}.get(named.name, '"x"')


def _field_query(name: str, field: Any, extra: str = "") -> str:
    args = [f"{a}: {_literal(arg.type)}" for a, arg in field.args.items() if isinstance(arg.type, GraphQLNonNull)]
    if extra:
        args.append(extra)
    selection = " { __typename }" if isinstance(get_named_type(field.type), GraphQLObjectType) else ""
    return f"{{ {name}{'(' + ', '.join(args) + ')' if args else ''}{selection} }}"


TENANT_FREE = {"sector", "viewer"}


def test_an_association_token_reads_no_tenant_bound_field(client: tuple[TestClient, dict[str, str]]) -> None:
    """Every query field but the sector view and viewer is FORBIDDEN, with and without a tenant argument; so is
    every mutation."""
    schema = build_schema()
    assert schema.query_type is not None and schema.mutation_type is not None
    checked = 0
    for kind, fields in (("", schema.query_type.fields), ("mutation ", schema.mutation_type.fields)):
        for name, field in fields.items():
            if name in TENANT_FREE:
                continue
            asks = [_field_query(name, field)]
            if "tenant" in field.args:
                asks.append(_field_query(name, field, f'tenant: "{tenant_id(1)}"'))
            for query in asks:
                body = post(client, kind + query)
                assert [e["extensions"]["code"] for e in body.get("errors", [])] == ["FORBIDDEN"], (query, body)
                assert "SECRET" not in json.dumps(body), (query, body)
                checked += 1
    assert checked > 40
    viewer = post(client, "{ viewer { role tenant } }")["data"]["viewer"]
    assert viewer == {"role": "association", "tenant": ""}
    refused = post(client, f'{{ sector(tenant: "{tenant_id(1)}") {{ as_of }} }}', status=400)
    assert refused["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_graphql_trend_and_changes_of_a_member(client: tuple[TestClient, dict[str, str]]) -> None:
    """Member 1 (one arrangement, no contract): 0 of 3 on every date; member 6 (2 arrangements, both with
    contracts signed 2025-01-01): A6.P1.I1 goes from gap to covered for both between 2024-12-31 and 2025-03-31."""
    body = post(client, '{ coverageTrend(asOf: "2025-03-31", tenant: "x") { date } }', "officer")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # an officer chooses no tenant
    trend = post(client, '{ coverageTrend(asOf: "2025-03-31") { date covered applicable percent '
                         'articles { article covered applicable percent } } }', "board")["data"]["coverageTrend"]
    # member 1: one arrangement, no contract: 0 of 3 on every date
    assert trend[-1] == {"date": "2025-03-31", "covered": 0, "applicable": 3, "percent": 0.0, "articles": [
        {"article": 6, "covered": 0, "applicable": 1, "percent": 0.0},
        {"article": 7, "covered": 0, "applicable": 1, "percent": 0.0},
        {"article": 8, "covered": 0, "applicable": 1, "percent": 0.0},
        {"article": 9, "covered": 0, "applicable": 0, "percent": None}]}
    assert len(trend) == 8
    many = ", ".join(f'"2025-0{m}-01"' for m in range(1, 6))
    too_many = post(client, f'{{ coverageTrend(asOf: "2025-06-30", dates: [{many}]) {{ date }} }}', "board")
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    changes = post(client, '{ traceChanges(from: "2024-12-31", to: "2025-03-31") { provision } }', "officer")
    assert changes["data"]["traceChanges"] == []  # member 1 has no contract: nothing changed
    query = ('{ traceChanges(from: "2024-12-31", to: "2025-03-31") { provision subject from_status to_status '
             'direction cause from_cause } }')
    signed = post(client, query, "officer6")["data"]["traceChanges"]
    assert [(c["provision"], c["subject"], c["from_status"], c["to_status"], c["direction"]) for c in signed] == [
        ("A6.P1.I1", "SECRET-ARR-6-1", "gap", "covered", "better"),
        ("A6.P1.I1", "SECRET-ARR-6-2", "gap", "covered", "better")]
    assert signed[0]["cause"] == [] and json.loads(signed[0]["from_cause"][0])["kind"] == "no_contract"
    later = post(client, '{ traceChanges(from: "2025-03-31", to: "2024-12-31") { provision } }', "officer")
    assert later["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert post(client, '{ traceChanges(from: "2024-12-31", to: "2025-03-31") { provision } }',
                "board")["errors"][0]["extensions"]["code"] == "FORBIDDEN"
