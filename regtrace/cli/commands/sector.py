"""`regtrace sector`: the associations' view across the member companies of the store (regtrace.sector)."""

from __future__ import annotations

from regtrace.cli.app import app, opened_store
from regtrace.cli.console import out, print_json
from regtrace.cli.options import AsOf, JsonFlag, parse_as_of
from regtrace.cli.sector_tables import sector_tables
from regtrace.sector import store_sector_view

PANEL = "追溯 Trace"


@app.command("sector", rich_help_panel=PANEL)
def sector_command(as_of: AsOf = None, as_json: JsonFlag = False) -> None:
    """The associations' view: per article and obligation the members and the quartiles of their coverage, the
    most common gaps and the trend; every figure over at least 5 members, never a member's name or data."""
    day = parse_as_of(as_of)
    with opened_store() as store:
        view = store_sector_view(store, day)
    if as_json:
        print_json(view.to_json())
        return
    for table in sector_tables(view):
        out.print(table)
