"""Mutations: each input is validated like a register row (the register loader's own validation and row
building: regtrace.loaders.register_validation / register_graph), then written in ONE store transaction
together with an append-only ChangeLogEntry (who, when, tenant, what, before and after as JSON).

    linkControlToProvision(controlId, provisionId)   a control satisfies every obligation at or below a provision
    attachEvidence(input: EvidenceInput)             a new evidence row
    recordAudit(input: AuditInput)                   a new audit row
    closeFinding(findingId, closedOn)                an open finding closed on a date
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import graphene
from regtrace.graph.filters import Hop, RelatedQuery
from regtrace.graph.port import Link, Row, Store, Writer
from regtrace.graph.schema import node_uid
from regtrace.loaders.register_graph import link_rows, node_rows
from regtrace.loaders.register_reader import Table
from regtrace.loaders.register_validation import OBLIGATION_CLASS, _Validator
from regtrace.loaders.register_values import cell_text
from regtrace.ontology.model import ClassModel, Field, load_ontology
from regtrace.trace import evidence_groups

from regtrace.errors import InputError, RegisterError
from regtrace.regulation_graph import obligations_under

from .auth import Principal
from .context import with_tenant
from .dates import Date
from .errors import not_found
from .precompute import Touch
from .queries import tenant_argument
from .types import SCALARS, Types, context, describe

INPUT_CLASSES = ("Evidence", "Audit")
_HIDDEN = ("uid", "tenant", "_tenant", "_edge")


def _input_type(cls: ClassModel) -> Any:
    """`<Class>Input`: the register's columns (references by their column name, e.g. control_id)."""
    attrs: dict[str, Any] = {"Meta": type("Meta", (), {"description": f"{cls.label_zh} / {cls.label_en}: "
                                                       f"one row of the {cls.register} register"})}
    for f in cls.columns:
        base = graphene.ID if f.is_reference else SCALARS[f.datatype or "string"]
        gql = graphene.List(graphene.NonNull(base)) if f.many else base
        attrs[f.column] = graphene.InputField(graphene.NonNull(gql) if f.required else gql, description=describe(f))
    return type(f"{cls.name}Input", (graphene.InputObjectType,), attrs)


def _text(f: Field, value: Any) -> str:
    if value is None:
        return ""
    if f.many:
        return ";".join(cell_text(v) for v in value)
    return cell_text(value)


def _public(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else {k: v for k, v in row.items() if k not in _HIDDEN}


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def change_entry(who: Principal, tenant: str, mutation: str, target: str, before: Any, after: Any) -> Row:
    change_id = uuid.uuid4().hex
    return {"uid": change_id, "change_id": change_id, "tenant": tenant,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"), "actor_token": who.token_id,
            "actor_name": who.name, "actor_role": who.role, "mutation": mutation, "target_id": target,
            "before": _json(before), "after": _json(after)}


def validated_row(store: Store, cls: ClassModel, values: Mapping[str, Any], tenant: str
                  ) -> tuple[Row, dict[tuple[str, str, str], list[Link]]]:
    """One register row checked by the register loader's validator against the tenant's existing ids, and
    the node row and links the loader would write for it. BAD_USER_INPUT lists every problem."""
    onto = load_ontology()
    texts = [_text(f, values.get(f.column)) for f in cls.columns]
    known: dict[str, set[str]] = {}
    for f, text in zip(cls.columns, texts, strict=True):
        if f.is_reference and f.target and f.target != OBLIGATION_CLASS:
            target = onto.classes[f.target]
            ids = [t.strip() for t in text.split(";") if t.strip()] if text else []
            found = store.nodes_by_uid(target.name, [node_uid(tenant, i) for i in ids], tenant)
            known.setdefault(target.name, set()).update(r[target.key] for r in found)
    table = Table(cls.register or cls.name, "input", [f.column for f in cls.columns], 2, iter([texts]))
    problems: list[Any] = []
    under = obligations_under(store) if any(f.target == OBLIGATION_CLASS for f in cls.references) else None
    register = _Validator(cls, table, known, under, problems).validate()
    key = register.rows[0][0] if register.rows else None
    if key is None or problems:
        raise InputError("; ".join(f"{p.column or 'row'}: {p.message}" for p in problems)) from RegisterError(problems)
    if "/" in key:
        raise InputError(f"{cls.key}: {key!r} may not contain '/'")
    if store.nodes_by_uid(cls.name, [node_uid(tenant, key)], tenant):
        raise InputError(f"{cls.key} {key!r} already exists")
    return node_rows(register, tenant)[0], link_rows(register, tenant, under)


def _create(store: Store, who: Principal, tenant: str, cls_name: str, mutation: str, values: Mapping[str, Any]
            ) -> Row:
    cls = load_ontology().classes[cls_name]
    row, links = validated_row(store, cls, values, tenant)
    entry = change_entry(who, tenant, mutation, row[cls.key], None, {**(_public(row) or {}), **{
        f.column: values.get(f.column) for f in cls.references}})
    group = evidence_groups.attached(store, tenant, row, links) if cls.name == "Evidence" else None

    def unit(w: Writer) -> None:
        w.create_nodes(cls.name, [row])
        if group is not None:  # the evidence summary the trace reads (trace/evidence_groups.py)
            w.upsert_nodes(evidence_groups.LABEL, [group])
        for (rel_type, _source, _target), found in links.items():
            if found:
                w.link(rel_type, found)
        w.create_nodes("ChangeLogEntry", [entry])

    store.write(unit)
    return row


def _satisfied(store: Store, tenant: str, control_uid: str) -> list[str]:
    query = RelatedQuery("Control", (control_uid,), (Hop("SATISFIES", "out", "Obligation"),), tenant)
    return sorted(r["obligation_id"] for r in store.related(query))


def link_control(store: Store, who: Principal, tenant: str, control_id: str, provision_id: str) -> Row:
    control_uid = node_uid(tenant, control_id)
    found = store.nodes_by_uid("Control", [control_uid], tenant)
    if not found:
        raise not_found("control", control_id)
    under = obligations_under(store)
    if provision_id not in under:
        raise not_found("provision", provision_id)
    if not under[provision_id]:
        raise InputError(f"provision {provision_id!r} names no obligation (it permits or defines; "
                         "name a provision that obliges)")
    before = _satisfied(store, tenant, control_uid)
    after = sorted(set(before) | set(under[provision_id]))
    entry = change_entry(who, tenant, "linkControlToProvision", control_id, {"satisfies": before},
                         {"satisfies": after, "provision": provision_id})

    def unit(w: Writer) -> None:
        w.link("SATISFIES", [Link(control_uid, oid) for oid in under[provision_id]])
        w.create_nodes("ChangeLogEntry", [entry])

    store.write(unit)
    return found[0]


def close_finding(store: Store, who: Principal, tenant: str, finding_id: str, closed_on: dt.date) -> Row:
    found = store.nodes_by_uid("Finding", [node_uid(tenant, finding_id)], tenant)
    if not found:
        raise not_found("finding", finding_id)
    row = found[0]
    if row["status"] == "closed":
        raise InputError(f"finding {finding_id!r} is already closed (on {row['closed_on']})")
    audits = store.related(RelatedQuery("Finding", (row["uid"],), (Hop("RAISED_IN", "out", "Audit"),), tenant))
    if audits and audits[0]["performed_on"] and closed_on < audits[0]["performed_on"]:
        raise InputError(f"closedOn {closed_on} is before the audit {audits[0]['audit_id']!r} that raised it "
                         f"({audits[0]['performed_on']})")
    updated = {**row, "status": "closed", "closed_on": closed_on}
    entry = change_entry(who, tenant, "closeFinding", finding_id, {"status": row["status"], "closed_on": None},
                         {"status": "closed", "closed_on": closed_on})

    def unit(w: Writer) -> None:
        w.upsert_nodes("Finding", [updated])
        w.create_nodes("ChangeLogEntry", [entry])

    store.write(unit)
    return updated


async def _write(info: Any, tenant: str | None, touch: Touch, fn: Callable[..., Row], *args: Any) -> Row:
    """One mutation: today's trace of the tenant is out of date before the write is queued (later traces see
    it; api/trace_cache.py), and updated after it for the subjects it touches (api/precompute.py)."""
    ctx = context(info)
    ctx.principal.require("write")
    chosen = ctx.principal.tenant_for(tenant)
    precompute = ctx.runner.precompute
    finish = precompute.begin_change(chosen) if precompute is not None else None
    if finish is None:
        ctx.runner.traces.invalidate(chosen, forget_previous=True)
    done: Touch | None = None
    try:
        if precompute is not None:
            row = await ctx.call(precompute.own_write, fn, ctx.store, ctx.principal, chosen, *args)
        else:
            row = await ctx.call(fn, ctx.store, ctx.principal, chosen, *args)
        done = touch
    finally:
        if finish is not None:
            finish(done)
    return with_tenant([row], chosen)[0]


async def resolve_link(root: Any, info: Any, controlId: str, provisionId: str,
                       tenant: str | None = None) -> Row:
    control = controlId.strip()
    return await _write(info, tenant, Touch("control", key=control), link_control, control,
                        provisionId.strip().upper())


async def resolve_attach_evidence(root: Any, info: Any, input: Mapping[str, Any],
                                  tenant: str | None = None) -> Row:
    return await _write(info, tenant, Touch("evidence", _arrangement(input)), _create, "Evidence", "attachEvidence",
                        dict(input))


async def resolve_record_audit(root: Any, info: Any, input: Mapping[str, Any],
                               tenant: str | None = None) -> Row:
    return await _write(info, tenant, Touch("audit", _arrangement(input)), _create, "Audit", "recordAudit",
                        dict(input))


async def resolve_close_finding(root: Any, info: Any, findingId: str, closedOn: dt.date,
                                tenant: str | None = None) -> Row:
    finding = findingId.strip()
    return await _write(info, tenant, Touch("finding", key=finding), close_finding, finding, closedOn)


def _arrangement(values: Mapping[str, Any]) -> str | None:
    """The arrangement a new row names (blank: none)."""
    value = values.get("arrangement_id")
    return value.strip() or None if isinstance(value, str) else None


def mutation_fields(types: Types) -> dict[str, Any]:
    """The Mutation fields (officer and admin tokens)."""
    classes = load_ontology().classes
    inputs = {name: _input_type(classes[name]) for name in INPUT_CLASSES}
    objects = types.objects
    return {
        "linkControlToProvision": graphene.Field(
            graphene.NonNull(objects["Control"]), resolver=resolve_link, controlId=graphene.ID(required=True),
            provisionId=graphene.ID(required=True), tenant=tenant_argument(),
            description="控制措施對應條文 / the control satisfies every obligation at or below the provision"),
        "attachEvidence": graphene.Field(
            graphene.NonNull(objects["Evidence"]), resolver=resolve_attach_evidence,
            input=graphene.Argument(graphene.NonNull(inputs["Evidence"])), tenant=tenant_argument(),
            description="新增佐證資料 / add an evidence row"),
        "recordAudit": graphene.Field(
            graphene.NonNull(objects["Audit"]), resolver=resolve_record_audit,
            input=graphene.Argument(graphene.NonNull(inputs["Audit"])), tenant=tenant_argument(),
            description="新增查核紀錄 / add an audit row"),
        "closeFinding": graphene.Field(
            graphene.NonNull(objects["Finding"]), resolver=resolve_close_finding,
            findingId=graphene.ID(required=True), closedOn=Date(required=True), tenant=tenant_argument(),
            description="缺失結案 / close an open finding on a date"),
    }
