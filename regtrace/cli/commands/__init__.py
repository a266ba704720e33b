"""One module per command group. Each module registers its commands on the app (regtrace.cli.app) when it is
imported, and every module in this folder is imported: adding a command, or a group, touches one file.
A group's commands share a help panel (`rich_help_panel`) so `regtrace --help` lists them together."""

from __future__ import annotations

import importlib
import pkgutil


def register_all() -> None:
    """Import every command module in this folder (in name order), registering its commands."""
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{module.name}")
