"""GraphQL of coverage over time: `coverageTrend` (as `regtrace coverage --trend --json`, regtrace.trace.trend).

Each date's coverage is read from the same cached trace as `coverage(asOf: …)`; the board may read it (summary).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import graphene
from regtrace.trace.trend import TrendPoint, trend_dates, trend_point

from regtrace.errors import InputError

from .context import RequestContext
from .dates import Date
from .queries import tenant_argument
from .types import context

MAX_DATES = 4  # further dates per request, as the limit of distinct asOf dates (api/execution.py Limits)
PERCENT = "% covered of what applies; null when nothing applies"

ArticleCoverage = type("ArticleCoverage", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "一條之涵蓋率 / coverage of one article on a date"}),
    "article": graphene.Int(required=True), "covered": graphene.Int(required=True),
    "applicable": graphene.Int(required=True), "percent": graphene.Float(description=PERCENT)})
CoverageTrendPoint = type("CoverageTrendPoint", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "某日涵蓋率 / coverage on one date, overall and per article"}),
    "date": Date(required=True), "covered": graphene.Int(required=True), "applicable": graphene.Int(required=True),
    "percent": graphene.Float(description=PERCENT),
    "articles": graphene.List(graphene.NonNull(ArticleCoverage), required=True)})


def point_json(point: TrendPoint) -> dict[str, Any]:
    """A trend point as GraphQL rows (the date as a date)."""
    return {**point.to_json(), "date": point.date}


async def tenant_points(ctx: RequestContext, tenant: str, dates: list[dt.date]) -> list[TrendPoint]:
    """The tenant's coverage on each date, from the app's cached traces."""
    results = await asyncio.gather(*(ctx.trace(tenant, day) for day in dates))
    return [trend_point(day, result.rows) for day, result in zip(dates, results, strict=True)]


async def resolve_coverage_trend(root: Any, info: Any, asOf: dt.date | None = None,
                                 dates: list[dt.date] | None = None, tenant: str | None = None) -> list[dict[str, Any]]:
    ctx = context(info)
    ctx.principal.require("summary")  # the board sees the trend
    t = await ctx.known_tenant(ctx.principal.tenant_for(tenant))
    if len(dates or ()) > MAX_DATES:
        raise InputError(f"dates: at most {MAX_DATES} further dates per request (each is a trace to compute)")
    days = trend_dates(asOf or dt.date.today(), dates or ())
    return [point_json(p) for p in await tenant_points(ctx, t, days)]


def trend_fields() -> dict[str, Any]:
    """The Query fields of coverage over time."""
    return {
        "coverageTrend": graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(CoverageTrendPoint))), resolver=resolve_coverage_trend,
            asOf=Date(description="基準日（預設今天）/ as of this date (default today)"),
            dates=graphene.List(graphene.NonNull(Date),
                                description=f"另加之日期 / further dates (on or before asOf), at most {MAX_DATES}"),
            tenant=tenant_argument(),
            description="涵蓋率趨勢 / coverage at the end of each of the last 8 quarters on or before asOf and at "
                        "the dates asked for, oldest first (as `regtrace coverage --trend`)"),
    }
