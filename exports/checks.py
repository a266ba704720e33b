"""The executable obligations (features/, pytest-bdd through regtrace.bdd_report.run_checks) for the report.

They run in-process against the same store, tenant and date as the export, only for the HTML/PDF report and
only up to `MAX_ITEMS` obligation × subject items (a 500-arrangement insurer has some 30,000: minutes of
pytest); above that, or without the features folder, the report says why and how to run them
(`regtrace check`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from regtrace.graph.port import Store

from regtrace.errors import ConfigError

MAX_ITEMS = 5_000


@dataclass(frozen=True)
class BddReport:
    """The checks' outcomes, or why there are none."""

    results: list[Any] = field(default_factory=list)  # regtrace.bdd_report.CheckResult
    note: str | None = None

    @property
    def ran(self) -> bool:
        return self.note is None


def run(store: Store, tenant: str, as_of: dt.date, items: int, max_items: int = MAX_ITEMS) -> BddReport:
    """Run the features against the store when there are at most `max_items` items (obligation × subject)."""
    if items > max_items:
        return BddReport(note=f"{items:,} 項檢核超過報告上限 {max_items:,}，未於匯出時執行；請以 regtrace check 執行。"
                              f" {items:,} checks exceed the report's limit of {max_items:,}: run them with "
                              "`regtrace check` (JUnit XML).")
    try:
        from regtrace.bdd_report import run_checks
    except ImportError:
        return BddReport(note="regtrace.bdd_report 未安裝 is not installed.")
    try:
        return BddReport(run_checks(store, tenant, as_of, echo=False))
    except ConfigError as exc:
        return BddReport(note=f"無法執行 could not run the checks: {exc}")
