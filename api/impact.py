"""GraphQL: the diff between the stored regulation text and a submitted one, and its impact on a member company
before adoption (`regtrace diff` and `regtrace impact`; same changes, same fields as their --json).

    regulationDiff(text)                       the changes from the stored text (the bundled seed) to `text`
    regulationImpact(text, asOf, tenant)       those changes with what of the tenant's each touches

Officer and admin tokens only (an amendment's impact shows the tenant's mappings; the board and auditors read
the adopted trace). `text` is at most MAX_REGULATION_TEXT_CHARS characters (api/limits.py). Nothing is written.
Parsing and the trace rules run off the store's queue; the store reads are one job.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import graphene

from regtrace.amendment import Amendment, amend
from regtrace.errors import InputError
from regtrace.impact import finish_impact, read_impact

from .dates import Date
from .errors import ForbiddenError
from .limits import MAX_REGULATION_TEXT_CHARS
from .queries import tenant_argument
from .types import context

ROLES = ("officer", "admin")
TEXT = "修正後之法規文本（全文或修正條文）/ the amended regulation text, whole or an excerpt of the changed articles"

_Strings = graphene.List(graphene.NonNull(graphene.String), required=True)
_CHANGE_FIELDS: dict[str, Any] = {
    "kind": graphene.List(graphene.NonNull(graphene.String), required=True,
                          description="added, deleted, removed, renumbered, reworded, modality_changed, "
                                      "conditions_changed, frequency_changed, references_changed"),
    "old_id": graphene.String(), "new_id": graphene.String(), "level": graphene.String(),
    "old_label": graphene.String(), "new_label": graphene.String(),
    "old_text": graphene.String(), "new_text": graphene.String(),
    "similarity": graphene.Float(), "text_diff": graphene.String(description="[-舊-]{+新+}"),
    "deleted_with": graphene.String(),
    "modality": graphene.JSONString(description="{old, new} when modality_changed"),
    "conditions": graphene.JSONString(description="{old, new} when conditions_changed"),
    "frequency_months": graphene.JSONString(description="{old, new} when frequency_changed"),
    "references": graphene.JSONString(description="{old, new} when references_changed"),
}
RegulationChange = type("RegulationChange", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "法規變更 / one change between two texts"}), **_CHANGE_FIELDS})
StatusChange = type("ImpactStatusChange", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "狀態將變動之追溯列 / a trace row whose status would change "
                                             "(null: no row)"}),
    "provision": graphene.String(required=True), "old_provision": graphene.String(),
    "subject": graphene.String(required=True), "old": graphene.String(), "new": graphene.String()})
ChangeImpact = type("ChangeImpact", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "一項變更及其影響 / a change and what of the tenant's it touches"}),
    **_CHANGE_FIELDS, "controls": _Strings, "contracts": _Strings, "evidence": _Strings, "arrangements": _Strings,
    "status_changes": graphene.List(graphene.NonNull(StatusChange), required=True)})
RegulationImpact = type("RegulationImpact", (graphene.ObjectType,), {
    "Meta": type("Meta", (), {"description": "修正之影響（未寫入）/ an amendment's impact, nothing written"}),
    "tenant": graphene.String(required=True), "asOf": Date(required=True), "warnings": _Strings,
    "changes": graphene.List(graphene.NonNull(ChangeImpact), required=True),
    "other_status_changes": graphene.List(graphene.NonNull(StatusChange), required=True,
                                          description="彙總列等 / rows whose provision is not itself changed")})


def _checked(info: Any, text: str) -> None:
    principal = context(info).principal
    if principal.role not in ROLES:
        raise ForbiddenError(f"the {principal.role} role may not do this (officer and admin only)")
    if len(text) > MAX_REGULATION_TEXT_CHARS:
        raise InputError(f"text: {len(text):,} characters; at most {MAX_REGULATION_TEXT_CHARS:,}")


async def _amendment(info: Any, text: str) -> Amendment:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(context(info).runner.rules, amend, text)


async def resolve_diff(root: Any, info: Any, text: str) -> list[dict[str, Any]]:
    _checked(info, text)
    return (await _amendment(info, text)).diff.to_json()


async def resolve_impact(root: Any, info: Any, text: str, asOf: dt.date | None = None,
                         tenant: str | None = None) -> dict[str, Any]:
    _checked(info, text)
    ctx = context(info)
    t = ctx.principal.tenant_for(tenant)
    amendment = await _amendment(info, text)
    day = asOf or dt.date.today()
    reads = await ctx.call(read_impact, ctx.store, t, amendment, day)
    result = await asyncio.get_running_loop().run_in_executor(ctx.runner.rules, finish_impact, reads, amendment)
    return {"tenant": result.tenant, "asOf": result.as_of, "warnings": result.warnings,
            "changes": result.to_json(), "other_status_changes": [s.to_json() for s in result.other_status_changes]}


def impact_fields() -> dict[str, Any]:
    """The Query fields of this module (hooked into api/schema.py)."""
    return {
        "regulationDiff": graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(RegulationChange))), resolver=resolve_diff,
            text=graphene.String(required=True, description=TEXT),
            description="現行法規與提交文本之比對 / the stored text against a submitted one (officer, admin)"),
        "regulationImpact": graphene.Field(
            graphene.NonNull(RegulationImpact), resolver=resolve_impact,
            text=graphene.String(required=True, description=TEXT), asOf=Date(description="基準日（預設今天）/ as of"),
            tenant=tenant_argument(),
            description="修正對本公司之影響，採用前 / an amendment's impact on the tenant before adoption "
                        "(officer, admin; nothing written)"),
    }
