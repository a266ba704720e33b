"""The method an export states: the trace rules in plain words, from the one text the README also shows.

`exports/templates/trace-semantics.md` is the README's "Trace semantics" list word for word (the README holds
it between BEGIN and END lines; tests/test_report_sections.py checks both are equal), so what the report tells
an examiner is what the README states as the rules. This module reads that Markdown subset (bullets, **bold**,
`code`) into parts for HTML and for plain text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

SOURCE = "trace-semantics.md"
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_TITLE = re.compile(r"^\*\*(.+?)\*\*\s*(?:—\s*)?")


@dataclass(frozen=True)
class Rule:
    """One rule: its title (the bold words a bullet opens with; '' for a closing paragraph) and its whole text."""

    title: str
    markdown: str

    @property
    def html(self) -> str:
        """The rule's text as HTML: escaped, with <b> and <code>."""
        return to_html(self.markdown)

    @property
    def text(self) -> str:
        """The rule's text without Markdown marks (for a spreadsheet cell)."""
        return _CODE.sub(r"\1", _BOLD.sub(r"\1", self.markdown))


@cache
def source() -> str:
    """The Markdown text, as shipped with the package."""
    return files("regtrace.exports").joinpath("templates", SOURCE).read_text(encoding="utf-8")


def to_html(markdown: str) -> str:
    """`code` and **bold** as HTML, everything else escaped."""
    parts = re.split(r"(`[^`]+`)", markdown)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"<code>{html.escape(part[1:-1])}</code>")
        else:
            out.append(_BOLD.sub(r"<b>\1</b>", html.escape(part)))
    return "".join(out)


@cache
def rules() -> tuple[Rule, ...]:
    """The bullets (each with its title) and then the closing paragraphs, in order."""
    found: list[Rule] = []
    bullet: list[str] | None = None
    closing: list[str] = []

    def flush() -> None:
        nonlocal bullet
        if bullet is not None:
            text = " ".join(bullet)
            m = _TITLE.match(text)
            found.append(Rule(m.group(1).rstrip(".") if m else "", text))
            bullet = None

    for line in source().splitlines():
        if line.startswith("* "):
            flush()
            bullet = [line[2:].strip()]
        elif line.startswith("  ") and bullet is not None:
            bullet.append(line.strip())
        elif line.strip():
            flush()
            closing.append(line.strip())
        else:
            flush()
    flush()
    found.extend(Rule("", line) for line in closing)
    return tuple(found)
