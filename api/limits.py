"""Validation rules beyond the GraphQL spec: no introspection unless enabled, a depth limit (graphene's
depth_limit_validator) and a cost limit.

Cost: every field costs 1; the fields below a list or connection field count once per item it may return,
that is its `first` or `limit` argument, or DEFAULT_LIST_SIZE when it has neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
)

from .errors import FORBIDDEN, QUERY_TOO_COMPLEX

DEFAULT_LIST_SIZE = 10
SIZE_ARGUMENTS = ("first", "limit")


class NoIntrospection(ValidationRule):
    """__schema and __type are FORBIDDEN (serve with --introspection for GraphiQL in development)."""

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.name.value in ("__schema", "__type"):
            self.report_error(GraphQLError("introspection is disabled on this server", node,
                                           extensions={"code": FORBIDDEN}))


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList) or get_named_type(type_).name.endswith("Connection")


class _Cost:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
                 variables: Mapping[str, Any], default_size: int) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_size = default_size

    def size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value not in SIZE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(int(value.value), 1)
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, int) and not isinstance(given, bool):
                    return max(given, 1)
        return self.default_size

    def selections(self, parent: GraphQLObjectType | None, selection_set: SelectionSetNode | None,
                   seen: frozenset[str]) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, seen)
            elif isinstance(selection, InlineFragmentNode):
                cond = selection.type_condition
                inner = self.schema.get_type(cond.name.value) if cond else parent
                total += self.selections(inner if isinstance(inner, GraphQLObjectType) else None,
                                         selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    inner = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selections(inner if isinstance(inner, GraphQLObjectType) else None,
                                             fragment.selection_set, seen | {name})
        return total

    def field(self, parent: GraphQLObjectType | None, node: FieldNode, seen: frozenset[str]) -> int:
        definition = parent.fields.get(node.name.value) if parent is not None else None
        if definition is None:
            return 1
        child = get_named_type(definition.type)
        below = self.selections(child if isinstance(child, GraphQLObjectType) else None, node.selection_set, seen)
        inside_connection = parent is not None and parent.name.endswith("Connection")
        many = _is_list(definition.type) and not inside_connection  # edges/nodes: counted by the connection
        return 1 + below * (self.size(node) if many else 1)


def cost_limit_rule(max_cost: int, variables: Mapping[str, Any] | None,
                    default_size: int = DEFAULT_LIST_SIZE) -> type[ValidationRule]:
    """A rule rejecting operations whose estimated cost exceeds `max_cost` (QUERY_TOO_COMPLEX)."""

    class CostLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            self.cost = _Cost(context.schema, fragments, variables or {}, default_size)

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            root = self.context.schema.get_root_type(node.operation)
            cost = self.cost.selections(root, node.selection_set, frozenset())
            if cost > max_cost:
                self.report_error(GraphQLError(
                    f"the query is too complex: estimated cost {cost} exceeds {max_cost}; ask for fewer items "
                    "(first / limit) or fewer nested lists", node, extensions={"code": QUERY_TOO_COMPLEX}))

    return CostLimit
