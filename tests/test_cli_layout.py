"""The command's structure: exit codes as documented, every command in its group's module."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

from regtrace.cli import app, commands
from regtrace.errors import (
    ConfigError,
    CurationError,
    ExitCode,
    InputError,
    NotFoundError,
    RegisterError,
    RegtraceError,
    RegulationParseError,
    StoreError,
    StoreUnavailableError,
)

README = Path(__file__).resolve().parent.parent / "README.md"


def test_exit_codes_are_the_documented_ones() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0, "FAILED": 1, "INPUT": 2, "NOT_FOUND": 3, "STORE": 4, "CONFIG": 5, "INTERNAL": 70, "ABORTED": 130,
    }
    paragraph = README.read_text(encoding="utf-8").split("Exit codes", 1)[1].split("\n\n", 1)[0]
    assert sorted(int(n) for n in re.findall(r"(?<![\d.])(\d+) (?=[a-z])", paragraph)) == sorted(map(int, ExitCode))


def test_each_error_class_names_its_exit_code() -> None:
    expected = {
        RegtraceError: ExitCode.FAILED,
        InputError: ExitCode.INPUT,
        RegulationParseError: ExitCode.INPUT,
        CurationError: ExitCode.INPUT,
        RegisterError: ExitCode.INPUT,
        NotFoundError: ExitCode.NOT_FOUND,
        StoreError: ExitCode.STORE,
        StoreUnavailableError: ExitCode.STORE,
        ConfigError: ExitCode.CONFIG,
    }
    assert {cls: cls.exit_code for cls in expected} == expected


def test_every_command_is_defined_in_one_command_group_module() -> None:
    modules = {f"{commands.__name__}.{m.name}" for m in pkgutil.iter_modules(commands.__path__)}
    defined_in = {c.callback.__module__ for c in app.registered_commands if c.callback is not None}
    defined_in |= {g.typer_instance.registered_commands[0].callback.__module__
                   for g in app.registered_groups}
    assert defined_in == modules  # no command outside commands/, no module there without a command
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    assert names >= {"provisions", "validate", "load", "trace", "gaps", "coverage", "certifications", "findings",
                     "demo", "features", "check", "migrate", "serve", "export", "verify-export"}
    assert [g.name for g in app.registered_groups] == ["keys", "mappings", "token"]
