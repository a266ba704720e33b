"""Executable obligations: one Gherkin feature (zh-TW) per article, generated from the regulation graph only.

Every obligation is a scenario. Obligations on the company are a 場景 with subject 全公司; obligations on
arrangements are a 場景大綱 whose examples (委外事項) are not in the file: the step glue
(regtrace/bdd_steps.py) supplies the arrangements in effect on the as-of date at run time, so the files are
the same for every member company. The output is stable: sorted, no dates, one scenario per obligation that
depends only on that obligation and its provision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from regtrace import labels
from regtrace.errors import ConfigError
from regtrace.graph.port import Row, Store
from regtrace.shipped import FEATURES

FILE_PATTERN = "article-*.feature"
OUTLINE_PARAM = "委外事項"

# Step phrases, shared with the step definitions in regtrace/bdd_steps.py.
STEP_MODALITY = "義務 {provision} 之規範效力為「{modality}」"
STEP_CONDITIONS = "委外事項 <{param}> 符合適用條件{conditions}"
STEP_UNCONDITIONAL = "委外事項 <{param}> 無適用條件限制"
STEP_COMPANY = "適用對象為全公司"
STEP_TRACE = "以基準日追溯"
# What must be shown, by the obligation's trace rule (the 那麼 step); {months}: the window in months.
STEP_SHOWN = {
    "control_evidence": "應有滿足本條之控制措施，且其佐證於 {months} 個月內蒐集",
    "contract_clause": "應有基準日有效之契約涵蓋本條款",
    "audit_frequency": "應於 {months} 個月內辦理一般性查核及專案查核各一次",
}
DEFAULT_MONTHS = 12  # a control's own frequency_months may shorten or lengthen the evidence window


def shown_step(rule: str, frequency_months: int | None) -> str:
    """The 那麼 step of an obligation: what must be shown for it to be covered, from its rule and frequency."""
    return STEP_SHOWN[rule].format(months=frequency_months or DEFAULT_MONTHS)

ARTICLE_TITLES: dict[int, tuple[str, str]] = {
    1: ("訂定目的", "purpose"),
    2: ("適用範圍", "scope"),
    3: ("用詞定義", "definitions"),
    4: ("雲端服務治理機制", "cloud governance"),
    5: ("雲端服務業者之盡職調查及定期審查", "CSP due diligence and periodic review"),
    6: ("服務使用契約", "service contract contents"),
    7: ("資安控管機制", "information security controls"),
    8: ("人力培訓與人力提升", "staff training and capacity"),
    9: ("雲端服務查核", "audits of cloud services"),
    10: ("業務持續性管理", "business continuity management"),
    11: ("內部控制及內部稽核", "internal control and internal audit"),
    12: ("違反之處置", "penalties"),
    13: ("訂定及修正程序", "enactment and amendment"),
}
RULES: dict[str, tuple[str, str]] = {
    "control_evidence": ("適用之控制措施及有效佐證資料", "controls with fresh evidence"),
    "contract_clause": ("有效契約涵蓋此條款", "a contract in force lists the clause"),
    "audit_frequency": ("十二個月內辦理一般性及專案查核", "a general and a project audit in the last 12 months"),
}


def feature_name(article: int) -> str:
    """The stable file name of an article's feature: article-07.feature."""
    return f"article-{article:02d}.feature"


def conditions_text(conditions: Iterable[str]) -> str:
    """「重大性委外」「境外處理」: the zh fact names, each in corner brackets."""
    return "".join(f"「{labels.FACT[c][0] if c in labels.FACT else c}」" for c in conditions)


def _one_line(text: str) -> str:
    return " ／ ".join(line.strip() for line in text.splitlines() if line.strip())


def _scenario(o: Row, p: Row) -> list[str]:
    modality = labels.modality(o["modality"])
    on_company = o["falls_on"] == "company"
    tags = [o["modality"], "company" if on_company else "arrangement", o["rule"], *o["conditions"]]
    rule_zh, rule_en = RULES.get(o["rule"], (o["rule"], o["rule"]))
    months = o["frequency_months"]
    frequency = f"；每 {months} 個月 every {months} months" if months else ""
    if on_company:
        subject = STEP_COMPANY
    elif o["conditions"]:
        subject = STEP_CONDITIONS.format(param=OUTLINE_PARAM, conditions=conditions_text(o["conditions"]))
    else:
        subject = STEP_UNCONDITIONAL.format(param=OUTLINE_PARAM)
    return [
        "  " + " ".join(f"@{t}" for t in tags),
        f"  {'場景' if on_company else '場景大綱'}: {o['obligation_id']} {p['label']}（{modality}）",
        f"    條文：{_one_line(p['text'])}",
        f"    判定：{rule_zh} {rule_en}{frequency}",
        "",
        f"    假設 {STEP_MODALITY.format(provision=o['obligation_id'], modality=modality)}",
        f"    而且 {subject}",
        f"    當 {STEP_TRACE}",
        f"    那麼 {shown_step(o['rule'], months)}",
    ]


def _header(article: int, p: Row | None) -> list[str]:
    zh, en = ARTICLE_TITLES.get(article, ("", ""))
    label = p["label"] if p else f"第{article}條"
    first = _one_line(p["text"].splitlines()[0]) if p and p["text"] else ""
    return [
        "# language: zh-TW",
        "# 由 `regtrace features` 依規範圖產生，請勿手動修改。"
        "Generated from the regulation graph by `regtrace features`; do not edit.",
        f"@A{article}",
        f"功能: {label} {zh} Art. {article} {en}".rstrip(),
        *([f"  條文：{first}"] if first else []),
        "  說明：每一義務為一個場景；適用於各委外事項之義務為場景大綱，"
        "其例子（委外事項）於執行時依基準日有效之委外事項產生。",
        "  說明 note: one scenario per obligation; on arrangements, a scenario outline whose examples are the"
        " arrangements in effect on the as-of date, supplied at run time.",
    ]


def render_features(provisions: Iterable[Row], obligations: Iterable[Row]) -> dict[str, str]:
    """File name → text of every article that has obligations."""
    by_id = {p["provision_id"]: p for p in provisions}
    by_article: dict[int, list[Row]] = {}
    for o in sorted(obligations, key=lambda r: (r["ordinal"], r["obligation_id"])):
        by_article.setdefault(int(o["article"]), []).append(o)
    files: dict[str, str] = {}
    for article in sorted(by_article):
        lines = _header(article, by_id.get(f"A{article}"))
        for o in by_article[article]:
            lines += ["", *_scenario(o, by_id[o["obligation_id"]])]
        files[feature_name(article)] = "\n".join(lines) + "\n"
    return files


def features_from_store(store: Store, as_of: dt.date | None = None) -> dict[str, str]:
    """The features of the regulation graph in a store: of the version in force on `as_of` (default today)."""
    from regtrace.versions import VersionBook

    book = VersionBook.read(store)
    if book.single:
        return render_features(book.provisions, book.obligations)
    label = book.in_force(as_of or dt.date.today()).label
    return render_features(book.provisions_of(label), book.obligations_of(label))


@dataclass(frozen=True)
class FeatureDiff:
    """What writing the features would change (or changed) in a folder."""

    written: list[str]
    removed: list[str]
    unchanged: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


def diff_features(files: Mapping[str, str], folder: Path) -> FeatureDiff:
    """Compare generated features with a folder's article-*.feature files."""
    existing = {f.name for f in folder.glob(FILE_PATTERN)} if folder.is_dir() else set()
    written = sorted(n for n, text in files.items() if n not in existing or (folder / n).read_text("utf-8") != text)
    return FeatureDiff(written, sorted(existing - set(files)), sorted(set(files) - set(written)))


def write_features(files: Mapping[str, str], folder: Path) -> FeatureDiff:
    """Write the files whose text changed and remove article features no longer generated."""
    diff = diff_features(files, folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in diff.written:
        (folder / name).write_text(files[name], encoding="utf-8")
    for name in diff.removed:
        (folder / name).unlink()
    return diff


def features_folder(option: Path | None) -> Path:
    """--out / --features, else the shipped features (features/ in a clone, package data in the wheel)."""
    folder = option or FEATURES
    if option is None and not folder.is_dir():
        raise ConfigError(f"no features folder at {folder}: pass one with --features, or reinstall regtrace")
    return folder
