"""When the trace an answer comes from was computed, so that a previous trace is never shown as the current one.

    traceState(tenant, asOf) { asOf computedAt fresh computing }

`fresh` is true when the trace served for (tenant, asOf) was computed after every change the server knows of;
false while a newer one computes (api/precompute.py) or when nothing was computed yet (`computedAt` null).
`asOf` is the date the served trace is of: a trace kept from an earlier day is served for today until today's
is ready. Every GraphQL answer that used a trace that is not fresh also carries the same facts in
`extensions.traceState` (one entry per tenant and date; api/app.py), whatever fields it asked for.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene

from .context import RequestContext, TraceResult
from .dates import Date
from .queries import tenant_argument
from .types import context

TraceState = type("TraceState", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "追溯結果計算時點 / when the trace answers are computed from was "
                                             "computed, and whether a newer one is computing"}),
    "tenant": graphene.String(required=True),
    "asOf": Date(description="所服務結果之基準日 / the date the served trace is of (null: none yet)"),
    "computedAt": graphene.DateTime(description="計算時間（UTC）/ when it was computed (null: none yet)"),
    "fresh": graphene.Boolean(required=True, description="是否為最新 / computed after every change known"),
    "computing": graphene.Boolean(required=True, description="更新中 / a newer trace is being computed"),
})


def state_json(ctx: RequestContext, tenant: str, as_of: dt.date, served: TraceResult | None = None
               ) -> dict[str, Any]:
    """The state of (tenant, as_of); of `served` when given (the result an answer came from)."""
    state = ctx.runner.traces.state(tenant, as_of)
    result = served if served is not None else state.result
    fresh = result is not None and state.fresh and state.result is result
    return {"tenant": tenant, "asOf": result.as_of if result is not None else None,
            "computedAt": result.computed_at if result is not None else None,
            "fresh": fresh, "computing": state.computing}


def stale_marks(ctx: RequestContext) -> list[dict[str, Any]]:
    """`extensions.traceState` of an answer: each trace it used that is not fresh (JSON values)."""
    marks = []
    for (tenant, as_of), result in ctx.served.items():
        mark = state_json(ctx, tenant, as_of, result)
        if not mark["fresh"]:
            marks.append({**mark, "asOf": mark["asOf"].isoformat() if mark["asOf"] else None,
                          "computedAt": mark["computedAt"].isoformat()})
    return marks


async def resolve_trace_state(root: Any, info: Any, asOf: dt.date | None = None,
                              tenant: str | None = None) -> dict[str, Any]:
    ctx = context(info)
    ctx.principal.require("summary")  # the board reads coverage, so it reads when it was computed
    t = await ctx.known_tenant(ctx.principal.tenant_for(tenant))
    ctx.volatile = True  # it changes when a computation ends: the answer is not kept (api/response_cache.py)
    return state_json(ctx, t, asOf or dt.date.today())


def trace_state_fields() -> dict[str, Any]:
    return {
        "traceState": graphene.Field(
            graphene.NonNull(TraceState), resolver=resolve_trace_state,
            asOf=Date(description="基準日（預設今天）/ as of this date (default today)"), tenant=tenant_argument(),
            description="追溯結果計算於何時 / when the trace served for the date was computed, and whether it is "
                        "the current one"),
    }
