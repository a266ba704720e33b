"""Shared pytest setup for the whole suite; add more fixtures or plugins here.

tools/ and tests/ go on sys.path (the suite runs with --import-mode=importlib, which adds nothing),
so tests can import the helper tools (e.g. neo4j_server) and the plugins below.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parent.parent
for _folder in (_ROOT / "tools", _ROOT / "tests"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

pytest_plugins = ["neo4j_fixtures", "store_fixtures"]  # neo4j_uri, neo4j_driver, neo4j_clean; store, store_pair


# ---- the order in which `make test` (pytest -n 2 --dist loadgroup) hands the groups to its two workers ----------
#
# Each xdist group (see neo4j_fixtures.pytest_collection_modifyitems) goes to one worker whole. xdist would hand out
# the groups with the most tests first, which sends the one or two tests that run for minutes (the crash trials)
# last, to a worker that then runs them alone while the other has nothing left. These groups go first instead
# (on a busy 2-core machine: the shared Neo4j server's group and the Neo4j crash trial take about ten minutes
# each, the LadybugDB crash trial about five), so that the longest run side by side; the other groups follow,
# most tests first, to whichever worker is free. The worker that takes the Neo4j crash trial (one test) is topped
# up at once with the next group in the queue; that is the biggest other group, and the LadybugDB crash trial comes
# after it, so that it goes to the first worker that frees up rather than behind the Neo4j crash trial.
LONGEST_FIRST = ("neo4j", "crash-neo4j")
AFTER_THE_FIRST_OTHER = ("tests/test_crash_ladybug.py",)


def _xdist_loadgroup(config: pytest.Config) -> bool:
    """True in the controller and in the workers of `pytest -n N --dist loadgroup` (a worker's dist reads "no")."""
    return getattr(config.option, "dist", "no") == "loadgroup" or bool(getattr(config.option, "loadgroup", False))


def pytest_configure(config: pytest.Config) -> None:
    if _xdist_loadgroup(config) and hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False  # the order below is the one handed out


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _xdist_loadgroup(config):
        return  # a plain run keeps each module's tests together (its module fixtures are built once)

    def group(item: pytest.Item) -> str:
        marker = item.get_closest_marker("xdist_group")
        return str(marker.args[0]) if marker and marker.args else item.nodeid.split("::", 1)[0]

    sizes: dict[str, int] = {}
    for item in items:
        sizes[group(item)] = sizes.get(group(item), 0) + 1

    others = sorted((n for n in sizes if n not in LONGEST_FIRST + AFTER_THE_FIRST_OTHER), key=lambda n: -sizes[n])
    first_other = others[0] if others else None

    def rank(item: pytest.Item) -> tuple[int, int]:
        name = group(item)
        if name in LONGEST_FIRST:
            return (LONGEST_FIRST.index(name), 0)
        if name == first_other:
            return (len(LONGEST_FIRST), 0)
        if name in AFTER_THE_FIRST_OTHER:
            return (len(LONGEST_FIRST) + 1, 0)
        return (len(LONGEST_FIRST) + 2, -sizes[name])

    items.sort(key=rank)  # stable: a group's tests keep their order
    for item in items:
        _name_group_in_nodeid(item, group(item))


def _name_group_in_nodeid(item: pytest.Item, name: str) -> None:
    """What xdist does to put a test in its group: "@group" at the end of its nodeid, from which the controller
    reads the group. xdist 3.8 sets item._nodeid, which pytest 9 no longer reads (nodeid comes from item._id), so
    without this every test was a group of its own and --dist loadgroup grouped nothing."""
    if "@" in item.nodeid.rsplit("]", 1)[-1] or not hasattr(item, "_id"):
        return  # xdist's own suffix took effect
    from _pytest.nodeid import NodeId

    item._id = NodeId.parse(f"{item.nodeid}@{name}")
