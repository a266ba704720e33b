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


def coverage_bars(groups: Sequence[Coverage], names: Sequence[str], title: str) -> str:
    """Horizontal stacked bars: obligations per status for each group, with % covered at the end. SVG text."""
    setup_fonts()
    height = 0.9 + 0.38 * max(len(groups), 1)
    fig, ax = plt.subplots(figsize=(7.2, height + 0.5), layout="constrained")
    try:
        y = list(range(len(groups)))[::-1]
        left = [0.0] * len(groups)
        for status in style.STATUS_ORDER:
            counts = [float(g.counts.get(status, 0)) for g in groups]
            ax.barh(y, counts, left=left, color=style.STATUS_CHART[status], label=labels.status(status), height=0.7)
            left = [a + b for a, b in zip(left, counts, strict=True)]
        for yi, g, total in zip(y, groups, left, strict=True):
            pct = "—" if g.percent is None else f"{g.percent:.0f}%"
            ax.text(total, yi, f"  {pct}", va="center", fontsize=8)
        ax.set_yticks(y, list(names), fontsize=8)
        ax.set_xlabel("義務數 Obligations", fontsize=8)
        ax.set_title(title, fontsize=10, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlim(0, max(left, default=1) * 1.15 or 1)
        ax.spines[["top", "right"]].set_visible(False)
        fig.legend(ncols=5, fontsize=7, loc="outside lower center", frameon=False)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "regtrace"})
        return _strip_xml_prolog(buffer.getvalue())
    finally:
        plt.close(fig)


def _strip_xml_prolog(svg: str) -> str:
    """The <svg> element only, for inlining in HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
