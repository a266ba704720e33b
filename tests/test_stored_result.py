"""A kept trace (trace/stored_result.py) reads back row for row: every field's type as it was (a True never
becomes a 1, a date never a string), values written once and shared, damage refused, never misread."""

from __future__ import annotations

import base64
import datetime as dt
import json
import zlib
from typing import Any

import pytest
from regtrace.trace import stored_result
from regtrace.trace.model import Cause, TraceRow, Via

DAY = dt.date(2026, 11, 29)


def _row(**values: Any) -> TraceRow:
    base: dict[str, Any] = {"provision": "A7.P1.I3", "label": "第七條第一項第三款", "article": 7, "ordinal": 1,
                            "leaf": True, "modality": "shall", "rule": "control_evidence", "subject": "ARR-01",
                            "status": "covered", "reason": "evidence"}
    return TraceRow(**{**base, **values})


def _document(text: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(text)))
    return document


def _text(document: dict[str, Any]) -> str:
    return base64.b64encode(zlib.compress(json.dumps(document).encode())).decode("ascii")


def test_values_alike_in_python_but_not_in_kind_come_back_as_they_were() -> None:
    shared = ("E-1", "E-2")
    rows = [
        _row(article=1, ordinal=1, leaf=True, evidence=shared, fresh_until=DAY),
        _row(article=True, ordinal=1.0, leaf=1, evidence=tuple(shared), fresh_until=None),  # == the first's
        _row(subject="company", status="gap", reason="no_control", leaf=False, evidence=(),
             cause=(Cause("no_control", (("obligation", "A7.P1.I3"),)), Cause("stale", (("lapsed_on", DAY),))),
             mapped_via=(Via("certification", "CERT-1", "ISO27001:A.5.23"),)),
    ]
    text, _ = stored_result.encode(rows, {"csp_of": {"ARR-01": "CSP-A"}})
    back, extra = stored_result.decode(text)
    assert back == rows and extra == {"csp_of": {"ARR-01": "CSP-A"}}
    for got, was in zip(back, rows, strict=True):
        for name in stored_result.FIELDS:
            assert type(getattr(got, name)) is type(getattr(was, name)), name
    assert back[2].cause[1].details[0][1] == DAY and isinstance(back[2].mapped_via[0], Via)
    assert back[0].evidence is back[1].evidence  # one value in the table, shared when read back
    assert len(_document(text)["values"]) < len(rows) * len(stored_result.FIELDS)


def test_the_digest_depends_on_the_values_only() -> None:
    one = [_row(evidence=("E-1", "E-2")), _row(subject="ARR-02", evidence=("E-1", "E-2"))]
    shared = ("E-1", "E-2")
    other = [_row(evidence=shared), _row(subject="ARR-02", evidence=shared)]
    assert stored_result.encode(one, {})[1] == stored_result.encode(other, {})[1]
    assert stored_result.encode(one, {})[1] != stored_result.encode(other[:1], {})[1]


@pytest.mark.parametrize("damage", ["outside", "negative", "short", "not a number"])
def test_a_damaged_table_is_refused(damage: str) -> None:
    document = _document(stored_result.encode([_row(), _row(subject="ARR-02")], {})[0])
    line = document["rows"][1]
    if damage == "outside":
        line[3] = len(document["values"])
    elif damage == "negative":
        line[3] = -1
    elif damage == "short":
        line.pop()
    else:
        line[3] = "x"
    with pytest.raises(stored_result.StoredResultError):
        stored_result.decode(_text(document))


def test_another_format_is_refused() -> None:
    document = _document(stored_result.encode([_row()], {})[0])
    document["format"] = 1
    with pytest.raises(stored_result.StoredResultError, match="another version"):
        stored_result.decode(_text(document))
