"""Mutations: validated like register rows, written with a change log entry in one transaction."""

from __future__ import annotations

import json

from api_fixtures import Api

ATTACH = """mutation($input: EvidenceInput!) { attachEvidence(input: $input) {
  evidence_id title collected_on valid_until tenant evidences { control_id } concerns { arrangement_id } } }"""
EVIDENCE = {"evidence_id": "E-NEW", "control_id": "C-DD", "arrangement_id": "ARR-02", "collected_on": "2026-11-20",
            "valid_until": "2027-11-20", "title": "New due diligence", "uri": "https://x/new",
            "sha256": "a" * 64}
LOG = "{ changeLog { totalCount edges { node { mutation target_id actor_name tenant before after at } } } }"


def test_attach_evidence_writes_the_row_its_links_and_a_change_log_entry(api: Api) -> None:
    data = api.data(ATTACH, {"input": EVIDENCE})["attachEvidence"]
    assert data == {"evidence_id": "E-NEW", "title": "New due diligence", "collected_on": "2026-11-20",
                    "valid_until": "2027-11-20", "tenant": "alpha", "evidences": {"control_id": "C-DD"},
                    "concerns": {"arrangement_id": "ARR-02"}}
    entry = api.data(LOG)["changeLog"]["edges"][0]["node"]
    assert (entry["mutation"], entry["target_id"], entry["actor_name"], entry["tenant"]) == (
        "attachEvidence", "E-NEW", "officer of alpha", "alpha")
    assert entry["before"] is None and json.loads(entry["after"])["control_id"] == "C-DD"
    # the new evidence counts in the trace at once
    rows = api.data('{ trace(asOf: "2026-11-29", arrangement: "ARR-02", leavesOnly: true, first: 1000) '
                    "{ edges { node { provision evidence } } } }")["trace"]["edges"]
    assert any("E-NEW" in r["node"]["evidence"] for r in rows)
    # the other tenant sees neither the row nor the log entry
    beta = api.data('{ evidences(where: {evidence_id: "E-NEW"}) { title } changeLog { totalCount } }',
                    as_="beta_officer")
    assert beta == {"evidences": [], "changeLog": {"totalCount": 0}}


def test_attach_evidence_is_validated_like_a_register_row(api: Api) -> None:
    bad = {**EVIDENCE, "control_id": "C-NOPE", "arrangement_id": "ARR-99", "sha256": "xyz"}
    _, code, message = api.error(ATTACH, {"input": bad})
    assert code == "BAD_USER_INPUT"
    assert "C-NOPE" in message and "ARR-99" in message and "hex" in message  # every problem at once
    _, code, message = api.error(ATTACH, {"input": {**EVIDENCE, "evidence_id": "E-001"}})
    assert (code, message) == ("BAD_USER_INPUT", "evidence_id 'E-001' already exists")
    _, code, _ = api.error(ATTACH, {"input": {**EVIDENCE, "collected_on": "not a date"}})
    assert code == "BAD_USER_INPUT"
    assert api.data(LOG)["changeLog"]["totalCount"] == 0  # nothing written


def test_record_audit_and_close_finding(api: Api) -> None:
    audit = api.data('mutation { recordAudit(input: {audit_id: "AU-NEW", arrangement_id: "ARR-03", kind: "project", '
                     'performed_on: "2026-11-01", auditor: "Big4", independent: true}) { audit_id audits '
                     "{ arrangement_id } } }")
    assert audit["recordAudit"] == {"audit_id": "AU-NEW", "audits": {"arrangement_id": "ARR-03"}}
    _, code, message = api.error('mutation { recordAudit(input: {audit_id: "AU-X", arrangement_id: "ARR-03", '
                                 'kind: "annual", performed_on: "2026-11-01", auditor: "x", independent: true}) '
                                 "{ audit_id } }")
    assert code == "BAD_USER_INPUT" and "annual" in message
    closed = api.data('mutation { closeFinding(findingId: "F-01", closedOn: "2026-11-28") { status closed_on } }')
    assert closed["closeFinding"] == {"status": "closed", "closed_on": "2026-11-28"}
    _, code, message = api.error('mutation { closeFinding(findingId: "F-01", closedOn: "2026-11-29") { status } }')
    assert code == "BAD_USER_INPUT" and "already closed" in message
    _, code, _ = api.error('mutation { closeFinding(findingId: "F-02", closedOn: "2020-01-01") { status } }')
    assert code == "BAD_USER_INPUT"  # before the audit that raised it
    log = api.data(LOG)["changeLog"]
    assert [e["node"]["mutation"] for e in log["edges"]] == ["closeFinding", "recordAudit"]
    assert json.loads(log["edges"][0]["node"]["before"]) == {"closed_on": None, "status": "open"}
    states = api.data('{ findingStates(asOf: "2026-11-29") { finding_id } }')["findingStates"]
    assert [s["finding_id"] for s in states] == ["F-02"]


def test_link_control_to_provision(api: Api) -> None:
    data = api.data('mutation { linkControlToProvision(controlId: "C-DD", provisionId: "A10.P1") '
                    "{ control_id satisfiesConnection { totalCount } } }")
    # A5.P1: the lead-ins A5.P1 and A5.P1.I2, A5.P1.I1, A5.P1.I2.S1-S7 (10); A10.P1: I1-I5, the lead-in I6,
    # I6.S1 (shall) and I6.S2 (8).
    assert data["linkControlToProvision"]["satisfiesConnection"]["totalCount"] == 10 + 8
    entry = api.data(LOG)["changeLog"]["edges"][0]["node"]
    assert json.loads(entry["after"])["provision"] == "A10.P1"
    assert len(json.loads(entry["after"])["satisfies"]) == 18 and len(json.loads(entry["before"])["satisfies"]) == 10
    _, code, message = api.error('mutation { linkControlToProvision(controlId: "C-DD", provisionId: "A3") '
                                 "{ control_id } }")
    assert code == "BAD_USER_INPUT" and "no obligation" in message
    _, code, message = api.error('mutation { linkControlToProvision(controlId: "C-DD", provisionId: "A99") '
                                 "{ control_id } }")
    assert (code, message) == ("NOT_FOUND", "no provision 'A99'")


def test_admin_writes_to_the_tenant_it_names_and_the_log_says_who(api: Api) -> None:
    api.data('mutation { closeFinding(findingId: "F-01", closedOn: "2026-11-28", tenant: "beta") { status } }',
             as_="admin")
    beta = api.data(LOG, as_="beta_officer")["changeLog"]
    assert beta["totalCount"] == 1 and beta["edges"][0]["node"]["actor_name"] == "admin of alpha"
    assert api.data(LOG)["changeLog"]["totalCount"] == 0
