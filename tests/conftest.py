"""Shared pytest setup for the whole suite; add more fixtures or plugins here.

tools/ and tests/ go on sys.path (the suite runs with --import-mode=importlib, which adds nothing),
so tests can import the helper tools (e.g. neo4j_server) and the plugins below.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
for _folder in (_ROOT / "tools", _ROOT / "tests"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

pytest_plugins = ["neo4j_fixtures", "store_fixtures"]  # neo4j_uri, neo4j_driver, neo4j_clean; store, store_pair
