"""Certificates as evidence through GraphQL (issue 12 points 3 and 6): the trace row's `certifications` and
`mapped_via` fields, and `certificateImpact` — the rows whose status would drop if a certificate lapsed (as
`regtrace certifications --impact`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene
from regtrace.trace.certificate_impact import certificate_impact

from .dates import Date
from .queries import read_tenant, tenant_argument
from .types import context


def _kind(root: dict[str, str]) -> str:
    return "certification" if "certification" in root else "control"


MappedVia = type("MappedVia", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "經對照 / a certificate or control that reached the provision "
                                             "through a reviewed equal or subset mapping to a target control"}),
    "kind": graphene.String(required=True, description="certification | control",
                            resolver=lambda root, info: _kind(root)),
    "id": graphene.String(required=True, description="the certification id or control id",
                          resolver=lambda root, info: root[_kind(root)]),
    "target": graphene.String(required=True, description="the target control, FRAMEWORK:ID"),
})

CertificateImpact = type("CertificateImpact", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "驗證失效之影響 / a row whose status would drop if the certificate "
                                             "lapsed"}),
    "provision": graphene.String(required=True), "label": graphene.String(required=True),
    "subject": graphene.String(required=True),
    "status": graphene.String(required=True, description="with the certificate"),
    "status_without": graphene.String(required=True, description="without it"),
})


def trace_row_fields() -> dict[str, Any]:
    """The TraceRow fields of certificates as evidence (api/dashboard.py spreads them into the type)."""
    return {
        "certifications": graphene.List(graphene.NonNull(graphene.String), required=True,
                                        description="以驗證為佐證 / the CSP certificates counted as evidence"),
        "mapped_via": graphene.List(graphene.NonNull(MappedVia), required=True,
                                    description="經對照 / which target control brought a certificate or control"),
    }


async def resolve_certificate_impact(root: Any, info: Any, certificationId: str, asOf: dt.date | None = None,
                                     tenant: str | None = None) -> list[dict[str, Any]]:
    ctx = context(info)
    t = await ctx.known_tenant(read_tenant(ctx, tenant))
    rows = await ctx.call(certificate_impact, ctx.store, t, certificationId, asOf or dt.date.today())
    return [{**r.to_json(), "label": r.label} for r in rows]


def certification_fields() -> dict[str, Any]:
    """The Query fields of this module (api/schema.py adds them)."""
    return {
        "certificateImpact": graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(CertificateImpact))),
            resolver=resolve_certificate_impact,
            certificationId=graphene.String(required=True, description="驗證代碼 / the certification id"),
            asOf=Date(description="基準日（預設今天）/ the date (default today)"), tenant=tenant_argument(),
            description="驗證失效之影響 / the rows whose status would drop if this certificate lapsed "
                        "(as `regtrace certifications --impact`)"),
    }
