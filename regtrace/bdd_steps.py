"""pytest-bdd glue for the executable obligations in features/: a pytest plugin (features/conftest.py loads it).

Each obligation scenario becomes test items: one per arrangement in effect on the as-of date for a 場景大綱
(pytest_generate_tests parametrises pytest-bdd's example fixture with the store's arrangements), one for a
company scenario. Its outcome is the trace's: covered passes, not_applicable is skipped with the conditions
that do not hold, gap / unevidenced / stale fail with the reason, controls and evidence. A scenario without
steps, or without a 那麼 step, fails instead of passing silently. Store, tenant and date come from
--regtrace-store / --regtrace-tenant / --regtrace-as-of, else REGTRACE_STORE / REGTRACE_TENANT /
REGTRACE_AS_OF, unless `regtrace check` (regtrace/bdd_report.py) supplies them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenario, then, when
from pytest_bdd.feature import get_features
from pytest_bdd.parser import Feature, Scenario
from pytest_bdd.scenario import collect_example_parametrizations, make_python_name, scenario_wrapper_template_registry
from pytest_bdd.utils import CONFIG_STACK

from regtrace import labels
from regtrace.bdd_context import CheckContext, failure_message, not_applicable_message
from regtrace.features import OUTLINE_PARAM, shown_step
from regtrace.graph.port import Row
from regtrace.trace import COMPANY, TraceRow

CONTEXT = pytest.StashKey[CheckContext]()
OWNED = pytest.StashKey[bool]()
EXAMPLE = "_pytest_bdd_example"  # pytest-bdd's fixture holding a scenario outline's example row
PROVISION_ID = re.compile(r"A\d+(\.[PISN]\d+)*")
FACT_BY_ZH = {zh: code for code, (zh, _) in labels.FACT.items()}


# ---------------------------------------------------------------- configuration


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("regtrace", "regtrace executable obligations")
    group.addoption("--regtrace-store", help="Store folder or neo4j:// URI [env: REGTRACE_STORE].")
    group.addoption("--regtrace-tenant", help="Member company [env: REGTRACE_TENANT; default: default].")
    group.addoption("--regtrace-as-of", help="As-of date, ISO [env: REGTRACE_AS_OF; default: today].")


def context_of(config: pytest.Config) -> CheckContext:
    """The run's context: the one `regtrace check` supplied, else one from the options and environment."""
    if CONTEXT not in config.stash:
        config.stash[CONTEXT] = CheckContext.from_env(config.getoption("regtrace_store"),
                                                      config.getoption("regtrace_tenant"),
                                                      config.getoption("regtrace_as_of"))
        config.stash[OWNED] = True
    return config.stash[CONTEXT]


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(OWNED, False):
        config.stash[CONTEXT].close()


@pytest.fixture(scope="session")
def regtrace_checks(pytestconfig: pytest.Config) -> CheckContext:
    """The store, tenant, date and trace of this run."""
    return context_of(pytestconfig)


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Callable[..., Any]) -> None:
    """Register each feature tag as a marker (no unknown-mark warnings); pytest-bdd then applies it."""
    CONFIG_STACK[-1].addinivalue_line("markers", f"{tag}: feature tag")


# ---------------------------------------------------------------- items per obligation and arrangement


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A 場景大綱 on arrangements without examples runs once per arrangement in effect on the date."""
    template = scenario_wrapper_template_registry.get(metafunc.function)
    if template is None or "arrangement" not in template.tags or EXAMPLE not in metafunc.fixturenames:
        return
    if collect_example_parametrizations(template) is not None:
        return  # a hand-written outline with its own examples
    ids = sorted(context_of(metafunc.config).arrangements)
    if not ids:
        reason = "基準日無有效之委外事項 no arrangement in effect on the as-of date"
        metafunc.parametrize(EXAMPLE, [pytest.param({}, marks=pytest.mark.skip(reason=reason), id="none")])
        return
    metafunc.parametrize(EXAMPLE, [{OUTLINE_PARAM: a} for a in ids], ids=ids)


def provision_of(item: pytest.Item) -> str | None:
    """The obligation id an item checks (the first word of its scenario's name)."""
    template = scenario_wrapper_template_registry.get(getattr(item, "function", None))  # type: ignore[arg-type]
    if template is None:
        return None
    first = template.name.split(" ", 1)[0]
    return first if PROVISION_ID.fullmatch(first) else template.name


def subject_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return COMPANY
    example: dict[str, str] = callspec.params.get(EXAMPLE, {})
    return example.get(OUTLINE_PARAM)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Record each item's obligation and subject (they end up in the reports and JUnit properties)."""
    for item in items:
        provision = provision_of(item)
        if provision is not None:
            item.user_properties += [("provision", provision), ("subject", subject_of(item) or "")]


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario) -> None:
    """A scenario whose steps were not recognised (e.g. a wrong keyword made them description) fails."""
    if not scenario.steps:
        pytest.fail(f"場景無步驟 scenario {scenario.name!r} in {feature.rel_filename} has no steps: check the step "
                    "keywords (假設 / 當 / 那麼 / 而且)", pytrace=False)
    if not any(step.type == "then" for step in scenario.steps):
        pytest.fail(f"場景無「那麼」步驟 scenario {scenario.name!r} in {feature.rel_filename} asserts nothing "
                    "(no 那麼 step)", pytrace=False)


# ---------------------------------------------------------------- steps


def _stale(what: str) -> str:
    return f"{what}: 功能檔與規範圖不一致 the feature files do not match the regulation graph (regtrace features)"


@given(parsers.re(r"義務 (?P<provision>\S+) 之規範效力為「(?P<modality>[^」]+)」"), target_fixture="obligation")
def obligation_with_modality(regtrace_checks: CheckContext, provision: str, modality: str) -> Row:
    obligation = regtrace_checks.obligations.get(provision)
    if obligation is None:
        pytest.fail(_stale(f"{provision} 非規範圖中之義務 is not an obligation"), pytrace=False)
    if labels.modality(obligation["modality"]) != modality:
        pytest.fail(_stale(f"{provision} 之規範效力為 is {labels.modality(obligation['modality'])}, not {modality}"),
                    pytrace=False)
    return obligation


def _arrangement_subject(checks: CheckContext, obligation: Row, arrangement: str, conditions: list[str]) -> str:
    if obligation["falls_on"] not in ("arrangement", "both"):
        pytest.fail(_stale(f"{obligation['obligation_id']} 適用於全公司 falls on the company"), pytrace=False)
    if sorted(conditions) != sorted(obligation["conditions"]):
        shown = ", ".join(obligation["conditions"]) or "none"
        pytest.fail(_stale(f"{obligation['obligation_id']} 之適用條件 conditions are {shown}"), pytrace=False)
    if arrangement not in checks.arrangements:
        pytest.fail(f"委外事項 {arrangement} 於基準日 {checks.as_of} 無效或不存在 is not an arrangement in effect "
                    f"(tenant {checks.tenant})", pytrace=False)
    row = checks.rows.get((obligation["obligation_id"], arrangement))
    ended = checks.arrangements[arrangement].end_date
    if row is None and ended is not None and ended < checks.as_of:
        pytest.skip(f"委外事項 {arrangement} 已於 {ended} 終止，僅適用資料刪除義務 ended on {ended}: "
                    "only A10.P1.I6.S2 applies")
    if row is not None and row.status == "not_applicable":
        pytest.skip(not_applicable_message(row, checks.arrangements.get(arrangement), conditions))
    return arrangement


@given(parsers.re(r"委外事項 (?P<arrangement>\S+) 符合適用條件(?P<conditions>(「[^」]+」)+)"), target_fixture="subject")
def arrangement_meeting_conditions(regtrace_checks: CheckContext, obligation: Row, arrangement: str,
                                   conditions: str) -> str:
    facts = [FACT_BY_ZH.get(name, name) for name in re.findall(r"「([^」]+)」", conditions)]
    return _arrangement_subject(regtrace_checks, obligation, arrangement, facts)


@given(parsers.re(r"委外事項 (?P<arrangement>\S+) 無適用條件限制"), target_fixture="subject")
def arrangement_without_conditions(regtrace_checks: CheckContext, obligation: Row, arrangement: str) -> str:
    return _arrangement_subject(regtrace_checks, obligation, arrangement, [])


@given("適用對象為全公司", target_fixture="subject")
def the_company(obligation: Row) -> str:
    if obligation["falls_on"] != COMPANY:
        pytest.fail(_stale(f"{obligation['obligation_id']} 適用於各委外事項 falls on each arrangement"), pytrace=False)
    return COMPANY


@when("以基準日追溯", target_fixture="trace_row")
def trace_on_the_date(regtrace_checks: CheckContext, obligation: Row, subject: str,
                      request: pytest.FixtureRequest) -> TraceRow:
    row = regtrace_checks.rows.get((obligation["obligation_id"], subject))
    if row is None:
        pytest.fail(f"追溯無 {obligation['obligation_id']} / {subject} the trace has no such row", pytrace=False)
    request.node.user_properties.append(("status", row.status))
    request.node.user_properties.append(("cause", [c.to_json() for c in row.cause]))
    return row


@then(parsers.re(r"(?P<shown>應.+)"))
def obligation_is_covered(regtrace_checks: CheckContext, obligation: Row, trace_row: TraceRow, shown: str) -> None:
    expected = shown_step(obligation["rule"], obligation["frequency_months"])
    if shown != expected:
        pytest.fail(_stale(f"{obligation['obligation_id']} 應證明 must show 「{expected}」, not 「{shown}」"),
                    pytrace=False)
    if trace_row.status == "not_applicable":
        pytest.skip(not_applicable_message(trace_row, regtrace_checks.arrangements.get(trace_row.subject),
                                           list(obligation["conditions"])))
    if trace_row.status != "covered":
        pytest.fail(failure_message(trace_row), pytrace=False)


# ---------------------------------------------------------------- binding the features to test functions


def scenario_test_name(scenario_name: str, taken: MutableMapping[str, Any]) -> str:
    """test_A7_P1_I5_S1_N2 for a scenario named after its obligation; unique in `taken`."""
    first = scenario_name.split(" ", 1)[0]
    base = "test_" + (first.replace(".", "_") if PROVISION_ID.fullmatch(first) else make_python_name(scenario_name))
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def bind_scenarios(namespace: MutableMapping[str, Any], folder: Path) -> None:
    """Put a test function per scenario of the folder's features into a test module's namespace, and a test
    that the scenarios are exactly the graph's obligations."""
    bound: set[str] = set()
    for feature in sorted(get_features([str(folder)]), key=lambda f: f.filename):
        for name in feature.scenarios:
            bound.add(name.split(" ", 1)[0])

            def run() -> None:
                """The steps decide the outcome."""

            bind = scenario(feature.filename, name, features_base_dir=str(folder))
            namespace[scenario_test_name(name, namespace)] = bind(run)

    def test_features_match_the_regulation_graph(regtrace_checks: CheckContext) -> None:
        obligations = set(regtrace_checks.obligations)
        missing, extra = sorted(obligations - bound), sorted(bound - obligations)
        assert not missing and not extra, _stale(f"無場景之義務 obligations without a scenario {missing}; "
                                                 f"非義務之場景 scenarios of no obligation {extra}")

    namespace["test_features_match_the_regulation_graph"] = test_features_match_the_regulation_graph
