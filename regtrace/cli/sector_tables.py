"""Tables of the associations' view (regtrace.sector): figures only, never a member."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from regtrace.cli.trend_tables import percent
from regtrace.sector import MIN_MEMBERS, Figure, SectorView

WITHHELD = f"不予揭露（少於{MIN_MEMBERS}家）withheld (<{MIN_MEMBERS})"


def _cells(f: Figure) -> tuple[str, str, str, str]:
    if f.quartiles is None:
        return (WITHHELD, "", "", "")
    q1, median, q3 = f.quartiles
    return (str(f.members), percent(q1), percent(median), percent(q3))


def _figure_table(title: str, key: str) -> Table:
    table = Table(title=title)
    table.add_column(key)
    for h in ("會員數 Members", "Q1", "中位數 Median", "Q3"):
        table.add_column(h, justify="right")
    return table


def sector_tables(view: SectorView) -> list[Table]:
    """Per article (and overall), the most common gaps, and the trend of the overall coverage."""
    articles = _figure_table(f"公會檢視 Sector view — {view.as_of.isoformat()} — 會員涵蓋率四分位數 quartiles of "
                             f"members' coverage (figures over ≥{MIN_MEMBERS} members)", "條 Article")
    articles.add_row("整體 Overall", *_cells(view.now.overall))
    for a in view.now.articles:
        articles.add_row(f"第{a.article}條", *_cells(a.figure))
    gaps = Table(title="最常見缺口 Most common gaps")
    for h in ("條文 Provision", "有缺口會員 Members with gap", "會員數 Members", "%"):
        gaps.add_column(h)
    for g in view.now.common_gaps:
        gaps.add_row(escape(f"{g.label} ({g.provision})"), str(g.members_with_gap), str(g.members),
                     percent(g.percent))
    trend = _figure_table("趨勢 Trend (整體 overall)", "日期 Date")
    for t in view.trend:
        trend.add_row(t.date.isoformat(), *_cells(t.overall))
    return [articles, gaps, trend]
