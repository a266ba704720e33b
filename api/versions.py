"""GraphQL for regulation versions: the stored versions, a member company's review queue after an adoption
(mappings carried to amended provisions awaiting review, mappings orphaned on removed ones), accepting reviews,
and the dashboard's banner. The same functions as `regtrace versions` and `regtrace review` (regtrace.versions,
regtrace.versions_review)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene

from regtrace.errors import InputError
from regtrace.versions import VersionBook
from regtrace.versions_review import accept_reviews, review_queue

from .dates import Date
from .queries import tenant_argument
from .types import context

RegulationVersion = type("RegulationVersion", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "法規版本 / a stored version of the regulation"}),
    "version": graphene.String(required=True, description="版本 / label"),
    "instrument_id": graphene.String(required=True),
    "promulgated_on": Date(description="發布日 / promulgated on (null: the text states none)"),
    "effective_from": Date(description="生效日 / first day in force (null: from any date)"),
    "effective_until": Date(description="適用至 / last day in force (null: still in force)"),
    "source_sha256": graphene.String(required=True, description="原文 SHA-256 / of the source text"),
    "adopted_at": graphene.String(description="採用時間 / adopted at (ISO 8601, UTC)"),
    "in_force": graphene.Boolean(required=True, description="於基準日施行 / in force on asOf"),
})


MappingReviewItem = type("MappingReviewItem", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "待覆核對應 / a mapping carried to an amended provision"}),
    "id": graphene.ID(required=True, description="覆核代碼 / what `review --accept` takes"),
    "kind": graphene.String(required=True, description="satisfies, clause, cites or supports"),
    "source_id": graphene.String(required=True, description="控制措施、契約、缺失或核准 / the mapped record"),
    "provision_id": graphene.String(required=True),
    "version": graphene.String(required=True),
    "from_provision_id": graphene.String(required=True),
    "from_version": graphene.String(required=True),
    "changes": graphene.List(graphene.NonNull(graphene.String), required=True),
    "status": graphene.String(required=True, description="needs_review or accepted"),
    "created_at": graphene.String(required=True),
    "accepted_at": graphene.String(),
})


OrphanedMapping = type("OrphanedMapping", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "孤立對應 / a mapping kept on a provision the latest version removed"}),
    "kind": graphene.String(required=True),
    "source_id": graphene.String(required=True),
    "provision_id": graphene.String(required=True),
    "version": graphene.String(required=True),
})


ReviewQueue = type("ReviewQueue", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "版本覆核 / a member company's mappings after an adoption"}),
    "tenant": graphene.String(required=True),
    "latest_version": graphene.String(),
    "needs_review": graphene.List(graphene.NonNull(MappingReviewItem), required=True),
    "accepted": graphene.List(graphene.NonNull(MappingReviewItem), required=True),
    "orphaned": graphene.List(graphene.NonNull(OrphanedMapping), required=True),
})


RegulationBanner = type("RegulationBanner", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "新版法規提示 / a newer version adopted with mappings awaiting review"}),
    "version": graphene.String(required=True),
    "effective_from": Date(),
    "needs_review": graphene.Int(required=True),
    "orphaned": graphene.Int(required=True),
})


async def resolve_versions(root: Any, info: Any, asOf: dt.date | None = None) -> list[dict[str, Any]]:
    ctx = context(info)
    ctx.principal.require("summary")
    book = await ctx.call(VersionBook.read, ctx.store)
    day = asOf or dt.date.today()
    return [{**v.to_json(), "promulgated_on": v.promulgated_on, "effective_from": v.effective_from,
             "effective_until": v.effective_until, "in_force": v.in_force(day)} for v in book.versions]


async def _queue(info: Any, tenant: str | None, permission: str) -> dict[str, Any]:
    ctx = context(info)
    ctx.principal.require(permission)  # type: ignore[arg-type]
    t = await ctx.known_tenant(ctx.principal.tenant_for(tenant))
    queue = await ctx.call(review_queue, ctx.store, t)
    return queue.to_json()


async def resolve_review_queue(root: Any, info: Any, tenant: str | None = None) -> dict[str, Any]:
    return await _queue(info, tenant, "read")


async def resolve_banner(root: Any, info: Any, tenant: str | None = None) -> dict[str, Any] | None:
    """Null unless a version newer than the first is stored and the tenant has mappings awaiting review."""
    queue = await _queue(info, tenant, "summary")
    ctx = context(info)
    book = await ctx.call(VersionBook.read, ctx.store)
    if book.single or not queue["needs_review"]:
        return None
    latest = book.latest
    return {"version": latest.label, "effective_from": latest.effective_from,
            "needs_review": len(queue["needs_review"]), "orphaned": len(queue["orphaned"])}


async def resolve_accept(root: Any, info: Any, ids: list[str], tenant: str | None = None) -> list[str]:
    ctx = context(info)
    ctx.principal.require("write")
    t = await ctx.known_tenant(ctx.principal.tenant_for(tenant))
    if not ids:
        raise InputError("ids: name at least one review id (reviewQueue lists them)")
    accepted: list[str] = await ctx.call(accept_reviews, ctx.store, t, [i.strip() for i in ids])
    return accepted


def version_query_fields() -> dict[str, Any]:
    """The Query fields of this module."""
    return {
        "regulationVersions": graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(RegulationVersion))), resolver=resolve_versions,
            asOf=Date(description="基準日（預設今天）/ as of this date (default today)"),
            description="法規版本，舊至新 / the stored versions of the regulation, oldest first"),
        "reviewQueue": graphene.Field(
            graphene.NonNull(ReviewQueue), resolver=resolve_review_queue, tenant=tenant_argument(),
            description="待覆核及孤立之對應 / mappings awaiting review and orphaned ones"),
        "regulationBanner": graphene.Field(
            RegulationBanner, resolver=resolve_banner, tenant=tenant_argument(),
            description="新版法規已採用且有待覆核對應時 / set when a newer version awaits review of mappings"),
    }


def version_mutation_fields() -> dict[str, Any]:
    """The Mutation fields of this module (officer and admin tokens)."""
    return {
        "acceptMappingReviews": graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(graphene.ID))), resolver=resolve_accept,
            ids=graphene.List(graphene.NonNull(graphene.ID), required=True), tenant=tenant_argument(),
            description="覆核完成 / accept reviewed mappings (all or none); the ids newly accepted"),
    }
