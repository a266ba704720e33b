"""GraphQL of the associations' view: `sector(asOf)` (as `regtrace sector --json`, regtrace.sector).

Only tokens with the `sector` permission (association, admin) read it. No field of it names a tenant, an
arrangement, a control or evidence, and it takes no tenant argument: the resolver hands each member's trace rows
to regtrace.sector without the member's name, and only figures over at least 5 members come back. An
association token reads nothing else: every tenant-bound field refuses it (api/auth.py, Principal.tenant_for).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import graphene
from regtrace.trace.trend import trend_dates

from regtrace.errors import NotFoundError
from regtrace.sector import MIN_MEMBERS, SectorView, sector_trend, snapshot
from regtrace.tenants import LOAD_HINT

from .context import RequestContext
from .dates import Date
from .types import context

WITHHELD = f"少於 {MIN_MEMBERS} 家會員，不予揭露 / withheld: fewer than {MIN_MEMBERS} members"


Quartiles = type("Quartiles", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "會員涵蓋率四分位數 / quartiles of the members' coverage (%), "
                                             "QUARTILE.INC; never the minimum or maximum"}),
    "q1": graphene.Float(required=True), "median": graphene.Float(required=True),
    "q3": graphene.Float(required=True)})


def _figure_fields() -> dict[str, Any]:
    return {
        "members": graphene.Int(description=f"會員數；{WITHHELD}，則為 null / members; null when withheld"),
        "withheld": graphene.Boolean(required=True, description=WITHHELD),
        "coverage": graphene.Field(Quartiles, description="null when withheld"),
    }


SectorFigure = type("SectorFigure", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "全體會員涵蓋率分布 / the members' coverage, all articles"}),
    **_figure_fields()})
SectorArticle = type("SectorArticle", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "一條之會員涵蓋率分布 / the members' coverage of one article"}),
    "article": graphene.Int(required=True), **_figure_fields()})
SectorObligation = type("SectorObligation", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "一項義務之會員涵蓋率分布 / the members' coverage of one obligation"}),
    "provision": graphene.String(required=True), "label": graphene.String(required=True),
    "article": graphene.Int(required=True), **_figure_fields()})
SectorGap = type("SectorGap", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": f"常見缺口 / an obligation not covered at several members "
                                             f"(obligations of at least {MIN_MEMBERS} members only)"}),
    "provision": graphene.String(required=True), "label": graphene.String(required=True),
    "article": graphene.Int(required=True), "members": graphene.Int(required=True),
    "members_with_gap": graphene.Int(required=True), "percent": graphene.Float(required=True)})
SectorTrendPoint = type("SectorTrendPoint", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "某季末之會員涵蓋率分布 / the members' coverage at one quarter end"}),
    "date": Date(required=True), **_figure_fields(),
    "articles": graphene.List(graphene.NonNull(SectorArticle), required=True)})
async def _member_rows(ctx: RequestContext, tenants: list[str], days: list[dt.date]) -> dict[tuple[str, dt.date], Any]:
    keys = [(t, d) for d in days for t in tenants]
    results = await asyncio.gather(*(ctx.trace(t, d) for t, d in keys))
    return {k: r.rows for k, r in zip(keys, results, strict=True)}


async def resolve_sector(root: Any, info: Any, asOf: dt.date | None = None) -> dict[str, Any]:
    """The sector as of the date; its `trend` is computed only when asked for (8 more traces per member)."""
    ctx = context(info)
    ctx.principal.require("sector")
    day = asOf or dt.date.today()
    tenants = await ctx.call(ctx.store.tenants)
    if not tenants:
        raise NotFoundError(f"the store holds no member company's registers yet; {LOAD_HINT}")
    rows = await _member_rows(ctx, tenants, [day])
    now = snapshot(day, (rows[t, day] for t in tenants))
    data = SectorView(day, now, ()).to_json()
    return {**data, "as_of": day, "_tenants": tenants}


async def resolve_trend(root: dict[str, Any], info: Any) -> list[dict[str, Any]]:
    ctx = context(info)
    tenants, day = root["_tenants"], root["as_of"]
    rows = await _member_rows(ctx, tenants, trend_dates(day))
    return [{**t.to_json(), "date": t.date} for t in sector_trend(tenants, lambda m, d: rows[m, d], day)]


Sector = type("Sector", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "公會檢視 / the associations' view across the members of the store: "
                                             f"every figure over at least {MIN_MEMBERS} members, never a member's "
                                             "name or data"}),
    "as_of": Date(required=True), "min_members": graphene.Int(required=True),
    "quartile_method": graphene.String(required=True),
    "overall": graphene.Field(graphene.NonNull(SectorFigure)),
    "articles": graphene.List(graphene.NonNull(SectorArticle), required=True),
    "obligations": graphene.List(graphene.NonNull(SectorObligation), required=True),
    "common_gaps": graphene.List(graphene.NonNull(SectorGap), required=True),
    "trend": graphene.List(graphene.NonNull(SectorTrendPoint), required=True, resolver=resolve_trend,
                           description="某季末 / at the last 8 quarter ends on or before as_of (computed only "
                                       "when asked for)")})


def sector_fields() -> dict[str, Any]:
    """The Query field of the associations' view."""
    return {
        "sector": graphene.Field(
            graphene.NonNull(Sector), resolver=resolve_sector,
            asOf=Date(description="基準日（預設今天）/ as of this date (default today)"),
            description="公會檢視 / the associations' view (association and admin tokens): per article and "
                        "obligation the members and the quartiles of their coverage, the most common gaps and "
                        f"the trend; every figure over at least {MIN_MEMBERS} members (as `regtrace sector`)"),
    }
