"""What a dashboard asks: trace, gaps, coverage, certifications and evidence running out, findings, the change
log, tenants and who is calling. Trace, gaps and coverage are computed by the same functions as the CLI
(regtrace.trace, regtrace.trace.coverage) and give the same rows as `regtrace trace|gaps|coverage --json`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene
from regtrace.graph.filters import Compare, NodeQuery, SortKey
from regtrace.graph.schema import node_uid
from regtrace.trace import STATUSES, TraceRow
from regtrace.trace.due_diligence import EXPIRING_DAYS, certifications, findings
from regtrace.trace.vocabulary import cause_kinds, cause_labels

from regtrace.approvals import fsc_approvals, missing_count
from regtrace.company import company_name
from regtrace.errors import InputError

from .board_view import board_view_field
from .certifications import trace_row_fields as certificate_row_fields
from .context import RequestContext, with_tenant
from .dates import Date
from .errors import not_found
from .filters import combine
from .pagination import Page, window
from .queries import read_tenant, tenant_argument
from .trace_views import coverage_json, gap_rows, overall_json, select_rows
from .types import Types, context, then

TraceStatus = graphene.Enum("TraceStatus", [(s, s) for s in STATUSES], description="追溯狀態 / trace status")
CoverageGroup = graphene.Enum("CoverageGroup", [("ARTICLE", "article"), ("ARRANGEMENT", "arrangement"), ("CSP", "csp")],
                              description="涵蓋率分組 / coverage grouped by")
CertificationStatus = graphene.Enum(
    "CertificationStatus", [(s, s) for s in ("valid", "expiring", "expired", "not_yet_valid")],
    description="驗證狀態 / certification status on a date")
FindingStateEnum = graphene.Enum("FindingState", [(s, s) for s in ("open", "overdue", "closed")],
                                 description="缺失改善狀態 / finding remediation state")
AS_OF = "基準日（預設今天）/ as of this date (default today)"


def _day(as_of: dt.date | None) -> dt.date:
    return as_of or dt.date.today()


def _values(items: Any) -> set[str]:
    return {str(getattr(i, "value", i)) for i in items or ()}


def trace_row(row: TraceRow, tenant: str) -> dict[str, Any]:
    """A trace row as the CLI's JSON has it (dates as dates until GraphQL serialises them)."""
    return {**row.to_json(), "fresh_until": row.fresh_until, "_tenant": tenant}


def _nodes(label: str, key: str) -> Any:
    def resolve(root: dict[str, Any], info: Any) -> Any:
        loader = context(info).node_loader(label, root["_tenant"])
        uids = [node_uid(root["_tenant"], k) for k in root[key]]
        return then(loader.load_many(uids), lambda rows: [r for r in rows if r is not None])

    return resolve


def _node(label: str, key: str) -> Any:
    def resolve(root: dict[str, Any], info: Any) -> Any:
        return context(info).node_loader(label, root["_tenant"]).load(node_uid(root["_tenant"], root[key]))

    return resolve


def dashboard_types(types: Types) -> dict[str, Any]:
    """The hand-written result types of the dashboard queries (they are not ontology classes)."""
    objects = types.objects
    cause_type = type("TraceCause", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "未涵蓋原因 / a cause: its kind and the ids and dates involved"}),
        "kind": graphene.String(required=True, description=" | ".join(cause_kinds())),
        "details": graphene.JSONString(required=True, description="the ids and dates involved"),
        "label_zh": graphene.String(required=True, description="原因（中文）/ the kind in zh-TW (ontology label)"),
        "label_en": graphene.String(required=True, description="the kind in English (ontology label)"),
        "resolve_label_zh": lambda root, info: cause_labels()[root["kind"]][0],
        "resolve_label_en": lambda root, info: cause_labels()[root["kind"]][1],
        "resolve_details": lambda root, info: {k: v for k, v in root.items() if k != "kind"}})
    trace_row_type = type("TraceRow", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "追溯結果 / one provision for one subject (arrangement or company)"}),
        "provision": graphene.String(required=True), "label": graphene.String(required=True),
        "article": graphene.Int(required=True), "leaf": graphene.Boolean(required=True),
        "modality": graphene.String(), "rule": graphene.String(), "subject": graphene.String(required=True),
        "status": graphene.String(required=True, description="gap | unevidenced | stale | covered | not_applicable"),
        "reason": graphene.String(required=True), "reason_zh": graphene.String(required=True),
        "controls": graphene.List(graphene.NonNull(graphene.String), required=True),
        "evidence": graphene.List(graphene.NonNull(graphene.String), required=True),
        "contracts": graphene.List(graphene.NonNull(graphene.String), required=True),
        "audits": graphene.List(graphene.NonNull(graphene.String), required=True),
        "fresh_until": Date(),
        "own_status": graphene.String(description="a leaf's or lead-in's own duty; null for a roll-up only"),
        "children_status": graphene.String(description="the roll-up of the obligations below; null for a leaf"),
        "cause": graphene.List(graphene.NonNull(cause_type), required=True,
                               description="why the row is not covered (or does not apply)"),
        "references_not_in_force": graphene.List(graphene.NonNull(graphene.String), required=True),
        "open_findings": graphene.List(graphene.NonNull(graphene.String), required=True),
        "warnings": graphene.List(graphene.NonNull(graphene.String), required=True),
        "control_nodes": graphene.List(graphene.NonNull(lambda: objects["Control"]), required=True,
                                       resolver=_nodes("Control", "controls")),
        "evidence_nodes": graphene.List(graphene.NonNull(lambda: objects["Evidence"]), required=True,
                                        resolver=_nodes("Evidence", "evidence")),
        **certificate_row_fields(),
    })
    count_fields: dict[str, Any] = {s: graphene.Int(required=True) for s in STATUSES}
    counts = type("StatusCounts", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "各狀態筆數 / obligations per status"}), **count_fields})
    coverage_type = type("Coverage", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "涵蓋率 / coverage of one group"}),
        "group_by": graphene.String(required=True), "key": graphene.String(required=True),
        "counts": graphene.Field(graphene.NonNull(counts)), "applicable": graphene.Int(required=True),
        "covered": graphene.Int(required=True), "percent": graphene.Float()})
    certification_state = type("CertificationState", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "驗證有效性 / a CSP certification's validity on a date"}),
        "certification_id": graphene.String(required=True), "csp_id": graphene.String(required=True),
        "standard": graphene.String(required=True), "scope": graphene.String(), "valid_from": Date(),
        "valid_until": Date(required=True), "status": graphene.String(required=True),
        "days_left": graphene.Int(required=True),
        "certification": graphene.Field(lambda: objects["Certification"],
                                        resolver=_node("Certification", "certification_id")),
        "csp": graphene.Field(lambda: objects["CloudServiceProvider"],
                              resolver=_node("CloudServiceProvider", "csp_id")),
    })
    finding_state = type("FindingStatus", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "缺失改善 / a finding's remediation state on a date"}),
        "finding_id": graphene.String(required=True), "audit_id": graphene.String(required=True),
        "arrangement_id": graphene.String(required=True), "severity": graphene.String(required=True),
        "state": graphene.String(required=True), "due_on": Date(), "closed_on": Date(),
        "days_overdue": graphene.Int(required=True),
        "finding": graphene.Field(lambda: objects["Finding"], resolver=_node("Finding", "finding_id")),
    })
    viewer = type("Viewer", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "目前權杖 / the calling token"}),
        "token_id": graphene.String(required=True), "name": graphene.String(required=True),
        "role": graphene.String(required=True), "tenant": graphene.String(required=True)})
    company_name_type = type("CompanyName", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "會員公司名稱 / the member company's legal name (company register)"}),
        "tenant": graphene.String(required=True), "legal_name": graphene.String(),
        "legal_name_en": graphene.String(),
        "display": graphene.String(required=True, description="公司名稱（中英），無公司資料時為 tenant / the legal "
                                                              "name, zh-TW then English; the tenant id without a "
                                                              "company row")})
    approval_counts = type("FscApprovalCounts", (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"description": "金管會事前核准 / arrangements in effect needing the FSC's prior "
                                                 "approval, and those without one on record (regtrace approvals)"}),
        "needing": graphene.Int(required=True), "missing": graphene.Int(required=True)})
    return {"TraceRow": trace_row_type, "Coverage": coverage_type, "CertificationState": certification_state,
            "FindingStatus": finding_state, "Viewer": viewer, "CompanyName": company_name_type,
            "FscApprovalCounts": approval_counts}


async def _trace_rows(ctx: RequestContext, tenant: str, as_of: dt.date | None) -> tuple[dt.date, Any]:
    day = _day(as_of)
    return day, await ctx.trace(tenant, day)


def _converted(page: Page, tenant: str) -> Page:
    """A page of TraceRows as GraphQL rows (only the page's rows are converted)."""
    page.rows = [trace_row(r, tenant) for r in page.rows]
    return page


async def resolve_trace(root: Any, info: Any, asOf: dt.date | None = None, arrangement: str | None = None,
                        status: Any = None, leavesOnly: bool | None = False, tenant: str | None = None,
                        first: int | None = None, after: str | None = None, subject: str | None = None,
                        provisions: list[str] | None = None) -> Page:
    ctx = context(info)
    t = read_tenant(ctx, tenant)
    offset, size = window(first, after, ctx.codec, t, "trace")
    if arrangement is not None:
        found = await ctx.node_loader("OutsourcingArrangement", t).load(node_uid(t, arrangement))
        if found is None:
            raise not_found("arrangement", arrangement)
    _, result = await _trace_rows(ctx, t, asOf)
    who = {arrangement, subject} - {None}
    rows = [] if len(who) > 1 else select_rows(result, subject=next(iter(who), None), provisions=set(provisions or ()),
                                               leaves_only=bool(leavesOnly), statuses=_values(status))
    return _converted(Page.of(rows, offset, size, t, "trace", ctx.codec), t)


async def resolve_gaps(root: Any, info: Any, asOf: dt.date | None = None, tenant: str | None = None,
                       first: int | None = None, after: str | None = None) -> Page:
    ctx = context(info)
    ctx.principal.require("summary")
    t = ctx.principal.tenant_for(tenant)
    offset, size = window(first, after, ctx.codec, t, "gaps")
    _, result = await _trace_rows(ctx, t, asOf)
    return _converted(Page.of(gap_rows(result), offset, size, t, "gaps", ctx.codec), t)


async def resolve_coverage(root: Any, info: Any, groupBy: Any, asOf: dt.date | None = None,
                           tenant: str | None = None) -> list[dict[str, Any]]:
    ctx = context(info)
    ctx.principal.require("summary")
    _, result = await _trace_rows(ctx, ctx.principal.tenant_for(tenant), asOf)
    return coverage_json(result, getattr(groupBy, "value", groupBy))


async def resolve_coverage_overall(root: Any, info: Any, asOf: dt.date | None = None,
                                   tenant: str | None = None) -> dict[str, Any]:
    ctx = context(info)
    ctx.principal.require("summary")
    _, result = await _trace_rows(ctx, ctx.principal.tenant_for(tenant), asOf)
    return overall_json(result)


async def resolve_certification_states(root: Any, info: Any, asOf: dt.date | None = None,
                                       expiringWithinDays: int | None = EXPIRING_DAYS, status: Any = None,
                                       tenant: str | None = None) -> list[dict[str, Any]]:
    ctx = context(info)
    t = read_tenant(ctx, tenant)
    if expiringWithinDays is None:
        expiringWithinDays = EXPIRING_DAYS
    if expiringWithinDays < 0:
        raise InputError("expiringWithinDays must not be negative")
    states = await ctx.call(certifications, ctx.store, t, _day(asOf), expiringWithinDays)
    wanted = _values(status)
    return [{**c.__dict__, "_tenant": t} for c in states if not wanted or c.status in wanted]


async def resolve_finding_states(root: Any, info: Any, asOf: dt.date | None = None, states: Any = None,
                                 tenant: str | None = None) -> list[dict[str, Any]]:
    ctx = context(info)
    t = read_tenant(ctx, tenant)
    wanted = _values(states) or {"open", "overdue"}
    rows = await ctx.call(findings, ctx.store, t, _day(asOf))
    return [{**f.__dict__, "_tenant": t} for f in rows if f.state in wanted]


async def resolve_expiring_evidence(root: Any, info: Any, withinDays: int, asOf: dt.date | None = None,
                                    includeExpired: bool | None = False, tenant: str | None = None,
                                    first: int | None = None, after: str | None = None) -> Page:
    ctx = context(info)
    t = read_tenant(ctx, tenant)
    if withinDays < 0 or withinDays > 36_500:
        raise InputError("withinDays must be between 0 and 36500")
    offset, size = window(first, after, ctx.codec, t, "expiringEvidence")
    day = _day(asOf)
    condition = combine(Compare("valid_until", "lte", day + dt.timedelta(days=withinDays)),
                        None if includeExpired else Compare("valid_until", "gte", day))
    query = NodeQuery("Evidence", t, condition, (SortKey("valid_until"), SortKey("evidence_id")), offset, size + 1)
    rows = await ctx.call(ctx.store.find, query)

    async def count() -> int:
        return await ctx.call(ctx.store.count_matching, "Evidence", t, condition)

    return Page(with_tenant(rows[:size], t), offset, len(rows) > size, t, "expiringEvidence", ctx.codec, counter=count)


async def resolve_change_log(root: Any, info: Any, tenant: str | None = None, first: int | None = None,
                             after: str | None = None) -> Page:
    ctx = context(info)
    t = read_tenant(ctx, tenant)
    offset, size = window(first, after, ctx.codec, t, "changeLog")
    mine = Compare("tenant", "eq", t)
    query = NodeQuery("ChangeLogEntry", t, mine, (SortKey("at", True), SortKey("change_id", True)), offset, size + 1)
    rows = await ctx.call(ctx.store.find, query)

    async def count() -> int:
        return await ctx.call(ctx.store.count_matching, "ChangeLogEntry", t, mine)

    return Page(with_tenant(rows[:size], t), offset, len(rows) > size, t, "changeLog", ctx.codec, counter=count)


async def resolve_tenants(root: Any, info: Any) -> list[str]:
    ctx = context(info)
    ctx.principal.require("admin")
    return await ctx.call(ctx.store.tenants)


async def resolve_company_name(root: Any, info: Any, tenant: str | None = None) -> dict[str, Any]:
    ctx = context(info)
    ctx.principal.require("summary")  # the board sees these too
    t = ctx.principal.tenant_for(tenant)
    named = await ctx.call(company_name, ctx.store, t)
    return named.to_json()


async def resolve_fsc_approvals(root: Any, info: Any, asOf: dt.date | None = None,
                                tenant: str | None = None) -> dict[str, int]:
    ctx = context(info)
    ctx.principal.require("summary")  # the board sees these too
    t = ctx.principal.tenant_for(tenant)
    checks = await ctx.call(fsc_approvals, ctx.store, t, _day(asOf))
    return {"needing": sum(1 for c in checks if c.needs_fsc_approval), "missing": missing_count(checks)}


def resolve_viewer(root: Any, info: Any) -> dict[str, Any]:
    return context(info).principal.__dict__


def dashboard_fields(types: Types) -> dict[str, Any]:
    """The dashboard's Query fields."""
    extra = dashboard_types(types)
    page = {"first": graphene.Int(description="每頁筆數 / page size (default 100, at most 1000)"),
            "after": graphene.String(description="自此游標之後 / start after this cursor")}
    as_of = {"asOf": Date(description=AS_OF), "tenant": tenant_argument()}
    trace_conn = types.connection("TraceRow", lambda: extra["TraceRow"], "追溯結果 / trace rows")
    gap_conn = types.connection("Gap", lambda: extra["TraceRow"], "缺口 / gaps (board: totalCount only)",
                                guard="read")
    evidence_conn = types.connection("Evidence", lambda: types.objects["Evidence"], "佐證資料 / evidence")
    log_conn = types.connection("ChangeLogEntry", lambda: types.objects["ChangeLogEntry"], "異動紀錄 / change log")
    return {
        "trace": graphene.Field(
            graphene.NonNull(trace_conn), resolver=resolve_trace, **as_of, **page,
            arrangement=graphene.ID(description="只看此委外事項 / one arrangement only"),
            status=graphene.List(graphene.NonNull(TraceStatus), description="只看這些狀態 / only these statuses"),
            leavesOnly=graphene.Boolean(default_value=False, description="只列義務 / obligations only, no roll-up"),
            subject=graphene.String(description="只看此主體 / one subject: an arrangement id, or company"),
            provisions=graphene.List(graphene.NonNull(graphene.String),
                                     description="只看這些條文 / only these provision ids (A5 = the article row)"),
            description="追溯 / every applicable obligation per arrangement and the company, rolled up (as the CLI)"),
        "gaps": graphene.Field(graphene.NonNull(gap_conn), resolver=resolve_gaps, **as_of, **page,
                               description="缺口 / what is not covered, worst first (as `regtrace gaps`)"),
        "coverage": graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(extra["Coverage"]))), resolver=resolve_coverage,
            groupBy=graphene.Argument(graphene.NonNull(CoverageGroup)), **as_of,
            description="涵蓋率 / coverage per article, arrangement or CSP (as `regtrace coverage`)"),
        "coverageOverall": graphene.Field(graphene.NonNull(extra["Coverage"]), resolver=resolve_coverage_overall,
                                          **as_of, description="整體涵蓋率 / coverage of all obligations"),
        "certificationStates": graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(extra["CertificationState"]))),
            resolver=resolve_certification_states, **as_of,
            expiringWithinDays=graphene.Int(default_value=EXPIRING_DAYS, description="到期天數 / expiring within"),
            status=graphene.List(graphene.NonNull(CertificationStatus)),
            description="雲端服務業者驗證 / CSP certifications with their validity, soonest expiry first"),
        "expiringEvidence": graphene.Field(
            graphene.NonNull(evidence_conn), resolver=resolve_expiring_evidence, **as_of, **page,
            withinDays=graphene.Int(required=True), includeExpired=graphene.Boolean(default_value=False),
            description="即將到期之佐證 / evidence whose valid_until falls within N days"),
        "findingStates": graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(extra["FindingStatus"]))),
            resolver=resolve_finding_states, **as_of, states=graphene.List(graphene.NonNull(FindingStateEnum)),
            description="查核缺失 / findings by remediation state (default open and overdue), overdue first"),
        "changeLog": graphene.Field(graphene.NonNull(log_conn), resolver=resolve_change_log,
                                    tenant=tenant_argument(), **page, description="異動紀錄 / changes, newest first"),
        "tenants": graphene.Field(graphene.NonNull(graphene.List(graphene.NonNull(graphene.String))),
                                  resolver=resolve_tenants, description="會員公司 / tenants (admin only)"),
        "companyName": graphene.Field(graphene.NonNull(extra["CompanyName"]), resolver=resolve_company_name,
                                      tenant=tenant_argument(),
                                      description="會員公司名稱 / the member company's legal name"),
        "fscApprovals": graphene.Field(graphene.NonNull(extra["FscApprovalCounts"]), resolver=resolve_fsc_approvals,
                                       **as_of, description="金管會事前核准 / arrangements needing the FSC's prior "
                                                            "approval and those without one (as `regtrace approvals`)"),
        "boardView": board_view_field(extra["Coverage"], tenant_argument),
        "viewer": graphene.Field(graphene.NonNull(extra["Viewer"]), resolver=resolve_viewer,
                                 description="目前權杖 / who is calling"),
    }
