"""GraphQL `boardView`: what the board sees on a date (regtrace.board, the same source as the CLI's board summary).

A board token has the `summary` permission only: this field and the coverage fields are what it may read. Its
types carry no evidence and no control: the risks are sentences naming arrangements, contracts, findings and
certificates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene

from regtrace.board import board_reads, board_view

from .dates import Date
from .types import context

AS_OF = "基準日（預設今天）/ as of this date (default today)"


def board_view_field(coverage_type: Any, tenant_argument: Any) -> Any:
    """The boardView field; `coverage_type` is the dashboard's Coverage type."""
    severity_count = type("SeverityCount", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "各嚴重度筆數 / a count per finding severity"}),
        "severity": graphene.String(required=True), "count": graphene.Int(required=True)})
    arrangement = type("BoardArrangement", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "委外事項 / an arrangement started by the date"}),
        "arrangement_id": graphene.String(required=True), "name": graphene.String(required=True),
        "in_effect": graphene.Boolean(required=True, description="基準日有效 / in effect on the date (else ended)")})
    risk = type("BoardRisk", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "主要風險 / a top risk in words (no evidence or control details)"}),
        "kind": graphene.String(required=True, description="a trace cause kind, fsc_approval_missing or "
                                                           "certificate_expired"),
        "subject": graphene.String(description="an arrangement id, company, or null (a certificate)"),
        "obligations": graphene.Int(required=True, description="obligations it leaves open (0: not a trace risk)"),
        "zh": graphene.String(required=True), "en": graphene.String(required=True)})
    view = type("BoardView", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "董事會檢視 / the board's view on a date (as the CLI's board "
                                                 "summary): no evidence or control details"}),
        "as_of": Date(required=True),
        "coverage": graphene.Field(graphene.NonNull(coverage_type), description="整體涵蓋率 / overall coverage"),
        "certificates_expired": graphene.Int(required=True, description="已到期之雲端服務業者驗證 / expired"),
        "certificates_expiring": graphene.Int(required=True, description="90 天內到期 / expiring within 90 days"),
        "overdue_findings": graphene.List(graphene.NonNull(severity_count), required=True,
                                          description="逾期查核缺失，依嚴重度 / overdue findings by severity"),
        "expired_contracts": graphene.Int(required=True, description="委外事項所依之已到期契約 / expired "
                                                                      "contracts arrangements in effect rely on"),
        "approvals_needing": graphene.Int(required=True, description="須經金管會事前核准 / need FSC approval"),
        "approvals_missing": graphene.Int(required=True, description="查無核准紀錄 / without one on record"),
        "arrangements": graphene.List(graphene.NonNull(arrangement), required=True),
        "risks": graphene.List(graphene.NonNull(risk), required=True, description="主要風險，最嚴重者在前 / "
                                                                                "top risks, worst first"),
    })

    async def resolve(root: Any, info: Any, asOf: dt.date | None = None, tenant: str | None = None) -> Any:
        ctx = context(info)
        ctx.principal.require("summary")  # the board's own field
        t = ctx.principal.tenant_for(tenant)
        day = asOf or dt.date.today()
        result = await ctx.trace(t, day)  # NOT_FOUND for an unknown tenant, never an empty view
        reads = await ctx.call(board_reads, ctx.store, t, day)
        return {**board_view(result.rows, result.material, reads, day).to_json(), "as_of": day}

    return graphene.Field(graphene.NonNull(view), resolver=resolve, asOf=Date(description=AS_OF),
                          tenant=tenant_argument(),
                          description="董事會檢視 / the board's view: coverage, certificates, overdue findings, "
                                      "expired contracts, FSC approvals, arrangements and top risks")
