"""The Typer app every command registers on, its global options, and the store a command opens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

import typer

from regtrace import __version__
from regtrace.cli.console import out
from regtrace.graph.port import Store
from regtrace.stores import open_store, store_location

app = typer.Typer(
    name="regtrace",
    help="regtrace 雲端委外法遵追溯: traces the cloud-outsourcing rules for insurers "
    "(保險業作業委外使用雲端服務自律規範) to each outsourcing arrangement's controls and evidence, as of any date.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

StoreOption = Annotated[str | None, typer.Option("--store", help="Store folder or neo4j:// URI [env: REGTRACE_STORE].")]


@dataclass
class GlobalOptions:
    """What the options before the command chose; set by the app's callback for the command that follows."""

    store: str | None = None

    def location(self) -> str:
        """The store the command works on: --store, else REGTRACE_STORE, else the default folder."""
        return store_location(self.store)


GLOBAL = GlobalOptions()


def _print_version(value: bool) -> None:
    if value:
        out.print(f"regtrace {__version__}")
        raise typer.Exit()


@app.callback(epilog="Environment variables (REGTRACE_STORE and the rest): [bold]regtrace settings[/].")
def _main(
    store: StoreOption = None,
    version: Annotated[bool, typer.Option(
        "--version", help="Print the version and exit.", is_eager=True, callback=_print_version)] = False,
) -> None:
    GLOBAL.store = store


@contextmanager
def opened_store(seed: bool = True, *, create: bool = False) -> Iterator[Store]:
    """The command's store, opened and closed when the command is done. Reading never creates a store (a
    mistyped --store is NotFoundError naming the path); only commands that write registers pass `create`
    (a new store then gets the seed regulation)."""
    store = open_store(GLOBAL.location(), seed=seed, create=create)
    try:
        yield store
    finally:
        store.close()
