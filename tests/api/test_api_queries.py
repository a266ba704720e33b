"""The API's reads: filters, sorting, pagination, cursors, navigation both ways, and batching (no N+1)."""

from __future__ import annotations

from typing import Any

import pytest
from api_fixtures import ARRANGEMENTS, Api

ARR = "outsourcingArrangements"


def ids(api: Api, where: str, field: str = ARR, key: str = "arrangement_id", extra: str = "") -> list[str]:
    data = api.data(f"{{ {field}(where: {where}{extra}) {{ {key} }} }}")
    return [r[key] for r in data[field]]


def test_equality_in_and_comparisons(api: Api) -> None:
    assert ids(api, '{arrangement_id: "ARR-03"}') == ["ARR-03"]
    assert ids(api, '{arrangement_id_in: ["ARR-01", "ARR-07", "nope"]}') == ["ARR-01", "ARR-07"]
    assert ids(api, "{material: true, offshore: true}") == ["ARR-02", "ARR-04"]
    assert len(ids(api, '{start_date_lt: "2024-03-01"}')) == ARRANGEMENTS - 3  # started 1000+i days before
    assert ids(api, "{end_date_isNull: false}") == []
    certs = ids(api, '{valid_until_gte: "2027-01-01"}', "certifications", "certification_id")
    assert certs == ["CERT-2"]


def test_strings_contains_and_starts_with(api: Api) -> None:
    assert ids(api, '{name_contains: "ment 1"}') == [f"ARR-{i}" for i in range(10, 20)]
    assert ids(api, '{arrangement_id_startsWith: "ARR-2"}') == [f"ARR-{i}" for i in range(20, 26)]
    assert ids(api, '{data_locations_includes: "JP", material: true}') == ["ARR-02", "ARR-04"]


def test_and_or_not(api: Api) -> None:
    where = '{OR: [{arrangement_id: "ARR-01"}, {AND: [{material: true}, {NOT: {offshore: true}}]}]}'
    assert ids(api, where) == ["ARR-01", "ARR-03", "ARR-05"]
    assert ids(api, '{NOT: {arrangement_id_startsWith: "ARR-0"}, AND: [{name_contains: "2"}]}') == [
        "ARR-12", "ARR-20", "ARR-21", "ARR-22", "ARR-23", "ARR-24", "ARR-25"]


def test_relationship_quantifiers(api: Api) -> None:
    assert ids(api, '{contracts_SOME: {contract_id: "K-02"}}') == ["ARR-02"]
    assert ids(api, "{contracts_SOME: {}}") == ["ARR-01", "ARR-02"]
    assert len(ids(api, "{contracts_NONE: {}}")) == ARRANGEMENTS - 2
    assert ids(api, '{findings_SOME: {severity: "high"}}') == ["ARR-01"]
    assert ids(api, '{audits_SOME: {}, findings_NONE: {status: "open"}}') == ["ARR-02"]
    assert ids(api, '{audits_SOME: {}, audits_ALL: {independent: true}}') == ["ARR-01"]
    # the wildcard control (applies to '*') counts for every arrangement
    assert len(ids(api, '{controls_SOME: {control_id: "C-ALL"}}')) == ARRANGEMENTS
    assert ids(api, '{controls_SOME: {control_id: "C-DD"}}') == ["ARR-01", "ARR-02", "ARR-03"]
    # provisions that point at an instrument no longer in force
    data = api.data(
        '{ provisions(where: {references_SOME: {status_in: ["abolished", "superseded"]}}) { provision_id } }')
    assert [p["provision_id"] for p in data["provisions"]] == ["A1.P1", "A2.P1", "A6.P1"]


def test_multi_field_sort(api: Api) -> None:
    data = api.data(f"{{ {ARR}(sort: [{{field: offshore, direction: DESC}}, "
                    "{field: arrangement_id, direction: DESC}], limit: 4) { arrangement_id offshore } }")
    assert [r["arrangement_id"] for r in data[ARR]] == ["ARR-24", "ARR-22", "ARR-20", "ARR-18"]
    data = api.data('{ evidences(sort: [{field: valid_until}], where: {evidences_SOME: {control_id: "C-ALL"}}) '
                    "{ evidence_id } }")
    assert [r["evidence_id"] for r in data["evidences"]] == ["E-003", "E-001", "E-002"]


def page(api: Api, first: int | None, after: str | None = None, as_: str = "officer") -> dict[str, Any]:
    args = ", ".join(a for a in (f"first: {first}" if first is not None else "",
                                 f'after: "{after}"' if after else "") if a)
    status, body = api.post(f"{{ {ARR}Connection({args}) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage "
                            "startCursor endCursor } edges { cursor node { arrangement_id } } } }", as_=as_)
    assert status == 200, body
    return body


def test_pagination_walks_every_page_once(api: Api) -> None:
    seen: list[str] = []
    after = None
    while True:
        conn = page(api, 10, after)["data"][f"{ARR}Connection"]
        seen += [e["node"]["arrangement_id"] for e in conn["edges"]]
        assert conn["totalCount"] == ARRANGEMENTS
        assert conn["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == [f"ARR-{i:02d}" for i in range(1, ARRANGEMENTS + 1)]


def test_pagination_edges(api: Api) -> None:
    zero = page(api, 0)["data"][f"{ARR}Connection"]
    assert zero["edges"] == [] and zero["pageInfo"]["hasNextPage"] and zero["pageInfo"]["endCursor"] is None
    last = page(api, ARRANGEMENTS)["data"][f"{ARR}Connection"]
    assert len(last["edges"]) == ARRANGEMENTS and not last["pageInfo"]["hasNextPage"]
    end = last["pageInfo"]["endCursor"]
    empty = page(api, 5, end)["data"][f"{ARR}Connection"]
    assert empty["edges"] == [] and not empty["pageInfo"]["hasNextPage"] and empty["pageInfo"]["hasPreviousPage"]
    empty_filter = api.data(f'{{ {ARR}Connection(where: {{name: "none"}}) {{ totalCount edges {{ cursor }} '
                            "pageInfo { hasNextPage startCursor } } }")
    assert empty_filter[f"{ARR}Connection"] == {"totalCount": 0, "edges": [],
                                                "pageInfo": {"hasNextPage": False, "startCursor": None}}


@pytest.mark.parametrize("first", [-1, 1001])
def test_page_size_out_of_range(api: Api, first: int) -> None:
    assert page(api, first)["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_invalid_tampered_and_foreign_cursors(api: Api) -> None:
    cursor = page(api, 2)["data"][f"{ARR}Connection"]["pageInfo"]["endCursor"]
    head, mac = cursor.split(".")
    tampered = head[:-2] + ("A" if head[-2] != "A" else "B") + head[-1] + "." + mac
    for bad in ("garbage", "", "x.y", tampered, cursor + "x"):
        body = page(api, 2, bad or "e30")
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", bad
        assert body["errors"][0]["message"] == "invalid cursor"
    # a cursor of another tenant, and one of another list
    beta = page(api, 1, as_="beta_officer")["data"][f"{ARR}Connection"]["pageInfo"]["endCursor"]
    assert page(api, 2, beta)["errors"][0]["message"] == "invalid cursor"
    other = api.data("{ evidencesConnection(first: 1) { pageInfo { endCursor } } }")
    assert page(api, 2, other["evidencesConnection"]["pageInfo"]["endCursor"])["errors"][0]["message"] == \
        "invalid cursor"


def test_nested_connections_and_counts(api: Api) -> None:
    data = api.data('{ outsourcingArrangement(id: "ARR-01") { contractsConnection { totalCount edges { node { '
                    "contract_id coversClause { obligation_id } } } } auditsConnection(first: 1) { totalCount "
                    "pageInfo { hasNextPage endCursor } edges { node { audit_id findings { finding_id } } } } } }")
    arrangement = data["outsourcingArrangement"]
    assert arrangement["contractsConnection"]["totalCount"] == 1
    clauses = arrangement["contractsConnection"]["edges"][0]["node"]["coversClause"]
    assert [c["obligation_id"] for c in clauses] == [f"A6.P1.I{i}" for i in range(1, 8)]
    audits = arrangement["auditsConnection"]
    assert audits["totalCount"] == 2 and audits["pageInfo"]["hasNextPage"]
    after = audits["pageInfo"]["endCursor"]
    data = api.data(f'{{ outsourcingArrangement(id: "ARR-01") {{ auditsConnection(after: "{after}") '
                    "{ edges { node { audit_id } } } } }")
    assert [e["node"]["audit_id"] for e in data["outsourcingArrangement"]["auditsConnection"]["edges"]] == ["AU-02"]


def test_navigation_both_ways(api: Api) -> None:
    data = api.data('{ instrument(id: "TIA-CLOUD-SRR") { title provisions(where: {provision_id: "A7.P1.I2.S1"}) {'
                    " imposes { obligation_id controls { control_id evidence { evidence_id concerns { arrangement_id }"
                    " } } } } } }")
    obligation = data["instrument"]["provisions"][0]["imposes"]
    control = obligation["controls"][0]
    assert control["control_id"] == "C-ALL"  # alpha's only, never beta's C-ALL
    assert {e["evidence_id"] for e in control["evidence"]} == {"E-001", "E-002", "E-003"}
    data = api.data('{ provision(id: "A6.P1") { referencesConnection { edges { articles points node { '
                    "instrument_id status referencedBy { provision_id } } } } } }")
    edge = data["provision"]["referencesConnection"]["edges"][0]
    assert edge["node"]["status"] == "abolished" and edge["points"] == [9, 16]
    data = api.data('{ cloudServiceProvider(id: "CSP-B") { certifications { certification_id } '
                    "arrangements(limit: 2) { arrangement_id } } "
                    'evidence(id: "E-004") { evidences { control_id appliesTo { arrangement_id } satisfies(limit: 1) '
                    "{ obligation_id } } concerns { arrangement_id providedBy { csp_id } } } }")
    assert data["cloudServiceProvider"]["certifications"] == [{"certification_id": "CERT-3"}]
    assert data["cloudServiceProvider"]["arrangements"] == [{"arrangement_id": "ARR-02"}, {"arrangement_id": "ARR-04"}]
    assert data["evidence"]["evidences"]["appliesTo"] == [{"arrangement_id": f"ARR-0{i}"} for i in (1, 2, 3)]
    assert data["evidence"]["concerns"]["providedBy"] == {"csp_id": "CSP-A"}


def test_a_nested_query_over_every_arrangement_costs_a_fixed_number_of_store_calls(api: Api) -> None:
    store: Any = api.client.app.state.store  # type: ignore[attr-defined]
    calls: list[str] = []
    for name in ("find", "related", "nodes_by_uid", "count_matching"):
        original = getattr(store, name)

        def counted(*args: Any, _name: str = name, _original: Any = original) -> Any:
            calls.append(_name)
            return _original(*args)

        setattr(store, name, counted)
    query = (f"{{ {ARR}(limit: 100) {{ arrangement_id providedBy {{ name certifications {{ standard }} }} "
             "contracts { contract_id } systems { system_id } controls { control_id evidence { evidence_id } } "
             "audits { audit_id findings { finding_id } } findings { severity } evidence { title } } }")
    data = api.data(query)
    assert len(data[ARR]) == ARRANGEMENTS
    # the tokens were read when the server started (api/app.py): 1 list, then one batch per navigation field
    # whatever the number of arrangements
    assert len(calls) == 1 + 10, calls


def test_the_dashboard_names_the_company_and_counts_missing_fsc_approvals(api: Api) -> None:
    """Alpha has a company row; ARR-02 and ARR-04 (material, natural-person data, offshore; no system says
    otherwise) need the FSC's prior approval and only ARR-02 has one decided before it started."""
    query = '{ companyName { tenant legal_name legal_name_en display } fscApprovals(asOf: "2026-11-29") ' \
            "{ needing missing } }"
    for role in ("officer", "board"):
        data = api.data(query, as_=role)
        assert data["companyName"] == {
            "tenant": "alpha", "legal_name": "阿爾法範例人壽保險股份有限公司",
            "legal_name_en": "Alpha Example Life Insurance Co., Ltd.",
            "display": "阿爾法範例人壽保險股份有限公司 Alpha Example Life Insurance Co., Ltd."}
        assert data["fscApprovals"] == {"needing": 2, "missing": 1}
    beta = api.data("{ companyName { legal_name display } }", as_="beta_officer")
    assert beta["companyName"] == {"legal_name": None, "display": "beta"}  # no company row: the tenant id
