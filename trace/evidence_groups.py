"""The evidence summary per (control, arrangement) group, kept in the store beside the evidence it summarises.

The trace asks, for a date D and each group: is there evidence collected on or before D, which is the newest,
and which is the newest not past its valid_until on D (the freshest that counts). Aggregating a million evidence
rows for that on every trace costs seconds; the answer, for every D on or after the group's newest collection
date, is held by a handful of items:

* `frontier`: the newest item ("YYYY-MM-DD|evidence_id", the trace's stamp), then, newest first, each older
  item valid longer than every newer one (a blank valid_until is valid for ever, so the list ends at the first
  item without one); `frontier_until` holds their valid_until (one fewer when the last has none). On D the
  newest item is the first, and the newest not past its valid_until is the first with valid_until on or
  after D: an item left out has a newer one valid at least as long;
* `evidence_count`: how many items the group has.

Evidence is never collected after its group's newest item, so for D on or after that date every item counts;
for an earlier D (a trace of the past) `summaries_on` says it cannot answer and the trace aggregates the
evidence rows in the store instead. The groups are derived from the evidence rows (`group_rows`, at load time;
`with_evidence`, when the API attaches one item) and never edited otherwise: tests/test_evidence_groups.py
checks that they give what the rows give.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from regtrace.graph.port import Link, Row, Store
from regtrace.graph.schema import node_uid

from .model import EvidenceSummary

if TYPE_CHECKING:  # pyarrow and numpy are imported by the load that builds the table, not by every trace
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

LABEL = "EvidenceGroup"
SOURCE = "Evidence"  # the label the groups summarise
CONTROL = "Control"  # the label a group's evidence names (EVIDENCES)
# what a group reads of its evidence items' own properties (`group_rows`; the control and arrangement are their
# links'): an item whose other properties change (a title) leaves its group as it was
ITEM_PROPERTIES = ("collected_on", "evidence_id", "valid_until")
KEY_BITS = 62  # the sort key of an evidence item (group, then date) stays below 2 ** KEY_BITS
_FOREVER = dt.date.max
_FOREVER_DAYS = (_FOREVER - dt.date(1970, 1, 1)).days  # as Arrow counts a date32


def group_id(control_id: str, arrangement_id: str | None) -> str:
    """The group's key: unambiguous whatever characters the ids hold."""
    return json.dumps([control_id, arrangement_id], ensure_ascii=False, separators=(",", ":"))


def _stamp(collected_on: dt.date, evidence_id: str) -> str:
    return f"{collected_on.isoformat()}|{evidence_id}"


def _row(tenant: str, control_id: str, arrangement_id: str | None, count: int,
         items: Sequence[tuple[dt.date, str, dt.date | None]]) -> Row:
    """A group's row from its count and its items newest first (at least up to the first without valid_until)."""
    frontier: list[str] = []
    until: list[dt.date] = []
    best: dt.date | None = None
    for c, e, v in items:
        end = v if v is not None else _FOREVER
        if best is not None and end <= best:
            continue
        frontier.append(_stamp(c, e))
        best = end
        if v is None:
            break
        until.append(v)
    gid = group_id(control_id, arrangement_id)
    return {"uid": node_uid(tenant, gid), "group_id": gid, "control_id": control_id,
            "arrangement_id": arrangement_id, "tenant": tenant, "evidence_count": count,
            "frontier": frontier, "frontier_until": until}


def group_rows(tenant: str, evidence: Iterable[tuple[str, str | None, dt.date, str, dt.date | None]]) -> list[Row]:
    """The groups of a tenant's evidence rows (control_id, arrangement_id, collected_on, evidence_id,
    valid_until), ordered by group."""
    grouped: dict[tuple[str, str | None], list[tuple[dt.date, str, dt.date | None]]] = {}
    for control_id, arrangement_id, collected_on, evidence_id, valid_until in evidence:
        grouped.setdefault((control_id, arrangement_id), []).append((collected_on, evidence_id, valid_until))
    rows = []
    for (control_id, arrangement_id), items in grouped.items():
        items.sort(key=lambda item: (item[0], item[1]), reverse=True)
        rows.append(_row(tenant, control_id, arrangement_id, len(items), items))
    return sorted(rows, key=lambda r: r["uid"])


def group_table(tenant: str, evidence: pa.Table) -> pa.Table:
    """`group_rows` over a pyarrow table of evidence columns (control_id, arrangement_id, collected_on,
    evidence_id, valid_until), as a node table of the store schema, column-wise: the rows sorted by group, then
    newest first; each item's validity end (a blank valid_until: for ever) compared with the running maximum of
    the newer items' of its group (one pass over a million rows); only the groups' ids go through Python."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    from regtrace.graph import tables
    from regtrace.graph.schema import store_schema

    node = store_schema().nodes[LABEL]
    if evidence.num_rows == 0:
        return pa.table({p.name: tables.column(p, []) for p in node.properties})
    order, group = _group_order(evidence)
    n = len(order)
    starts = np.flatnonzero(np.diff(group)) + 1
    sizes = np.diff(starts, prepend=0, append=n)
    starts = np.concatenate(([0], starts))
    at = np.repeat(np.arange(len(starts), dtype=np.int64), sizes)  # each sorted row's group, 0, 1, …
    # an item is on the frontier when it ends later than every newer item of its group: its end, offset so that
    # each group's ends lie above every end of the groups before it, exceeds the running maximum before it
    until = evidence.column("valid_until").take(order)
    ends = pc.fill_null(pc.cast(until, pa.int32()), _FOREVER_DAYS).to_numpy().astype(np.int64)
    lowest = int(ends.min())
    keyed = at * (_FOREVER_DAYS - lowest + 2) + (ends - lowest + 1)
    newest = np.maximum.accumulate(keyed)
    on = np.flatnonzero(keyed[1:] > newest[:-1]) + 1
    on = np.concatenate(([0], on))
    picked = pa.array(order[on])
    stamps = pc.binary_join_element_wise(pc.cast(evidence.column("collected_on").take(picked), pa.string()),
                                         evidence.column("evidence_id").take(picked), "|")
    groups = len(starts)
    frontier = pa.ListArray.from_arrays(_offsets(at[on], groups), stamps.combine_chunks())
    their_until = until.take(pa.array(on)).combine_chunks()
    dated = pc.is_valid(their_until).to_numpy(zero_copy_only=False)
    frontier_until = pa.ListArray.from_arrays(_offsets(at[on][dated], groups), their_until.filter(pa.array(dated)))
    first = pa.array(order[starts])
    controls = evidence.column("control_id").take(first).to_pylist()
    arrangements = evidence.column("arrangement_id").take(first).to_pylist()
    ids = [group_id(c, a) for c, a in zip(controls, arrangements, strict=True)]
    columns: dict[str, Any] = {
        "uid": [node_uid(tenant, gid) for gid in ids], "group_id": ids, "control_id": controls,
        "arrangement_id": arrangements, "tenant": pa.repeat(pa.scalar(tenant, pa.string()), groups),
        "evidence_count": pa.array(sizes), "frontier": frontier, "frontier_until": frontier_until}
    return pa.table({p.name: tables.column(p, columns[p.name]) for p in node.properties})


def _offsets(group_of_item: npt.NDArray[np.int64], groups: int) -> pa.Array:
    """The list offsets of items given in group order, each with its group's number (0 to groups - 1)."""
    import numpy as np
    import pyarrow as pa

    counts = np.bincount(group_of_item, minlength=groups)
    return pa.array(np.concatenate(([0], np.cumsum(counts))).astype(np.int32))


def _group_order(evidence: pa.Table) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The rows' order by control_id, arrangement_id (blank last), then collected_on and evidence_id, newest
    first, and each row's group number in that order (ascending). Each group's two ids are replaced by one
    integer (their ranks among the distinct ids), and with the collection date by one more, so that only rows of
    one group and date compare texts (a million rows: 3.3 -> 1.2 s)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def codes(column: pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], int]:
        encoded = column.combine_chunks().dictionary_encode()
        distinct = len(encoded.dictionary)  # each text once: its rank is its place in ascending order
        ranks = pc.rank(encoded.dictionary, sort_keys="ascending", tiebreaker="first")
        coded = pc.fill_null(pc.cast(ranks.take(encoded.indices), pa.int64()), distinct + 1)
        return coded.to_numpy(), distinct + 2

    control, _ = codes(evidence.column("control_id"))
    arrangement, width = codes(evidence.column("arrangement_id"))
    group = control * width + arrangement  # in the groups' order, numbered apart
    days = pc.cast(evidence.column("collected_on"), pa.int32()).to_numpy().astype(np.int64)
    span = int(days.max()) - int(days.min()) + 1
    if (int(group.max()) + 1) * span >= 1 << KEY_BITS:  # numbered 0, 1, … instead: the key stays inside 64 bits
        group = np.unique(group, return_inverse=True)[1].astype(np.int64)
    order = _newest_first(group * span + (int(days.max()) - days), evidence.column("evidence_id"))
    return order, group[order]


def _newest_first(key: npt.NDArray[np.int64], evidence_id: pa.ChunkedArray) -> npt.NDArray[np.int64]:
    """The rows' order by `key` (group, then newest date first), then evidence_id descending: the integers
    sorted alone, then only the rows whose key another row shares sorted again with their ids (a million rows:
    0.3 -> 0.15 s against one sort of both)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    order = np.argsort(key, kind="stable")
    ordered = key[order]
    tie = ordered[1:] == ordered[:-1]
    if not tie.any():
        return order
    shared = np.zeros(len(order), dtype=bool)  # the places, in that order, of the rows whose key is shared
    shared[1:] |= tie
    shared[:-1] |= tie
    places = np.flatnonzero(shared)
    rows = order[places]  # each run of one key stays where it is: only its rows change places among themselves
    again = pa.table({"key": ordered[places], "evidence_id": evidence_id.take(pa.array(rows))})
    order[places] = rows[pc.sort_indices(again, [("key", "ascending"), ("evidence_id", "descending")]).to_numpy()]
    return order


def with_evidence(group: Row | None, tenant: str, control_id: str, arrangement_id: str | None,
                  collected_on: dt.date, evidence_id: str, valid_until: dt.date | None) -> Row:
    """The group's row once one more evidence item is added (None: the group's first). Exact: an item left out
    of the frontier has a newer one valid at least as long, and still has."""
    new = (collected_on, evidence_id, valid_until)
    if group is None:
        return _row(tenant, control_id, arrangement_id, 1, [new])
    known = [(*_split(stamp), until) for stamp, until in _stamps(group)]  # the newest is always the first
    items = sorted({*known, new}, key=lambda item: (item[0], item[1]), reverse=True)
    return _row(tenant, control_id, arrangement_id, int(group["evidence_count"]) + 1, items)


def attached(store: Store, tenant: str, evidence: Row, links: Mapping[tuple[str, str, str], Sequence[Link]],
             ) -> Row:
    """The group row to write with one evidence node the API creates (`evidence` and its `links` as the
    loader gives them): the stored group with the item added."""
    def target(rel_type: str, label: str) -> str | None:
        found = links.get((rel_type, "Evidence", label)) or ()
        return found[0].target.split("/", 1)[1] if found else None

    control_id = target("EVIDENCES", "Control")
    if control_id is None:
        raise ValueError("evidence without a control has no group")
    arrangement_id = target("CONCERNS", "OutsourcingArrangement")
    found = store.nodes_by_uid(LABEL, [node_uid(tenant, group_id(control_id, arrangement_id))], tenant)
    return with_evidence(found[0] if found else None, tenant, control_id, arrangement_id,
                         evidence["collected_on"], evidence["evidence_id"], evidence["valid_until"])


def _split(stamp: str) -> tuple[dt.date, str]:
    day, evidence_id = stamp.split("|", 1)
    return dt.date.fromisoformat(day), evidence_id


def newest_date(group: Row) -> dt.date:
    return _split(group["frontier"][0])[0]


def summaries_on(groups: Sequence[Row], as_of: dt.date,
                 ) -> tuple[dict[str, dict[str | None, EvidenceSummary]], dict[str, dt.date | None]] | None:
    """What the store's aggregation of the evidence rows gives on D (TraceInputs.evidence and
    evidence_valid_until), from the groups; None when some group has evidence collected after D (the
    groups answer only from their newest collection date on). The caller checks that the groups count every
    evidence item of the tenant (a store written before the groups were kept has none)."""
    if any(newest_date(g) > as_of for g in groups):
        return None
    evidence: dict[str, dict[str | None, EvidenceSummary]] = {}
    valid_until: dict[str, dt.date | None] = {}
    for g in groups:
        stamps = list(_stamps(g))
        newest, newest_until = stamps[0]
        unexpired = next((stamp for stamp, until in stamps if until is None or until >= as_of), None)
        evidence.setdefault(g["control_id"], {})[g["arrangement_id"]] = EvidenceSummary(
            int(g["evidence_count"]), newest, unexpired)
        if unexpired != newest:
            valid_until[_split(newest)[1]] = newest_until
    return evidence, valid_until


def _stamps(group: Row) -> Iterable[tuple[str, dt.date | None]]:
    until = list(group["frontier_until"] or ())
    for i, stamp in enumerate(group["frontier"]):
        yield stamp, until[i] if i < len(until) else None
