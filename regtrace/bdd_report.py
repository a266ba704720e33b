"""Running the executable obligations in-process and reporting each (obligation, subject) outcome.

`run_checks` runs pytest-bdd on a features folder against a store and returns one CheckResult per test item;
`write_junit` writes them as JUnit XML (one testsuite per article); `summary` counts them by outcome.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from regtrace.bdd_context import CheckContext, subject_name
from regtrace.errors import ConfigError
from regtrace.features import ARTICLE_TITLES, features_folder
from regtrace.graph.port import Store

Outcome = Literal["passed", "failed", "skipped", "error"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "skipped", "error")
OUTCOME_ZH = {"passed": "通過", "failed": "未通過", "skipped": "略過（不適用）", "error": "錯誤"}


@dataclass(frozen=True)
class CheckResult:
    """One test item: an obligation for a subject (None for the run's own checks) and its outcome."""

    nodeid: str
    provision: str | None
    subject: str | None
    outcome: Outcome
    message: str = ""
    status: str | None = None  # the trace status the scenario saw
    duration: float = 0.0
    causes: tuple[dict[str, Any], ...] = ()  # the trace row's `cause` (JSON form): why it is not covered

    @property
    def article(self) -> int | None:
        return int(self.provision.split(".")[0][1:]) if self.provision and self.provision[1:2].isdigit() else None

    def to_json(self) -> dict[str, Any]:
        return {"nodeid": self.nodeid, "provision": self.provision, "subject": self.subject, "outcome": self.outcome,
                "status": self.status, "message": self.message, "duration": round(self.duration, 4),
                "cause": list(self.causes)}


def _message(report: Any) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longreprtext) if report.longrepr else ""


class _Collector:
    """A pytest plugin that lends the run its context and records every item's outcome."""

    def __init__(self, context: CheckContext) -> None:
        self.context = context
        self.results: dict[str, CheckResult] = {}

    def pytest_configure(self, config: Any) -> None:
        from regtrace.bdd_steps import CONTEXT

        config.stash[CONTEXT] = self.context

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.results[report.nodeid] = CheckResult(report.nodeid, None, None, "error", _message(report))

    def pytest_runtest_logreport(self, report: Any) -> None:
        props = dict(report.user_properties)
        previous = self.results.get(report.nodeid)
        if report.when == "call" or report.failed or (report.when == "setup" and report.skipped):
            outcome: Outcome = report.outcome if report.when == "call" else "error" if report.failed else "skipped"
            if previous is not None and previous.outcome == "error":
                return
            self.results[report.nodeid] = CheckResult(
                report.nodeid, props.get("provision"), props.get("subject") or None, outcome, _message(report),
                props.get("status"), report.duration + (previous.duration if previous else 0.0),
                tuple(props.get("cause") or ()))


def _unrelated_plugins_off() -> list[str]:
    """-p no:NAME for every auto-loaded pytest plugin but pytest-bdd (some take seconds to import)."""
    from importlib.metadata import entry_points

    return [arg for ep in entry_points(group="pytest11") if ep.name != "pytest-bdd" for arg in ("-p", f"no:{ep.name}")]


@contextmanager
def _isolated(folder: Path) -> Iterator[None]:
    """Import the folder's conftest and test module afresh and forget them after the run (another folder's
    modules of the same name, e.g. an outer test session's conftest, are set aside and restored)."""
    import pytest_bdd.feature

    root = folder.resolve()
    stems = {p.stem for p in root.glob("*.py")}

    def ours(name: str, module: Any) -> bool:
        file = getattr(module, "__file__", None)
        return name.rsplit(".", 1)[-1] in stems or (file is not None and Path(file).resolve().is_relative_to(root))

    saved = {n: m for n, m in list(sys.modules.items()) if ours(n, m)}
    for name in saved:
        del sys.modules[name]
    try:
        yield
    finally:
        for name, module in list(sys.modules.items()):
            if ours(name, module):
                del sys.modules[name]
        sys.modules.update(saved)
        for path in [p for p in pytest_bdd.feature.features if Path(p).resolve().is_relative_to(root)]:
            del pytest_bdd.feature.features[path]


def run_checks(store: Store | str, tenant: str, as_of: dt.date, features: Path | None = None, *,
               pytest_args: Sequence[str] = (), echo: bool = True) -> list[CheckResult]:
    """Run the features (default: the repository's features/) against an open store or a store location,
    in this process; return every item's outcome in collection order. A location is opened and closed here,
    so the caller must not hold that store open. `echo`: pytest's progress line on stdout, else silence."""
    import pytest

    folder = features_folder(features)
    context = CheckContext(tenant, as_of, store) if isinstance(store, str) else CheckContext(tenant, as_of, given=store)
    collector = _Collector(context)
    args = [str(folder), "-p", "no:cacheprovider", "-p", "regtrace.bdd_steps", "--import-mode=importlib",
            *_unrelated_plugins_off(),
            "-q", "--no-header", "--tb=no", "-rN", *pytest_args]
    try:
        with _isolated(folder), redirect_stdout(sys.stdout if echo else io.StringIO()):
            code = pytest.main(args, plugins=[collector])
    finally:
        context.close()
    if code in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        raise ConfigError(f"pytest could not run the features in {folder} (exit code {int(code)})")
    return list(collector.results.values())


def summary(results: Iterable[CheckResult]) -> dict[Outcome, int]:
    """Counts by outcome, every outcome present."""
    counts = Counter(r.outcome for r in results)
    return {o: counts.get(o, 0) for o in OUTCOMES}


def _suite_name(article: int | None) -> str:
    if article is None:
        return "regtrace"
    from regtrace.loaders.chinese_numerals import to_chinese

    zh, en = ARTICLE_TITLES.get(article, ("", ""))
    return f"第{to_chinese(article)}條 {zh} Art. {article} {en}".strip()


def write_junit(results: Sequence[CheckResult], path: Path, *, tenant: str, as_of: dt.date) -> None:
    """JUnit XML: a testsuite per article, a testcase per (obligation, subject), skipped = not applicable."""
    root = ET.Element("testsuites", name=f"regtrace check {tenant} {as_of.isoformat()}")
    by_article: dict[int | None, list[CheckResult]] = {}
    for r in results:
        by_article.setdefault(r.article, []).append(r)
    for article in sorted(by_article, key=lambda a: -1 if a is None else a):
        rows = by_article[article]
        counts = summary(rows)
        suite = ET.SubElement(root, "testsuite", name=_suite_name(article), tests=str(len(rows)),
                              failures=str(counts["failed"]), errors=str(counts["error"]),
                              skipped=str(counts["skipped"]), time=f"{sum(r.duration for r in rows):.3f}")
        for r in rows:
            name = f"{r.provision} [{subject_name(r.subject)}]" if r.provision and r.subject else r.nodeid
            case = ET.SubElement(suite, "testcase", classname=r.provision or "regtrace", name=name,
                                 time=f"{r.duration:.3f}")
            props = ET.SubElement(case, "properties")
            for key, value in (("nodeid", r.nodeid), ("subject", r.subject), ("status", r.status),
                               ("tenant", tenant), ("as_of", as_of.isoformat())):
                if value:
                    ET.SubElement(props, "property", name=key, value=value)
            if r.outcome in ("failed", "error"):
                tag = "failure" if r.outcome == "failed" else "error"
                ET.SubElement(case, tag, message=r.message.splitlines()[0] if r.message else r.outcome).text = r.message
            elif r.outcome == "skipped":
                ET.SubElement(case, "skipped", message=r.message)
    totals = summary(results)
    root.set("tests", str(len(results)))
    root.set("failures", str(totals["failed"]))
    root.set("errors", str(totals["error"]))
    root.set("skipped", str(totals["skipped"]))
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
