"""Coverage over time (issue 15 point 3): the trend at quarter ends and the changes between two dates, on a small
tenant of the test regulation (tests/trace_fixtures.py), worked out by hand from the README's rules.

The tenant, as of 2026-06-30:
- ARR1 (started 2020-01-01, no facts): contract K1 lists A6.P1.I1, signed 2025-01-01, expires 2026-04-30;
  control C1 (every subject) satisfies A7.P1.I1, frequency 12 months, evidence E1 for ARR1 collected 2025-05-15
  (fresh to 2026-05-15).
- ARR2 started 2026-02-01, no contract, no evidence.
- No control satisfies the company's A8.P1: a gap on every date.
Applicable obligations per arrangement without facts: A6.P1.I1 and A7.P1.I1 (A6.P1.I7, A7.P1.I2 and A9.P1.I1.S1
need facts it does not have); the company: A8.P1.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cli_inprocess import run
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Store
from regtrace.trace import trace
from regtrace.trace.changes import changes
from regtrace.trace.trend import quarter_ends, tenant_trend, trend_dates
from test_cli import regtrace
from trace_fixtures import Registers, write_test_regulation

from regtrace.errors import InputError, NotFoundError

AS_OF = dt.date(2026, 6, 30)


def small_tenant(store: Store) -> None:
    reg = Registers("t1")
    reg.csp()
    reg.arrangement("ARR1")
    reg.arrangement("ARR2", start=dt.date(2026, 2, 1))
    reg.contract("K1", "ARR1", ["A6.P1.I1"], dt.date(2025, 1, 1), dt.date(2026, 4, 30))
    reg.control("C1", ["A7.P1.I1"], frequency=12)
    reg.evidence("E1", "C1", dt.date(2025, 5, 15), "ARR1")
    reg.write(store)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trend") / "store"
    with LadybugStore(path) as store:
        write_test_regulation(store)
        small_tenant(store)
    return path


def test_the_last_eight_quarter_ends_count_one_ending_on_the_date() -> None:
    assert quarter_ends(dt.date(2026, 6, 30)) == [
        dt.date(2024, 9, 30), dt.date(2024, 12, 31), dt.date(2025, 3, 31), dt.date(2025, 6, 30),
        dt.date(2025, 9, 30), dt.date(2025, 12, 31), dt.date(2026, 3, 31), dt.date(2026, 6, 30)]
    assert quarter_ends(dt.date(2026, 6, 29))[-1] == dt.date(2026, 3, 31)
    assert quarter_ends(dt.date(2026, 1, 1))[0] == dt.date(2024, 3, 31)
    assert trend_dates(AS_OF, [dt.date(2026, 5, 16), dt.date(2026, 3, 31)])[-3:] == [
        dt.date(2026, 3, 31), dt.date(2026, 5, 16), dt.date(2026, 6, 30)]
    with pytest.raises(InputError, match="after the as-of date"):
        trend_dates(AS_OF, [dt.date(2026, 7, 1)])


def test_trend_by_hand_at_quarter_ends(folder: Path) -> None:
    with LadybugStore(folder) as store:
        points = {p.date: p.to_json() for p in tenant_trend(store, "t1", AS_OF, [dt.date(2026, 5, 15)])}
    assert len(points) == 9
    # 2025-12-31: ARR1's contract in force and E1 fresh; ARR2 not started; the company's A8.P1 a gap.
    end_2025 = points[dt.date(2025, 12, 31)]
    assert (end_2025["covered"], end_2025["applicable"], end_2025["percent"]) == (2, 3, 66.7)
    assert {a["article"]: (a["covered"], a["applicable"], a["percent"]) for a in end_2025["articles"]} == {
        6: (1, 1, 100.0), 7: (1, 1, 100.0), 8: (0, 1, 0.0), 9: (0, 0, None)}
    # 2026-03-31: ARR2 has started (no contract: gap; C1 but no evidence for it: unevidenced).
    q1 = points[dt.date(2026, 3, 31)]
    assert (q1["covered"], q1["applicable"], q1["percent"]) == (2, 5, 40.0)
    assert q1["counts"] == {"gap": 2, "unevidenced": 1, "stale": 0, "covered": 2, "not_applicable": 6}
    # 2026-05-15 (asked for): E1's last fresh day; the contract expired on 04-30.
    assert points[dt.date(2026, 5, 15)]["covered"] == 1
    # 2026-06-30: contract expired, E1 stale: nothing covered.
    q2 = points[AS_OF]
    assert (q2["covered"], q2["applicable"], q2["percent"]) == (0, 5, 0.0)
    # 2024-09-30: before the contract and the evidence.
    assert points[dt.date(2024, 9, 30)]["covered"] == 0


def test_changes_between_two_dates_by_hand(folder: Path) -> None:
    with LadybugStore(folder) as store:
        found = changes(trace(store, "t1", dt.date(2025, 12, 31)), trace(store, "t1", AS_OF))
    shown = [(c.provision, c.subject, c.from_status, c.to_status, [k.kind for k in c.cause]) for c in found]
    assert shown == [
        ("A6.P1.I1", "ARR1", "covered", "gap", ["contract_expired"]),
        ("A6.P1.I1", "ARR2", None, "gap", ["no_contract"]),
        ("A7.P1.I1", "ARR2", None, "unevidenced", ["no_evidence"]),
        ("A7.P1.I1", "ARR1", "covered", "stale", ["evidence_lapsed"]),
    ]
    assert [c.direction for c in found] == ["worse", "new", "new", "worse"]
    assert found[0].to_json()["cause"][0]["kind"] == "contract_expired"


def test_cli_trend_and_changes(folder: Path) -> None:
    points = json.loads(regtrace("coverage", "--tenant", "t1", "--trend", "--as-of", "2026-06-30", "--date",
                                 "2026-05-15", "--json", store=folder).stdout)
    assert [p["date"] for p in points][-3:] == ["2026-03-31", "2026-05-15", "2026-06-30"]
    assert {"date", "covered", "applicable", "percent", "articles"} <= set(points[-1])
    assert (points[-1]["covered"], points[-1]["applicable"], points[-1]["percent"]) == (0, 5, 0.0)
    table = run("coverage", "--tenant", "t1", "--trend", "--as-of", "2026-06-30", store=folder).output
    assert "2025-12-31" in table and "66.7%" in table and "2/3" in table
    rows = json.loads(run("changes", "--tenant", "t1", "--from", "2025-12-31", "--to", "2026-06-30", "--json",
                          store=folder).output)
    assert {"provision", "subject", "from_status", "to_status", "cause"} <= set(rows[0])
    first = rows[0]
    assert (first["provision"], first["subject"], first["from_status"], first["to_status"]) == (
        "A6.P1.I1", "ARR1", "covered", "gap")
    assert "A6.P1.I1" in run("changes", "--tenant", "t1", "--from", "2025-12-31", "--to", "2026-06-30",
                             store=folder).output


@pytest.mark.parametrize(("args", "error", "message"), [
    (["changes", "--tenant", "t1", "--from", "2026-06-30", "--to", "2025-12-31"], InputError,
     "--from 2026-06-30 is after --to"),
    (["changes", "--tenant", "t9", "--from", "2025-12-31", "--to", "2026-06-30"], NotFoundError,
     "tenant 't9' has no registers"),
    (["coverage", "--tenant", "t9", "--trend"], NotFoundError, "tenant 't9' has no registers"),
    (["coverage", "--tenant", "t1", "--trend", "--as-of", "2026-06-30", "--date", "2026-07-01"], InputError,
     "--date 2026-07-01 is after the as-of date"),
    (["coverage", "--tenant", "t1", "--date", "2026-06-01"], InputError, "--date goes with --trend"),
])
def test_cli_errors(folder: Path, args: list[str], error: type[Exception], message: str) -> None:
    result = run(*args, store=folder)
    assert isinstance(result.exception, error) and message in str(result.exception)
    assert result.output == ""


def test_an_empty_store_is_an_error(tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "s") as store:
        write_test_regulation(store)
    result = regtrace("changes", "--tenant", "t1", "--from", "2026-01-01", "--to", "2026-02-01",
                      store=tmp_path / "s", check=False)
    assert result.returncode == 3 and "holds no member company's registers" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    trend = run("coverage", "--tenant", "t1", "--trend", store=tmp_path / "s")
    assert isinstance(trend.exception, NotFoundError)
