"""GraphQL of what changed between two dates: `traceChanges(from, to)` (as `regtrace changes --json`,
regtrace.trace.changes). It names evidence, contracts and controls in its causes, so it needs `read` (officer,
auditor, admin), as the trace does."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import graphene
from regtrace.trace.changes import changes, check_dates

from .dates import Date
from .queries import known_tenant, tenant_argument
from .types import context

_CAUSES = graphene.List(graphene.NonNull(graphene.JSONString), required=True,
                        description="why the row is what it is on the later date (kind, ids, dates)")
StatusChange = type("StatusChange", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "狀態異動 / an obligation for one subject whose status changed "
                                             "between the two dates"}),
    "provision": graphene.String(required=True), "label": graphene.String(required=True),
    "article": graphene.Int(required=True),
    "subject": graphene.String(required=True, description="an arrangement id, or company"),
    "from_status": graphene.String(description="status on the earlier date; null: the row was not in that trace "
                                               "(an arrangement not yet started)"),
    "to_status": graphene.String(description="status on the later date; null: no longer in the regulation in force"),
    "direction": graphene.String(required=True, description="better | worse | new | gone"),
    "reason": graphene.String(required=True, description="the later date's reason"),
    "reason_zh": graphene.String(required=True),
    "cause": _CAUSES,
    "from_cause": graphene.List(graphene.NonNull(graphene.JSONString), required=True,
                                description="why it was what it was on the earlier date"),
})


async def resolve_trace_changes(root: Any, info: Any, tenant: str | None = None, **dates: dt.date
                                ) -> list[dict[str, Any]]:
    ctx = context(info)
    start, end = dates["from"], dates["to"]
    check_dates(start, end)
    t = await known_tenant(ctx, tenant)
    before, after = await asyncio.gather(ctx.trace(t, start), ctx.trace(t, end))
    return [c.to_json() for c in changes(before.rows, after.rows)]


def changes_fields() -> dict[str, Any]:
    """The Query field of status changes between two dates."""
    return {
        "traceChanges": graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(StatusChange))), resolver=resolve_trace_changes,
            args={"from": Date(required=True, description="較早日期 / the earlier date"),
                  "to": Date(required=True, description="較晚日期 / the later date")},
            tenant=tenant_argument(),
            description="狀態異動 / obligations whose status changed between two dates, with both statuses and "
                        "the cause (as `regtrace changes`)"),
    }
