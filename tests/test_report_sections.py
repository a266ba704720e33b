"""The parts of the examiner's report that do not need a PDF: dates, the regulation's words, root causes,
register digests, the method text shared with the README, and the sign-off options."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import cli_process
import pytest
from regtrace.exports import cover, method, report, root_causes, scope
from regtrace.exports.cover import SignOff
from regtrace.trace import TraceRow
from regtrace.trace.due_diligence import CertificationState
from regtrace.trace.model import cause

README = Path(__file__).resolve().parent.parent / "README.md"


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(("day", "roc"), [
    (dt.date(2026, 11, 29), "民國115年11月29日"),  # 2026 - 1911
    (dt.date(1912, 1, 1), "民國1年1月1日"),  # the first day of the ROC calendar
    (dt.date(2024, 2, 29), "民國113年2月29日"),
])
def test_roc_dates(day: dt.date, roc: str) -> None:
    assert cover.roc_date(day) == roc


def test_a_date_before_the_roc_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="before the ROC calendar"):
        cover.roc_date(dt.date(1911, 12, 31))


def test_generated_time_is_taipei_time_across_midnight() -> None:
    # 16:30 UTC on 28 November is 00:30 on 29 November in Taipei (UTC+8)
    moment = dt.datetime(2026, 11, 28, 16, 30, tzinfo=dt.UTC)
    assert cover.taipei_time(moment) == "民國115年11月29日 00:30（2026-11-29 00:30 Asia/Taipei, UTC+8）"


# ---------------------------------------------------------------- certifications


def _cert(status: str, days_left: int, valid_from: dt.date | None = None) -> CertificationState:
    return CertificationState("C1", "CSP1", "ISO27001", None, valid_from, dt.date(2026, 8, 31), status,  # type: ignore[arg-type]
                              days_left)


def test_an_expired_certificate_says_how_long_ago_never_a_negative_count() -> None:
    assert report._days(_cert("expired", -90)) == "已到期 90 天 expired 90 days ago"
    assert report._days(_cert("expiring", 30)) == "剩 30 天 30 days left"
    assert report._days(_cert("not_yet_valid", 400, dt.date(2027, 1, 1))) == "2027-01-01 起生效 valid from 2027-01-01"


# ---------------------------------------------------------------- root causes


def _row(provision: str, ordinal: int, subject: str, status: str, *causes: object) -> TraceRow:
    return TraceRow(provision, provision, int(provision[1:].split(".")[0]), ordinal, True, "shall", None, subject,
                    status, "x", cause=tuple(causes), own_status=status)  # type: ignore[arg-type]


def test_gaps_from_one_expired_contract_are_one_root_cause() -> None:
    expired = cause("contract_expired", contract="K-1", expires_on=dt.date(2025, 12, 31))
    rows = [_row(f"A6.P1.I{i}", i, "ARR-A", "gap", expired) for i in range(1, 8)]
    lapsed = cause("evidence_lapsed", evidence="E-9", collected_on=dt.date(2025, 1, 1),
                   stale_since=dt.date(2026, 1, 2))
    rows += [_row("A7.P1.I1", 20, "ARR-A", "stale", lapsed), _row("A7.P1.I1", 20, "ARR-B", "stale", lapsed)]
    overdue = cause("finding_overdue", finding="F-1", audit="AUD-1", severity="high", due_on=dt.date(2026, 10, 31))
    no_control = cause("no_control", obligation="A5.P1")
    rows += [_row("A9.P1.I3", 30, "ARR-A", "gap", overdue, lapsed), _row("A5.P1", 5, "ARR-A", "gap", no_control),
             _row("A5.P1", 5, "ARR-B", "gap", no_control)]
    groups = root_causes.group(rows)
    # gaps before stale; among gaps the larger group first; the contract's seven rows are one group
    assert [(g.kind, len(g.rows)) for g in groups] == [
        ("contract_expired", 7), ("no_control", 2), ("finding_overdue", 1), ("evidence_lapsed", 3)]
    assert groups[0].details == {"contract": "K-1", "expires_on": dt.date(2025, 12, 31)}
    # one evidence stream lapsed for two arrangements is one cause; the row with two causes is under both
    assert groups[3].subjects == ["ARR-A", "ARR-B"] and groups[2].rows[0] in groups[3].rows
    assert groups[0].words == "涵蓋此條款之契約已到期 the contract that listed the clause has expired"


# ---------------------------------------------------------------- register digests


def test_a_register_digest_is_the_sha256_of_its_sorted_row_digests() -> None:
    # worked out by hand: each row is canonical JSON of its columns in order, references as sorted ids
    row = {"uid": "t/ARR-1", "arrangement_id": "ARR-1", "start_date": dt.date(2024, 1, 1), "material": True}
    digest = scope.row_digest(row, ["arrangement_id", "csp_id", "start_date", "material"], {"csp_id": ["CSP1"]})
    text = '{"arrangement_id":"ARR-1","csp_id":["CSP1"],"start_date":"2024-01-01","material":true}'
    assert digest == hashlib.sha256(text.encode()).digest()
    other = scope.row_digest({**row, "material": False}, ["arrangement_id", "material"], {})
    both = hashlib.sha256(b"".join(sorted([digest, other]))).hexdigest()
    assert scope._digest([other, digest]) == both == scope._digest([digest, other])  # any order


# ---------------------------------------------------------------- method: one text with the README


def test_the_readme_states_the_trace_rules_the_report_renders() -> None:
    readme = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- BEGIN trace-semantics[^\n]*-->\n(.*?)<!-- END trace-semantics -->", readme, re.S)
    assert block, "README.md lost its trace-semantics block"
    assert block.group(1) == method.source(), (
        "README.md's Trace semantics and exports/templates/trace-semantics.md differ: change both the same way")


def test_the_method_text_becomes_html_with_nothing_unescaped() -> None:
    rules = method.rules()
    assert [r.title for r in rules[:3]] == ["Obligations", "Subjects", "Ended arrangements"]
    assert rules[-1].text.startswith("Findings (Art. 9 item 3) are open")
    assert method.to_html("**covered** if `a<b` & c") == "<b>covered</b> if <code>a&lt;b</code> &amp; c"
    # every rule's words are in the text (nothing dropped between bullets)
    def plain(markdown: str) -> str:  # the words without emphasis or code marks (a code span may be just `*`)
        return " ".join(re.sub(r"[*`]", "", markdown).split())

    assert plain(method.source()) == plain(" ".join(r.markdown for r in rules))


def test_css_strings_cannot_be_ended_by_a_company_name() -> None:
    assert str(report.css_string('A "B" \\ C')) == '"A \\22 B\\22  \\5c  C"'


# ---------------------------------------------------------------- sign-off options


def _export(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGTRACE_STORE": str(tmp_path / "store")}
    return cli_process.run(["export", "--out", str(tmp_path / "out"), *args], env=env, timeout=120)


def test_sign_off_dates_need_a_name_and_a_valid_date(tmp_path: Path) -> None:
    result = _export(tmp_path, "--prepared-on", "2026-11-30")
    assert result.returncode == 2 and "--prepared-on: give --prepared-by too" in result.stderr
    result = _export(tmp_path, "--approved-by", "陳經理", "--approved-on", "2026-13-01")
    assert result.returncode == 2 and "--approved-on" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()  # nothing written


def test_sign_off_lines_carry_names_and_dates_or_stay_blank() -> None:
    lines = SignOff(prepared_by="王小明", prepared_on=dt.date(2026, 11, 30)).lines()
    assert [(s.role_zh, s.name, s.date) for s in lines] == [
        ("製表", "王小明", dt.date(2026, 11, 30)), ("覆核", None, None), ("核准", None, None)]


def test_json_is_not_needed_for_the_digest_order() -> None:
    # sort_keys is off: the ontology's column order is the canonical order, whatever the dict's order
    a = scope.row_digest({"b": 1, "a": 2}, ["a", "b"], {})
    assert a == hashlib.sha256(json.dumps({"a": 2, "b": 1}, separators=(",", ":")).encode()).digest()
