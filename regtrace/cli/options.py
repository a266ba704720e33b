"""Options many commands share, and the parsing of --as-of."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from regtrace.errors import InputError

DEFAULT_TENANT = "default"
EXAMPLE_TENANT = "example-life"

AsOf = Annotated[str | None, typer.Option("--as-of", help="Date (2026-11-29 or 民國115年11月29日); default today.")]
Tenant = Annotated[str, typer.Option("--tenant", help="Member company whose registers to use.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def parse_as_of(value: str | None) -> dt.date:
    """The --as-of date: ISO or ROC; today when not given."""
    if value is None:
        return dt.date.today()
    return parse_date("--as-of", value)


def parse_date(option: str, value: str) -> dt.date:
    """A date option's value (ISO or ROC); InputError naming the option and the accepted forms."""
    from regtrace.loaders.register_values import CellError, read_date

    try:
        return read_date(value)
    except CellError as exc:  # the message names the accepted forms (and why a two-digit year is refused)
        raise InputError(f"{option}: {exc}") from None
