"""Top-level queries of every served class, generated: a list, a Relay connection and a lookup by id.

    outsourcingArrangements(where, sort, limit, offset, tenant): [OutsourcingArrangement!]!
    outsourcingArrangementsConnection(where, sort, first, after, tenant): OutsourcingArrangementConnection!
    outsourcingArrangement(id, tenant): OutsourcingArrangement   (NOT_FOUND when not the caller's)
"""

from __future__ import annotations

from typing import Any

import graphene
from regtrace.graph.filters import NodeQuery
from regtrace.graph.port import Row
from regtrace.graph.schema import node_uid
from regtrace.ontology.model import ClassModel

from .context import RequestContext, with_tenant
from .errors import not_found
from .filters import to_filter, to_sort
from .navigation import lower_camel, plural
from .pagination import Page, check_limit, window
from .types import Types, class_description, connection_arguments, context, list_arguments

TENANT_ARGUMENT = "會員公司（僅 admin 可指定）/ member company (admin tokens only)"


def tenant_argument() -> Any:
    return graphene.String(description=TENANT_ARGUMENT)


def read_tenant(ctx: RequestContext, tenant: str | None) -> str:
    ctx.principal.require("read")
    return ctx.principal.tenant_for(tenant)


async def known_tenant(ctx: RequestContext, tenant: str | None) -> str:
    """The tenant a list or lookup reads: the caller's (or an admin's choice), NOT_FOUND when it has no registers."""
    return await ctx.known_tenant(read_tenant(ctx, tenant))


def _list(cls: ClassModel) -> Any:
    async def resolve(root: Any, info: Any, where: Any = None, sort: Any = None, limit: int | None = None,
                      offset: int | None = None, tenant: str | None = None) -> list[Row]:
        ctx = context(info)
        t = await known_tenant(ctx, tenant)
        skip, size = check_limit(limit, offset)
        query = NodeQuery(cls.name, t, to_filter(cls.name, where), to_sort(sort), skip, size)
        return with_tenant(await ctx.call(ctx.store.find, query), t)

    return resolve


def _connection(cls: ClassModel, scope: str) -> Any:
    async def resolve(root: Any, info: Any, where: Any = None, sort: Any = None, first: int | None = None,
                      after: str | None = None, tenant: str | None = None) -> Page:
        ctx = context(info)
        t = await known_tenant(ctx, tenant)
        offset, size = window(first, after, ctx.codec, t, scope)
        condition = to_filter(cls.name, where)
        rows = await ctx.call(ctx.store.find, NodeQuery(cls.name, t, condition, to_sort(sort), offset, size + 1))

        async def count() -> int:
            return await ctx.call(ctx.store.count_matching, cls.name, t, condition)

        return Page(with_tenant(rows[:size], t), offset, len(rows) > size, t, scope, ctx.codec, counter=count)

    return resolve


def _single(cls: ClassModel) -> Any:
    async def resolve(root: Any, info: Any, id: str, tenant: str | None = None) -> Row:
        ctx = context(info)
        t = await known_tenant(ctx, tenant)
        row = await ctx.node_loader(cls.name, t).load(node_uid(t if cls.tenant_scoped else None, id))
        if row is None:
            raise not_found(cls.label_en.lower(), id)
        return dict(row)

    return resolve


def _constant(value: Any) -> Any:
    return lambda: value


def entity_fields(types: Types, classes: tuple[ClassModel, ...]) -> dict[str, Any]:
    """The Query fields of every class."""
    fields: dict[str, Any] = {}
    for cls in classes:
        node = types.objects[cls.name]
        many = plural(cls.name)
        fields[many] = graphene.Field(graphene.NonNull(graphene.List(graphene.NonNull(node))),
                                      description=class_description(cls), resolver=_list(cls),
                                      tenant=tenant_argument(), **list_arguments(types, cls.name))
        conn = types.connection(cls.name, _constant(node), class_description(cls))
        fields[f"{many}Connection"] = graphene.Field(graphene.NonNull(conn), description=class_description(cls),
                                                     resolver=_connection(cls, many), tenant=tenant_argument(),
                                                     **connection_arguments(types, cls.name))
        fields[lower_camel(cls.name)] = graphene.Field(node, description=f"{class_description(cls)} by id",
                                                       resolver=_single(cls), id=graphene.ID(required=True),
                                                       tenant=tenant_argument())
    return fields
