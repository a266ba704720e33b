"""The GraphQL documents the board dashboard sends (api/dashboard_ui/app.js), one per benchmarked request; shared by
bench/locustfile.py and bench/api_bench.py (which must not import locust: gevent patches the process)."""

from __future__ import annotations

ARTICLES = [f"A{n}" for n in range(1, 14)]
COVERAGE = "key applicable covered percent counts { gap unevidenced stale covered not_applicable }"

QUERIES: dict[str, str] = {
    "coverage(article)": f"query($asOf: Date) {{ coverage(groupBy: ARTICLE, asOf: $asOf) {{ {COVERAGE} }} }}",
    "coverage(arrangement)": f"query($asOf: Date) {{ coverage(groupBy: ARRANGEMENT, asOf: $asOf) {{ {COVERAGE} }} }}",
    "coverage(csp)": f"query($asOf: Date) {{ coverage(groupBy: CSP, asOf: $asOf) {{ {COVERAGE} }} }}",
    "gaps(first: 10)": """query($asOf: Date) { gaps(asOf: $asOf, first: 10) { totalCount
        edges { node { provision label article subject status modality reason reason_zh } } } }""",
    "trace(one arrangement)": """query($asOf: Date, $subject: String) {
        trace(asOf: $asOf, subject: $subject, leavesOnly: true, first: 400) { nodes {
        provision label article leaf modality status reason reason_zh controls evidence contracts audits
        fresh_until } } }""",
    "trace(heatmap page)": """query($asOf: Date, $provisions: [String!]) {
        trace(asOf: $asOf, provisions: $provisions, first: 1000) {
        pageInfo { hasNextPage endCursor } nodes { provision article subject status } } }""",
    "certificationStates": """query($asOf: Date) { certificationStates(asOf: $asOf, status: [expiring, expired]) {
        certification_id csp_id standard valid_until status days_left } }""",
    "findingStates": """query($asOf: Date) { findingStates(asOf: $asOf) {
        finding_id audit_id arrangement_id severity state due_on days_overdue } }""",
}


EVIDENCE_CHUNK = 30  # app.js EVIDENCE_CHUNK: lookups per request
EVIDENCE_LOOKUP = f"evidence(id) ×{EVIDENCE_CHUNK}"


def evidence_query(count: int) -> str:
    """The dashboard's lookup of the dates of the evidence a trace cell shows: one `evidence(id:)` per item."""
    ids = ", ".join(f"$e{i}: ID!" for i in range(count))
    lookups = " ".join(f"e{i}: evidence(id: $e{i}) {{ evidence_id collected_on valid_until }}" for i in range(count))
    return f"query({ids}) {{ {lookups} }}"


def with_evidence(evidence: list[str]) -> dict[str, str]:
    """QUERIES and, when there is evidence to show, the lookup of its dates (one request's worth)."""
    chunk = evidence[:EVIDENCE_CHUNK]
    return {**QUERIES, EVIDENCE_LOOKUP: evidence_query(len(chunk))} if chunk else dict(QUERIES)


def variables_for(name: str, arrangement: str, evidence: list[str]) -> dict[str, object]:
    """The variables a query needs beside asOf."""
    if name == "trace(one arrangement)":
        return {"subject": arrangement}
    if name == "trace(heatmap page)":
        return {"provisions": ARTICLES}
    if name == EVIDENCE_LOOKUP:
        return {f"e{i}": e for i, e in enumerate(evidence[:EVIDENCE_CHUNK])}
    return {}
