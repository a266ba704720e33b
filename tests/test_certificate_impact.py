"""`regtrace certifications --impact CERT_ID` on the example insurer, with scope_arrangements added to its
certifications register (a copy; the shipped example claims no scope). Expected values worked out by hand:

* CERT-06 (CSP-FTC, ISO27001, valid until 2028-05-31), scope `*`: FTC's only arrangement in effect is
  ARR-DIGITAL (material). A9.P1.I4.S2 (data-centre physical security, CSP-meetable, ISO27001 A.7 subset) is met
  otherwise by CTL-AUD-01 only, whose evidence EV-0105 was collected 2026-07-07 with a 12-month frequency: fresh
  through 2027-07-07. On 2027-07-08 the row is covered by the certificate and stale without it; every other
  row under A9.P1.I4 for ARR-DIGITAL rests on the same stale evidence, so no roll-up changes.
* CERT-07 (CSP-FTC, ISO27017, valid until 2027-01-15), scope ARR-DIGITAL: counts for A5.P1.I2.S6 (CLD.9.5.1
  subset) on 2027-01-15, but CTL-DD-01's EV-0042 (2026-10-25, 12 months) covers it too: nothing drops. On
  2027-01-16 it no longer counts.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from test_cli import regtrace

from regtrace.seed import examples_folder

SCOPES = {"CERT-06": "*", "CERT-07": "ARR-DIGITAL"}


def with_scopes(folder: Path, scopes: dict[str, str]) -> Path:
    shutil.copytree(examples_folder(), folder)
    path = folder / "certifications.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows[0].append("scope_arrangements")
    for r in rows[1:]:
        r.append(scopes.get(r[0], ""))
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return folder


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("impact")
    regtrace("load", str(with_scopes(base / "insurer", SCOPES)), "--tenant", "example-life", store=base / "store")
    return base / "store"


def impact(store: Path, cert: str, day: str) -> list[dict[str, str]]:
    result = regtrace("certifications", "--tenant", "example-life", "--impact", cert, "--as-of", day, "--json",
                      store=store)
    rows: list[dict[str, str]] = json.loads(result.stdout)
    return rows


def test_what_falls_when_a_certificate_lapses(store: Path) -> None:
    assert impact(store, "CERT-06", "2027-07-08") == [
        {"provision": "A9.P1.I4.S2", "subject": "ARR-DIGITAL", "status": "covered", "status_without": "stale"}]
    assert impact(store, "CERT-07", "2027-01-15") == []  # the insurer's own control covers it as well
    assert impact(store, "CERT-01", "2027-07-08") == []  # NIMBUS's ISO 27001 claims no scope here
    table = regtrace("certifications", "--tenant", "example-life", "--impact", "CERT-06", "--as-of", "2027-07-08",
                     store=store).stdout
    assert "A9.P1.I4.S2" in table and "ARR-DIGITAL" in table and "stale" in table


def test_the_trace_names_the_certificate_until_valid_until(store: Path) -> None:
    def row(day: str) -> dict[str, object]:
        rows = json.loads(regtrace("trace", "--tenant", "example-life", "--arrangement", "ARR-DIGITAL", "--as-of",
                                   day, "--json", store=store).stdout)
        found: dict[str, object] = next(r for r in rows if r["provision"] == "A5.P1.I2.S6")
        return found

    on_last_day, day_after = row("2027-01-15"), row("2027-01-16")
    assert on_last_day["certifications"] == ["CERT-07"] and "CERT-07" in on_last_day["evidence"]  # type: ignore[operator]
    assert on_last_day["mapped_via"] == [{"certification": "CERT-07", "target": "ISO27017:CLD.9.5.1"}]
    assert day_after["certifications"] == [] and day_after["status"] == "covered"  # CTL-DD-01 still fresh


def test_unknown_certificate_tenant_and_scope(store: Path, tmp_path: Path) -> None:
    unknown = regtrace("certifications", "--tenant", "example-life", "--impact", "CERT-99", store=store, check=False)
    assert unknown.returncode == 3 and "CERT-99" in unknown.stderr and "CERT-01" in unknown.stderr
    nobody = regtrace("certifications", "--tenant", "nobody", "--impact", "CERT-06", store=store, check=False)
    assert nobody.returncode == 3 and "nobody" in nobody.stderr and "example-life" in nobody.stderr
    bad = with_scopes(tmp_path / "bad", {"CERT-01": "ARR-DIGITAL", "CERT-06": "ARR-NOPE", "CERT-07": "*;ARR-DIGITAL"})
    result = regtrace("validate", str(bad), store=tmp_path / "none", check=False)
    assert result.returncode == 2
    assert "certifications.csv, row 7, column scope_arrangements: unknown 'ARR-NOPE'" in result.stderr
    assert "certifications.csv, row 8, column scope_arrangements: '*' stands for every one" in result.stderr
    assert ("certifications.csv, row 2, column scope_arrangements: ARR-DIGITAL (CSP-FTC) in arrangements.csv is not "
            "provided by this certificate's CSP CSP-NIMBUS") in result.stderr
