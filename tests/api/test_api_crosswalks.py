"""Crosswalks through GraphQL: the mapping sets (shared by every tenant), a provision's mappings to framework
controls, and a control's mappings back to the provisions (types generated from the ontology)."""

from __future__ import annotations

from api_fixtures import Api


def test_mapping_sets_with_their_framework(api: Api) -> None:
    data = api.data('{ mappingSets(sort: [{field: mapping_set_id}]) { mapping_set_id status origin method '
                    'targetFramework { framework_id title } sourceInstrument { instrument_id } } }')
    sets = data["mappingSets"]
    assert [s["mapping_set_id"] for s in sets] == [
        "TIA-CLOUD-SRR_CSA-CCM-4", "TIA-CLOUD-SRR_ISO27001-2022", "TIA-CLOUD-SRR_ISO27017-2015"]
    assert [s["targetFramework"]["framework_id"] for s in sets] == ["CCM", "ISO27001", "ISO27017"]
    assert all(s["origin"] == "shipped" and s["status"] == "reviewed" for s in sets)
    assert all(s["sourceInstrument"]["instrument_id"] == "TIA-CLOUD-SRR" for s in sets)
    # shared by the store's tenants: an officer of another member company sees the same sets
    other = api.data("{ mappingSets { mapping_set_id } }", as_="beta_officer")
    assert len(other["mappingSets"]) == 3


def test_a_provisions_mappings_both_ways(api: Api) -> None:
    data = api.data('{ provision(id: "A7.P1.I4.S1") { csp_meetable csp_meetable_quote mappings { relationship '
                    'rationale_type strength confidence mapsControl { control_ref code title title_en } '
                    'inSet { mapping_set_id } } } }')
    p = data["provision"]
    # the insurer's own measure (Art. 7): not CSP-meetable since the review (ontology/crosswalks/csp_meetable.toml)
    assert p["csp_meetable"] is False and p["csp_meetable_quote"] == "使用安全且合適的加密演算法"
    found = {(m["inSet"]["mapping_set_id"], m["mapsControl"]["control_ref"], m["relationship"]) for m in p["mappings"]}
    assert found == {("TIA-CLOUD-SRR_CSA-CCM-4", "CCM:CEK-04", "equal"),
                     ("TIA-CLOUD-SRR_ISO27001-2022", "ISO27001:A.8.24", "intersect"),
                     ("TIA-CLOUD-SRR_ISO27017-2015", "ISO27017:10.1.1", "intersect")}
    back = api.data('{ frameworkControl(id: "ISO27017:CLD.9.5.1") { title_en inFramework { framework_id } '
                    'mappings { relationship mapsProvision { provision_id label } } } }')["frameworkControl"]
    assert back["inFramework"]["framework_id"] == "ISO27017"
    assert [(m["mapsProvision"]["provision_id"], m["relationship"]) for m in back["mappings"]] == [
        ("A5.P1.I2.S6", "subset")]


def test_mappings_filter_by_relationship(api: Api) -> None:
    data = api.data('{ mappings(where: {relationship_in: ["equal"]}) { mapping_id } }')
    assert sorted(m["mapping_id"] for m in data["mappings"]) == [
        "TIA-CLOUD-SRR_CSA-CCM-4/A7.P1.I1.S3/CCM:IVS-05", "TIA-CLOUD-SRR_CSA-CCM-4/A7.P1.I4.S1/CCM:CEK-04"]


def test_certificate_impact_and_the_trace_rows_certificate(api: Api) -> None:
    """Alpha's CERT-1 (CSP-A, ISO27001, valid through AS_OF + 30 days) names ARR-05 (material, CSP-A) in
    scope_arrangements. A9.P1.I4.S2 (CSP-meetable, ISO27001 A.7 subset, reviewed) has no control for ARR-05, so
    the certificate alone covers it; every other item under A9.P1.I4 stays a gap, so no roll-up moves."""
    query = ('{ certificateImpact(certificationId: "CERT-1", asOf: "2026-11-29") { provision subject status '
             'status_without } trace(asOf: "2026-11-29", subject: "ARR-05", provisions: ["A9.P1.I4.S2"]) { nodes { '
             'status reason certifications mapped_via { kind id target } } } }')
    data = api.data(query)
    assert data["certificateImpact"] == [
        {"provision": "A9.P1.I4.S2", "subject": "ARR-05", "status": "covered", "status_without": "gap"}]
    assert data["trace"]["nodes"] == [{"status": "covered", "reason": "a valid certificate of the CSP is the evidence",
                                       "certifications": ["CERT-1"],
                                       "mapped_via": [{"kind": "certification", "id": "CERT-1",
                                                       "target": "ISO27001:A.7"}]}]
    after = api.data('{ certificateImpact(certificationId: "CERT-1", asOf: "2026-12-30") { provision } }')
    assert after["certificateImpact"] == []  # the day after valid_until it carries nothing
    status, code, message = api.error('{ certificateImpact(certificationId: "CERT-9") { provision } }')
    assert (status, code) == (200, "NOT_FOUND") or code == "NOT_FOUND"
    assert "CERT-9" in message and "CERT-1" in message
    assert api.error('{ certificateImpact(certificationId: "CERT-1", tenant: "beta") { provision } }')[1] == "FORBIDDEN"
