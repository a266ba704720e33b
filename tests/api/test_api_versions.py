"""GraphQL for regulation versions: the stored versions, a member company's review queue and the banner after an
adoption, accepting reviews; each role sees only what it may, and one tenant never sees another's queue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from api_fixtures import Api
from regtrace.graph.ladybug_store import LadybugStore

from regtrace.versions_adopt import adopt

AMENDED = Path(__file__).resolve().parent.parent / "data" / "regulation_adopt_2027.txt"
QUEUE = "{ reviewQueue { tenant latest_version needs_review { id kind source_id provision_id from_version changes } " \
        "accepted { id } orphaned { kind source_id provision_id version } } }"
BANNER = "{ regulationBanner { version effective_from needs_review orphaned } }"


def test_versions_review_queue_banner_and_accept(api: Api, api_store: LadybugStore) -> None:
    assert api.data(BANNER, as_="board") == {"regulationBanner": None}, "one version: no banner"
    # The officer maps a control to A7.P1.I3.S2 (宜), which the amendment makes 應.
    api.data('mutation { linkControlToProvision(controlId: "C-ALL", provisionId: "A7.P1.I3.S2") { control_id } }')
    adopt(api_store, AMENDED, dt.date(2027, 1, 1), "2027")

    versions = api.data('{ regulationVersions(asOf: "2026-06-01") { version effective_from effective_until '
                        'in_force } }', as_="board")["regulationVersions"]
    assert versions == [
        {"version": "seed", "effective_from": None, "effective_until": "2026-12-31", "in_force": True},
        {"version": "2027", "effective_from": "2027-01-01", "effective_until": None, "in_force": False}]
    queue = api.data(QUEUE)["reviewQueue"]
    assert queue["tenant"] == "alpha" and queue["latest_version"] == "2027"
    assert queue["needs_review"] == [{"id": "satisfies:C-ALL:A7.P1.I3.S2@2027", "kind": "satisfies",
                                      "source_id": "C-ALL", "provision_id": "A7.P1.I3.S2", "from_version": "seed",
                                      "changes": ["reworded", "modality_changed"]}]
    assert queue["orphaned"] == [], "alpha maps nothing to the deleted A4.P2.I3"
    assert api.data(BANNER, as_="board")["regulationBanner"] == {
        "version": "2027", "effective_from": "2027-01-01", "needs_review": 1, "orphaned": 0}
    assert api.data(QUEUE, as_="beta_officer")["reviewQueue"]["needs_review"] == [], "another tenant's queue"

    assert api.error(QUEUE, as_="board")[1] == "FORBIDDEN"
    accept = 'mutation { acceptMappingReviews(ids: ["satisfies:C-ALL:A7.P1.I3.S2@2027"]) }'
    assert api.error(accept, as_="auditor")[1] == "FORBIDDEN"
    status, code, message = api.error('mutation { acceptMappingReviews(ids: ["nope"]) }')
    assert (status, code) == (200, "NOT_FOUND") and "nope" in message
    assert api.data(accept)["acceptMappingReviews"] == ["satisfies:C-ALL:A7.P1.I3.S2@2027"]
    assert api.data(accept)["acceptMappingReviews"] == [], "already accepted: nothing newly accepted"
    after = api.data(QUEUE)["reviewQueue"]
    assert after["needs_review"] == [] and after["accepted"] == [{"id": "satisfies:C-ALL:A7.P1.I3.S2@2027"}]
    assert api.data(BANNER, as_="board") == {"regulationBanner": None}
