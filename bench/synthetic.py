"""Generate a synthetic insurer's register folder of any size (CSV, UTF-8), valid against the ontology.

    .venv/bin/python bench/synthetic.py OUT_DIR [--csps 200 --arrangements 500 --systems 20000
                                                 --controls 3000 --evidence 1000000 --seed 42]

Deterministic for a given seed. Controls satisfy real obligations of the seed regulation; a third of them
apply to every arrangement ('*'), the rest to a few; evidence is spread over two years before the as-of
date, some of it expired or with a blank arrangement.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from regtrace.loaders.curation import load_curation, load_seed, obligations

AS_OF = dt.date(2026, 11, 29)
FACTS = ("material", "offshore", "natural_person_data", "customer_data", "hybrid_cloud", "internet_access",
         "vm_or_container_images", "subcontracting", "foreign_branch")
STANDARDS = ("ISO27001", "ISO27017", "ISO27018", "ISO27701", "ISO22301", "CSA-STAR", "SOC2")


def _write(folder: Path, name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    count = 0
    with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])
            count += 1
    return count


def _day(rng: random.Random, days_back: int, at_least: int = 0) -> str:
    return (AS_OF - dt.timedelta(days=at_least + rng.randrange(days_back))).isoformat()


def _arrangement_row(a: str, csp: str, model: str, flags: list[str], start: str) -> tuple[str | None, ...]:
    """An arrangement whose data locations agree with its offshore flag (a location outside TW needs Y)."""
    offshore = flags[FACTS.index("offshore")] == "Y"
    return (a, f"委外事項 {a}", csp, model, *flags, "TW;SG" if offshore else "TW", start, None)


def generate(folder: Path, *, csps: int = 200, arrangements: int = 500, systems: int = 20_000,
             controls: int = 3_000, evidence: int = 1_000_000, seed: int = 42) -> dict[str, int]:
    """Write the registers into `folder`; returns the row count per register."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    curation = load_curation()
    provisions = load_seed(curation).provisions
    obligation_ids = [p.id for p in obligations(provisions, curation)]
    clause_ids = list(curation.contract_clause)
    csp_ids = [f"CSP{i:04d}" for i in range(csps)]
    arr_ids = [f"ARR{i:05d}" for i in range(arrangements)]
    counts = {"csps": _write(folder, "csps", ["csp_id", "name", "country"],
                             ((c, f"雲端業者 {c}", rng.choice(["TW", "US", "SG", "JP"])) for c in csp_ids))}
    counts["certifications"] = _write(
        folder, "certifications",
        ["certification_id", "csp_id", "standard", "scope", "issuer", "valid_from", "valid_until"],
        ((f"CERT{i:05d}", csp_ids[i % csps], rng.choice(STANDARDS), "cloud services", "BSI",
          _day(rng, 700, 200), (AS_OF + dt.timedelta(days=rng.randrange(-200, 900))).isoformat())
         for i in range(csps * 3)))
    counts["arrangements"] = _write(
        folder, "arrangements",
        ["arrangement_id", "name", "csp_id", "service_model", *FACTS, "data_locations", "start_date", "end_date"],
        (_arrangement_row(a, rng.choice(csp_ids), rng.choice(["IaaS", "PaaS", "SaaS"]),
                          [rng.choice("YN") for _ in FACTS], _day(rng, 2000)) for a in arr_ids))
    counts["systems"] = _write(folder, "systems", ["system_id", "name", "arrangement_id", "criticality"],
                               ((f"SYS{i:06d}", f"系統 {i}", rng.choice(arr_ids), rng.choice(["high", "medium", "low"]))
                                for i in range(systems)))
    counts["contracts"] = _write(
        folder, "contracts", ["contract_id", "arrangement_id", "signed_on", "expires_on", "clauses"],
        ((f"K{i:05d}", a, _day(rng, 1400, 100), (AS_OF + dt.timedelta(days=rng.randrange(-100, 1000))).isoformat(),
          ";".join(c for c in clause_ids if rng.random() < 0.85)) for i, a in enumerate(arr_ids)))
    scopes: list[list[str]] = []
    control_rows = []
    for i in range(controls):
        scope = ["*"] if i % 3 == 0 else rng.sample(arr_ids, k=min(len(arr_ids), rng.randint(1, 5)))
        scopes.append(scope)
        control_rows.append((f"CTL{i:05d}", f"控制措施 {i}", "資訊安全部", rng.choice([None, 3, 6, 12]),
                             ";".join(rng.sample(obligation_ids, k=3)), ";".join(scope)))
    counts["controls"] = _write(folder, "controls",
                                ["control_id", "name", "owner", "frequency_months", "satisfies", "applies_to"],
                                control_rows)

    def evidence_rows() -> Iterable[Sequence[object]]:
        for i in range(evidence):
            c = rng.randrange(controls)
            scope = scopes[c]
            arrangement = None if scope == ["*"] or rng.random() < 0.1 else rng.choice(scope)
            collected = _day(rng, 730)
            valid_until = (AS_OF + dt.timedelta(days=rng.randrange(-300, 400))).isoformat() if i % 5 == 0 else None
            yield (f"EV{i:07d}", f"CTL{c:05d}", arrangement, collected, valid_until, f"佐證 {i}",
                   f"https://grc.example.com.tw/evidence/EV{i:07d}", hashlib.sha256(str(i).encode()).hexdigest())

    counts["evidence"] = _write(
        folder, "evidence",
        ["evidence_id", "control_id", "arrangement_id", "collected_on", "valid_until", "title", "uri", "sha256"],
        evidence_rows())
    kinds = ((a, k) for a in arr_ids for k in ("general", "project") if rng.random() < .7)
    audits = [(f"AUD{i:05d}", a, kind, _day(rng, 500), "KPMG", "Y") for i, (a, kind) in enumerate(kinds)]
    counts["audits"] = _write(folder, "audits",
                              ["audit_id", "arrangement_id", "kind", "performed_on", "auditor", "independent"], audits)
    counts["findings"] = _write(
        folder, "findings", ["finding_id", "audit_id", "severity", "status", "due_on", "closed_on"],
        ((f"F{i:05d}", a[0], rng.choice(["high", "medium", "low"]), status, _day(rng, 200),
          _day(rng, 100) if status == "closed" else None)
         for i, (a, status) in enumerate((a, rng.choice(["open", "closed"])) for a in audits[::2])))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    for name, default in (("csps", 200), ("arrangements", 500), ("systems", 20_000), ("controls", 3_000),
                          ("evidence", 1_000_000), ("seed", 42)):
        parser.add_argument(f"--{name}", type=int, default=default)
    a = parser.parse_args()
    counts = generate(a.out, csps=a.csps, arrangements=a.arrangements, systems=a.systems, controls=a.controls,
                      evidence=a.evidence, seed=a.seed)
    print(", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
