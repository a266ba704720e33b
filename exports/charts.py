"""Coverage charts for the report, drawn by matplotlib as SVG (text as paths, so no font is needed to view).

Traditional Chinese needs a CJK font: Noto Sans CJK TC from Debian's fonts-noto-cjk.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib import font_manager
from regtrace.trace.coverage import Coverage

from regtrace import labels

from . import style

CJK_FONT_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FAMILY = "Noto Sans CJK TC"
log = logging.getLogger(__name__)


@cache
def setup_fonts() -> bool:
    """Use Noto Sans CJK TC for every chart; False (and a warning) when the font is not installed."""
    if CJK_FONT_FILE.exists():
        font_manager.fontManager.addfont(str(CJK_FONT_FILE))
    found = any(f.name == CJK_FAMILY for f in font_manager.fontManager.ttflist)
    if not found:
        log.warning("font %s not found (install fonts-noto-cjk): Chinese in charts will not render", CJK_FAMILY)
    matplotlib.rcParams.update({
        "font.family": [CJK_FAMILY, "DejaVu Sans"] if found else ["DejaVu Sans"],
        "svg.fonttype": "path",
        "svg.hashsalt": "regtrace",  # stable element ids, so the same data gives the same SVG
        "axes.unicode_minus": False,
    })
    return found


APPLICABLE = tuple(s for s in style.STATUS_ORDER if s != "not_applicable")


def shares(group: Coverage) -> dict[str, float]:
    """Each applicable status as a % of the obligations that apply (not-applicable ones left out): the bar's
    segments, adding up to 100 (0 each when nothing applies)."""
    applicable = group.applicable
    return {s: (100.0 * group.counts.get(s, 0) / applicable if applicable else 0.0) for s in APPLICABLE}


def coverage_bars(groups: Sequence[Coverage], names: Sequence[str], title: str) -> str:
    """Horizontal 100 % bars: each applicable status as a share of the obligations that apply to the group
    (not-applicable ones are not counted), with % covered and covered/applicable at the end. SVG text."""
    setup_fonts()
    height = 0.9 + 0.38 * max(len(groups), 1)
    fig, ax = plt.subplots(figsize=(7.2, height + 0.5), layout="constrained")
    try:
        y = list(range(len(groups)))[::-1]
        left = [0.0] * len(groups)
        parts = [shares(g) for g in groups]
        for status in APPLICABLE:
            widths = [p[status] for p in parts]
            ax.barh(y, widths, left=left, color=style.STATUS_CHART[status], label=labels.status(status), height=0.7)
            left = [a + b for a, b in zip(left, widths, strict=True)]
        for yi, g in zip(y, groups, strict=True):
            text = ("無適用義務 nothing applies" if g.percent is None
                    else f"{g.percent:.0f}% ({g.covered}/{g.applicable})")
            ax.text(101, yi, f" {text}", va="center", fontsize=7.5)
        ax.set_yticks(y, list(names), fontsize=8)
        ax.set_xlabel("占適用義務之百分比 % of applicable obligations", fontsize=8)
        ax.set_title(title, fontsize=10, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlim(0, 125)
        ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        ax.spines[["top", "right"]].set_visible(False)
        fig.legend(ncols=4, fontsize=7, loc="outside lower center", frameon=False)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "regtrace"})
        return _strip_xml_prolog(buffer.getvalue())
    finally:
        plt.close(fig)


def trend_line(labels_: Sequence[str], percents: Sequence[float | None], title: str) -> str:
    """Overall coverage (% of applicable obligations) at each date, as a line with its values. SVG text."""
    setup_fonts()
    fig, ax = plt.subplots(figsize=(7.2, 2.6), layout="constrained")
    try:
        xs = list(range(len(labels_)))
        points = [(x, p) for x, p in zip(xs, percents, strict=True) if p is not None]
        ax.plot([x for x, _ in points], [p for _, p in points], marker="o", color=style.STATUS_CHART["covered"])
        for x, p in points:
            ax.annotate(f"{p:.1f}%", (x, p), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
        for x, missing in zip(xs, percents, strict=True):
            if missing is None:  # nothing applied on that date
                ax.annotate("—", (x, 2), ha="center", fontsize=7)
        ax.set_xticks(xs, list(labels_), fontsize=7)
        ax.set_ylim(0, 105)
        ax.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=7)
        ax.set_ylabel("涵蓋率 % covered", fontsize=8)
        ax.set_title(title, fontsize=10, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "regtrace"})
        return _strip_xml_prolog(buffer.getvalue())
    finally:
        plt.close(fig)


def _strip_xml_prolog(svg: str) -> str:
    """The <svg> element only, for inlining in HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
