"""GraphQL types generated from the ontology (load_ontology()): one object type per class with its fields
(labels as zh-TW / en descriptions) and navigation both ways, a `<Class>Where` filter input, a `<Class>Sort`
input and a `<Class>Connection`. Nothing here is written by hand per class, so the API cannot drift from
the ontology.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import graphene
from regtrace.ontology.model import ClassModel, Field, load_ontology

from .auth import Permission
from .context import RequestContext
from .dates import Date
from .filters import LIST_OPERATORS, QUANTIFIERS, SCALAR_OPERATORS, to_filter, to_sort
from .navigation import INTERNAL, Navigation, navigations
from .pagination import Page, check_limit, window

SCALARS: dict[str, Any] = {"string": graphene.String, "date": Date, "boolean": graphene.Boolean,
                           "integer": graphene.Int}
SortDirection = graphene.Enum("SortDirection", [("ASC", "ASC"), ("DESC", "DESC")],
                              description="排序方向 / sort direction")
T = TypeVar("T")
U = TypeVar("U")


class PageInfo(graphene.ObjectType):  # type: ignore[misc]
    """分頁資訊 / Relay page information."""

    hasNextPage = graphene.Boolean(required=True)
    hasPreviousPage = graphene.Boolean(required=True)
    startCursor = graphene.String()
    endCursor = graphene.String()


def _edge(row: Any) -> dict[str, Any]:
    return dict(row.get("_edge") or {}) if isinstance(row, dict) else {}


async def then(awaitable: Awaitable[T], fn: Callable[[T], U]) -> U:
    return fn(await awaitable)


def context(info: Any) -> RequestContext:
    ctx = info.context
    assert isinstance(ctx, RequestContext)
    return ctx


def describe(f: Field) -> str:
    text = f"{f.label_zh} / {f.label_en}"
    if f.allowed:
        text += f" — one of: {', '.join(f.allowed)}"
    return text


def class_description(cls: ClassModel) -> str:
    return f"{cls.label_zh} / {cls.label_en}" + (f" (register: {cls.register})" if cls.register else "")


def scalar_type(f: Field, *, required: bool) -> Any:
    base = SCALARS[f.datatype or "string"]
    if f.many:
        return graphene.List(graphene.NonNull(base), required=required, description=describe(f))
    return base(required=required, description=describe(f))


@dataclass
class Types:
    """Every generated type, by class name."""

    objects: dict[str, Any] = field(default_factory=dict)
    wheres: dict[str, Any] = field(default_factory=dict)
    sorts: dict[str, Any] = field(default_factory=dict)
    connections: dict[str, Any] = field(default_factory=dict)

    def connection(self, name: str, node: Callable[[], Any], description: str,
                   edge_fields: tuple[Field, ...] = (), guard: Permission | None = None) -> Any:
        """`<name>Connection` with edges (cursor, node and the relationship's properties), nodes, pageInfo and
        totalCount; `guard` is the permission that edges and nodes need (totalCount needs none more)."""
        if name in self.connections:
            return self.connections[name]
        edge_attrs: dict[str, Any] = {
            "Meta": type("Meta", (), {"description": f"{description} (edge)"}),
            "cursor": graphene.String(required=True, description="不透明游標 / opaque cursor"),
            "node": graphene.Field(graphene.NonNull(node)),
        }
        for f in edge_fields:
            edge_attrs[f.name] = scalar_type(f, required=False)
        edge = type(f"{name}Edge", (graphene.ObjectType,), edge_attrs)

        def allowed(info: Any) -> None:
            if guard is not None:
                context(info).principal.require(guard)

        def resolve_edges(page: Page, info: Any) -> list[dict[str, Any]]:
            allowed(info)
            return [{"cursor": page.cursor(i), "node": row, **_edge(row)} for i, row in enumerate(page.rows)]

        def resolve_nodes(page: Page, info: Any) -> list[Any]:
            allowed(info)
            return list(page.rows)

        def resolve_page_info(page: Page, info: Any) -> dict[str, Any]:
            return page.page_info()

        async def resolve_total(page: Page, info: Any) -> int:
            return await page.total_count()

        attrs: dict[str, Any] = {
            "Meta": type("Meta", (), {"description": f"{description} (Relay connection)"}),
            "edges": graphene.List(graphene.NonNull(edge), required=True, resolver=resolve_edges),
            "nodes": graphene.List(graphene.NonNull(node), required=True, resolver=resolve_nodes),
            "pageInfo": graphene.Field(graphene.NonNull(PageInfo), resolver=resolve_page_info),
            "totalCount": graphene.Int(required=True, resolver=resolve_total, description="總數 / total count"),
        }
        self.connections[name] = type(f"{name}Connection", (graphene.ObjectType,), attrs)
        return self.connections[name]


def list_arguments(types: Types, cls: str) -> dict[str, Any]:
    return {"where": types.wheres[cls](), "sort": graphene.List(graphene.NonNull(types.sorts[cls])),
            "limit": graphene.Int(description="最多筆數 / at most this many"),
            "offset": graphene.Int(description="略過筆數 / skip this many")}


def connection_arguments(types: Types, cls: str) -> dict[str, Any]:
    return {"where": types.wheres[cls](), "sort": graphene.List(graphene.NonNull(types.sorts[cls])),
            "first": graphene.Int(description="每頁筆數 / page size (default 100, at most 1000)"),
            "after": graphene.String(description="自此游標之後 / start after this cursor")}


def _single(nav: Navigation) -> Callable[..., Any]:
    def resolve(root: dict[str, Any], info: Any) -> Any:
        ctx = context(info)
        load = ctx.related_loader(nav.source, nav.path, root["_tenant"], None, ()).load(root["uid"])
        return then(load, lambda rows: rows[0] if rows else None)

    return resolve


def _list(nav: Navigation) -> Callable[..., Any]:
    def resolve(root: dict[str, Any], info: Any, where: Any = None, sort: Any = None, limit: int | None = None,
                offset: int | None = None) -> Any:
        skip, size = check_limit(limit, offset)
        loader = context(info).related_loader(nav.source, nav.path, root["_tenant"], to_filter(nav.target, where),
                                              to_sort(sort))
        return then(loader.load(root["uid"]), lambda rows: rows[skip:None if size is None else skip + size])

    return resolve


def _connection(nav: Navigation) -> Callable[..., Any]:
    scope = f"{nav.source}.{nav.name}"

    def resolve(root: dict[str, Any], info: Any, where: Any = None, sort: Any = None, first: int | None = None,
                after: str | None = None) -> Any:
        ctx = context(info)
        tenant = root["_tenant"]
        offset, size = window(first, after, ctx.codec, tenant, scope)
        loader = ctx.related_loader(nav.source, nav.path, tenant, to_filter(nav.target, where), to_sort(sort))
        return then(loader.load(root["uid"]), lambda rows: Page.of(rows, offset, size, tenant, scope, ctx.codec))

    return resolve


def _object_type(types: Types, cls: ClassModel) -> Any:
    attrs: dict[str, Any] = {"Meta": type("Meta", (), {"description": class_description(cls)})}
    for f in cls.attributes:
        if not f.secret:
            attrs[f.name] = scalar_type(f, required=f.required or f.name == cls.key)
    for nav in navigations()[cls.name]:
        if nav.target in INTERNAL:
            continue
        target = nav.target

        def node(target: str = target) -> Any:
            return types.objects[target]

        if not nav.many:
            attrs[nav.name] = graphene.Field(node, description=nav.description, resolver=_single(nav))
            continue
        attrs[nav.name] = graphene.Field(graphene.NonNull(graphene.List(graphene.NonNull(node))),
                                         description=nav.description, resolver=_list(nav),
                                         **list_arguments(types, target))
        conn_name = f"{cls.name}{nav.name[0].upper()}{nav.name[1:]}" if nav.edge_fields else target
        conn = types.connection(conn_name, node, class_description(load_ontology().classes[target]), nav.edge_fields)
        attrs[f"{nav.name}Connection"] = graphene.Field(
            graphene.NonNull(conn), description=nav.description, resolver=_connection(nav),
            **connection_arguments(types, target))
    return type(cls.name, (graphene.ObjectType,), attrs)


def _where_type(types: Types, cls: ClassModel) -> Any:
    name = cls.name

    def self_type() -> Any:
        return types.wheres[name]

    attrs: dict[str, Any] = {
        "Meta": type("Meta", (), {"description": f"篩選條件 / filter for {cls.label_en}"}),
        "AND": graphene.List(graphene.NonNull(self_type), description="皆符合 / all of"),
        "OR": graphene.List(graphene.NonNull(self_type), description="任一符合 / any of"),
        "NOT": graphene.InputField(self_type, description="不符合 / not"),
    }
    for f in cls.attributes:
        if f.secret:
            continue
        base = SCALARS[f.datatype or "string"]
        label = f"{f.label_zh} / {f.label_en}"
        if f.many:
            ops = {"includes": graphene.InputField(base, description=f"{label} includes"),
                   "isNull": graphene.InputField(graphene.Boolean, description=f"{label} is null (true) or not")}
            for op in LIST_OPERATORS:
                attrs[f"{f.name}_{op}"] = ops[op]
            continue
        attrs[f.name] = graphene.InputField(base, description=f"{label} equals")
        for op in SCALAR_OPERATORS[f.datatype or "string"]:
            if op == "in":
                attrs[f"{f.name}_in"] = graphene.InputField(graphene.List(graphene.NonNull(base)),
                                                            description=f"{label} is one of")
            elif op == "isNull":
                attrs[f"{f.name}_isNull"] = graphene.InputField(graphene.Boolean,
                                                                description=f"{label} is null (true) or not")
            else:
                attrs[f"{f.name}_{op}"] = graphene.InputField(base, description=f"{label} {op}")
    for nav in navigations()[name]:
        if nav.target in INTERNAL:
            continue

        def target_where(target: str = nav.target) -> Any:
            return types.wheres[target]

        for suffix in QUANTIFIERS:
            attrs[f"{nav.name}_{suffix}"] = graphene.InputField(
                target_where, description=f"{suffix.lower()} of {nav.name} match ({nav.description})")
    return type(f"{name}Where", (graphene.InputObjectType,), attrs)


def _sort_type(cls: ClassModel) -> Any:
    fields = [(f.name, f.name) for f in cls.attributes if not f.many and not f.secret]
    sort_field = graphene.Enum(f"{cls.name}SortField", fields, description=f"排序欄位 / sort field of {cls.label_en}")
    attrs = {
        "Meta": type("Meta", (), {"description": f"排序 / sort key of {cls.label_en}"}),
        "field": graphene.InputField(graphene.NonNull(sort_field)),
        "direction": graphene.InputField(SortDirection, description="ASC (default) or DESC"),
    }
    return type(f"{cls.name}Sort", (graphene.InputObjectType,), attrs)


def build_types(classes: tuple[ClassModel, ...]) -> Types:
    """Object, filter, sort and connection types of the given classes."""
    types = Types()
    for cls in classes:
        types.wheres[cls.name] = _where_type(types, cls)
        types.sorts[cls.name] = _sort_type(cls)
    for cls in classes:
        types.objects[cls.name] = _object_type(types, cls)
    return types
