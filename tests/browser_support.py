"""Headless Chromium for the browser tests: Debian's chromium (never a downloaded browser) through Playwright."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def need_browser(what: str) -> Any:
    """Playwright's sync API, or skip (fail under CI) when it or Debian's Chromium is missing; `what` names the
    test in the message, e.g. "the dashboard's browser test"."""
    problem = None if CHROMIUM.exists() else f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        from playwright import sync_api
    except ImportError:
        problem = problem or "playwright is not installed (pip install -e '.[dev]')"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{what} cannot run under CI: {problem}")
        pytest.skip(problem)
    return sync_api
