"""GraphQL regulationDiff and regulationImpact (issue 11 point 4): the same changes and impact as the CLI's
--json, officer and admin only, a bounded text, errors with a code, nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import AS_OF, Api
from regtrace.api.limits import MAX_REGULATION_TEXT_CHARS
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.loaders.regulation_diff import diff_texts

from regtrace.amendment import amend
from regtrace.impact import impact

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "ontology" / "seed" / "cloud-outsourcing-self-regulation.txt"
AMENDED = ROOT / "tests" / "data" / "regulation_impact.txt"
CHANGE = ("kind old_id new_id level old_label new_label old_text new_text similarity text_diff deleted_with "
          "modality conditions frequency_months references")
STATUS = "provision old_provision subject old new"
DIFF = f"query($text: String!) {{ regulationDiff(text: $text) {{ {CHANGE} }} }}"
IMPACT = (f"query($text: String!, $tenant: String) {{ regulationImpact(text: $text, asOf: \"{AS_OF}\", "
          f"tenant: $tenant) {{ tenant asOf warnings changes {{ {CHANGE} controls contracts evidence arrangements "
          f"status_changes {{ {STATUS} }} }} other_status_changes {{ {STATUS} }} }} }}")
JSON_FIELDS = ("modality", "conditions", "frequency_months", "references")


def _decoded(change: dict[str, Any]) -> dict[str, Any]:
    return {k: json.loads(v) if k in JSON_FIELDS and v is not None else v for k, v in change.items()}


def _text() -> str:
    return AMENDED.read_text(encoding="utf-8")


def test_the_diff_is_regtrace_diffs(api: Api) -> None:
    got = api.data(DIFF, {"text": _text()})["regulationDiff"]
    assert [_decoded(c) for c in got] == diff_texts(str(SEED), str(AMENDED)).to_json()


def test_the_impact_is_the_clis_and_writes_nothing(api: Api, api_store: LadybugStore) -> None:
    before = {label: api_store.nodes(label, "alpha") for label in ("Control", "Contract", "Evidence")}
    got = api.data(IMPACT, {"text": _text()})["regulationImpact"]
    assert (got["tenant"], got["asOf"]) == ("alpha", AS_OF.isoformat())
    expected = impact(api_store, "alpha", amend(_text()), AS_OF)
    assert [_decoded(c) for c in got["changes"]] == expected.to_json()
    # alpha's contracts K-01 (A6.P1, so every item) and K-02 (A6.P1.I1, I2) both list items of the reworded A6.P1.
    a6 = next(c for c in got["changes"] if c["old_id"] == "A6.P1")
    assert a6["contracts"] == ["K-01", "K-02"] and a6["status_changes"] == []
    assert {label: api_store.nodes(label, "alpha") for label in before} == before


@pytest.mark.parametrize("role", ["board", "auditor"])
def test_only_officers_and_admins(api: Api, role: str) -> None:
    for query in (DIFF, IMPACT):
        status, code, message = api.error(query, {"text": _text()}, as_=role)
        assert code == "FORBIDDEN" and status < 500, (status, code)
        assert "officer and admin only" in message


def test_bad_texts_and_tenants(api: Api) -> None:
    status, code, message = api.error(DIFF, {"text": "x" * (MAX_REGULATION_TEXT_CHARS + 1)})
    assert code == "BAD_USER_INPUT" and message.startswith("text: ") and status < 500
    status, code, message = api.error(DIFF, {"text": "這不是法規 not a regulation"})
    assert code == "BAD_USER_INPUT" and status < 500, message
    status, code, message = api.error(IMPACT, {"text": _text(), "tenant": "gamma"}, as_="admin")
    assert code == "NOT_FOUND" and "tenant 'gamma' has no registers" in message
    status, code, _ = api.error(IMPACT, {"text": _text(), "tenant": "beta"}, as_="officer")
    assert code == "FORBIDDEN"
