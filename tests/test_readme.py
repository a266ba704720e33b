"""The README's example commands run as written, and `regtrace demo` (the main job) agrees with the store."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import cli_process
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TESTED_SECTIONS = ("Using it", "Executable obligations", "Crosswalks")
# `regtrace check` exits 1 when an obligation fails, as the example insurer's do on purpose.
ALLOWED_CODES = {"check": {0, 1}}


def section_commands(title: str) -> list[str]:
    """The `regtrace …` lines of the first sh block under a `## title` heading, optional [..] parts dropped."""
    section = README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        line = re.sub(r"\s*\[[^\]]*\]", "", line)
        if line.startswith("regtrace "):
            commands.append(line)
    return commands


def run(command: str, store: Path) -> subprocess.CompletedProcess[str]:
    """A README command as a process of its own, forked from one that imported the CLI (tests/cli_process.py)."""
    args = shlex.split(command)
    assert args[0] == "regtrace", command
    return cli_process.run(args[1:], cwd=ROOT, env={**os.environ, "REGTRACE_STORE": str(store)}, timeout=300)


def run_script(command: str, store: Path) -> subprocess.CompletedProcess[str]:
    """A README command as written, by the installed script in a fresh interpreter."""
    args = shlex.split(command)
    exe = Path(sys.executable).parent / args[0]
    env = {**os.environ, "REGTRACE_STORE": str(store)}
    return subprocess.run([str(exe), *args[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_readme_has_the_two_make_commands_and_ci_calls_the_test_one() -> None:
    block = README.split("## Two commands\n", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("title", TESTED_SECTIONS)
def test_readme_commands_run(title: str, tmp_path: Path) -> None:
    store = tmp_path / "store"
    commands = section_commands("Using it") if title != "Using it" else []
    commands = [c for c in commands if " load " in f" {c} "] + section_commands(title)
    assert commands, f"no commands under {title}"
    for command in commands:
        result = run(command, store)
        allowed = ALLOWED_CODES.get(shlex.split(command)[1], {0})
        assert result.returncode in allowed, f"{command}\n{result.stderr}"
        assert "Traceback" not in result.stderr


def test_demo_prints_the_board_summary_the_store_agrees_with(tmp_path: Path) -> None:
    store = tmp_path / "store"
    demo = run_script("regtrace demo --as-of 2026-11-29", store)
    assert demo.returncode == 0, demo.stderr
    for heading in ("董事會摘要 Board summary", "最嚴重缺口 Worst gaps", "涵蓋率 Coverage by article"):
        assert heading in demo.stdout
    coverage = json.loads(run("regtrace coverage --tenant example-life --as-of 2026-11-29 --json", store).stdout)
    overall = coverage["overall"]
    assert f"{overall['percent']:.1f}% ({overall['covered']}/{overall['applicable']})" in demo.stdout
    assert 0 < overall["covered"] < overall["applicable"], "the example insurer has both covered and open obligations"
