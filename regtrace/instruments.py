"""An instrument's status on a date: the instruments register records today's status and the dates it changed,
so the status on D follows from the dates (issue 10 point 9).

    instrument_status(row, D)   # row: a store row of Instrument, or curation's Instrument.to_row()

* not_yet_in_force — D is before its effective_from;
* in force — on or after effective_from (when known) and before abolished_on (when it has one): the
  注意事項, abolished on 2026-01-02, is in_force on 2026-01-01;
* from abolished_on on — its recorded status (abolished or superseded; abolished if it says in_force);
* otherwise its recorded status (an instrument marked abolished or superseded without a date stays so; one
  marked not_yet_in_force is in force once its effective_from has come).

The words are the ontology's (Instrument.status, shapes.ttl); `in_force_on` is the one test callers need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from regtrace.loaders.provision import Provision, Reference
from regtrace.ontology.model import load_ontology

IN_FORCE = "in_force"
NOT_YET = "not_yet_in_force"
ABOLISHED = "abolished"


@cache
def statuses() -> tuple[str, ...]:
    """The status words of the instruments register, from the ontology."""
    allowed = load_ontology().classes["Instrument"].field("status").allowed
    missing = {IN_FORCE, NOT_YET, ABOLISHED} - set(allowed)
    if missing:
        raise ValueError(f"shapes.ttl's Instrument status lacks {sorted(missing)}")
    return allowed


def instrument_status(instrument: Mapping[str, Any], as_of: dt.date) -> str:
    """The instrument's status on `as_of` (see the module's docstring)."""
    recorded = str(instrument.get("status") or IN_FORCE)
    effective_from, abolished_on = instrument.get("effective_from"), instrument.get("abolished_on")
    if effective_from is not None and as_of < effective_from:
        return NOT_YET
    if abolished_on is not None:
        if as_of < abolished_on:
            return IN_FORCE
        return recorded if recorded not in (IN_FORCE, NOT_YET) else ABOLISHED
    if recorded == NOT_YET and effective_from is not None:
        return IN_FORCE  # its effective date has come
    return recorded


def in_force_on(instrument: Mapping[str, Any], as_of: dt.date) -> bool:
    return instrument_status(instrument, as_of) == IN_FORCE


def provisions_json(provisions: Iterable[Provision], instruments: Mapping[str, Mapping[str, Any]],
                    as_of: dt.date) -> list[dict[str, Any]]:
    """`regtrace provisions --json`: each provision's JSON, each reference with the id of the instrument it
    names (None when the instruments register does not know the title) and that instrument's status on
    `as_of` (None likewise)."""
    result = []
    for p in provisions:
        row = p.to_json()
        row["references"] = [{**r.to_json(), "instrument_id": r.instrument_id, "status": _status(r, instruments, as_of)}
                             for r in p.references]
        result.append(row)
    return result


def _status(reference: Reference, instruments: Mapping[str, Mapping[str, Any]], as_of: dt.date) -> str | None:
    known = instruments.get(reference.instrument_id or "")
    return instrument_status(known, as_of) if known is not None else None
