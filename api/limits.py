"""What a document may ask for beyond the GraphQL spec: no introspection unless enabled, a depth limit, a cost
limit and at most a few distinct `asOf` dates per request.

Depth: the longest chain of fields with selections (introspection fields not counted), as graphene's
depth_limit_validator counts it.

Cost: every field costs 1; the fields below a list or connection field count once per item it may return,
that is its `first` or `limit` argument (a literal, a variable's value, or the variable's default when it is
not given), or DEFAULT_LIST_SIZE when it has none.

Dates: every field taking `asOf` asks for one trace date (today when the argument is left out); a request may
name at most `max_dates` distinct dates (each distinct date of a tenant is a trace to compute).

The document is walked once: each fragment's depth, cost and dates are computed the first time it is spread
and reused for every other spread of it, so `{ ...G0 } fragment G0 on Query { ...G1 ...G1 } …` costs time
linear in its length while its cost (2^n) is still counted in full. Costs saturate just above the limit, so
the numbers stay small however many times a fragment is multiplied.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValidationRule,
    ValueNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)

from .errors import BAD_USER_INPUT, FORBIDDEN, QUERY_TOO_COMPLEX

DEFAULT_LIST_SIZE = 10
SIZE_ARGUMENTS = ("first", "limit")
DATE_ARGUMENT = "asOf"
TODAY = "today"  # the date of a field whose asOf is left out
# Characters of a regulation text submitted to regulationDiff / regulationImpact (api/impact.py): the seed has
# about 6,000, so an amended text of several times its length fits; parsing and diffing grow with it.
MAX_REGULATION_TEXT_CHARS = 40_000


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


@dataclass(frozen=True)
class Demand:
    """What a selection set asks for: its depth, its (saturated) cost and the asOf dates it names."""

    depth: int = 0
    cost: int = 0
    dates: frozenset[str] = field(default_factory=frozenset)


class _Walk:
    """One walk over an operation, each fragment visited once (memoised by name)."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
                 variables: Mapping[str, Any], cap: int, max_dates: int, default_size: int) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.cap = cap
        self.max_dates = max_dates
        self.default_size = default_size
        self.memo: dict[str, Demand] = {}
        self.visiting: set[str] = set()

    def _value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            text = node.value.lstrip("-")
            return self.cap if len(text) > 18 else int(node.value)
        if isinstance(node, StringValueNode):
            return node.value
        return None

    def size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in SIZE_ARGUMENTS:
                value = self._value(argument.value)
                if isinstance(value, int) and not isinstance(value, bool):
                    return min(max(value, 1), self.cap)
        return self.default_size

    def date(self, node: FieldNode) -> str:
        for argument in node.arguments or ():
            if argument.name.value == DATE_ARGUMENT:
                value = self._value(argument.value)
                if value is None:
                    return TODAY
                try:
                    return dt.date.fromisoformat(str(value)).isoformat()
                except ValueError:
                    return str(value)
        return TODAY

    def combine(self, parts: list[Demand]) -> Demand:
        dates: set[str] = set()
        for part in parts:
            if len(dates) <= self.max_dates:
                dates |= part.dates
        return Demand(max((p.depth for p in parts), default=0), min(sum(p.cost for p in parts), self.cap),
                      frozenset(dates))

    def selections(self, parent: GraphQLObjectType | None, selection_set: SelectionSetNode | None) -> Demand:
        if selection_set is None:
            return Demand()
        parts: list[Demand] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                parts.append(self.field(parent, selection))
            elif isinstance(selection, InlineFragmentNode):
                cond = selection.type_condition
                inner = self.schema.get_type(cond.name.value) if cond else parent
                parts.append(self.selections(inner if isinstance(inner, GraphQLObjectType) else None,
                                             selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                parts.append(self.fragment(selection.name.value))
        return self.combine(parts)

    def fragment(self, name: str) -> Demand:
        known = self.memo.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self.visiting:  # unknown or cyclic: the spec rules report it
            return Demand()
        self.visiting.add(name)
        inner = self.schema.get_type(fragment.type_condition.name.value)
        demand = self.selections(inner if isinstance(inner, GraphQLObjectType) else None, fragment.selection_set)
        self.visiting.discard(name)
        self.memo[name] = demand
        return demand

    def field(self, parent: GraphQLObjectType | None, node: FieldNode) -> Demand:
        name = node.name.value
        definition = parent.fields.get(name) if parent is not None else None
        if definition is None:
            return Demand(cost=1)
        child = get_named_type(definition.type)
        below = self.selections(child if isinstance(child, GraphQLObjectType) else None, node.selection_set)
        inside_connection = parent is not None and parent.name.endswith("Connection")
        many = _is_list(definition.type) and not inside_connection  # edges/nodes: counted by the connection
        cost = min(1 + below.cost * (self.size(node) if many else 1), self.cap)
        depth = 0 if node.selection_set is None or name.startswith("__") else 1 + below.depth
        dates = below.dates | {self.date(node)} if DATE_ARGUMENT in definition.args else below.dates
        return Demand(depth, cost, dates)


def variable_values(operation: OperationDefinitionNode, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The variables as the operation will run with them: given values, else the definitions' defaults."""
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if given is not None and name in given:
            values[name] = given[name]
        elif definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


def check_demand(schema: GraphQLSchema, document: Any, operation: OperationDefinitionNode,
                 variables: Mapping[str, Any] | None, *, max_depth: int, max_cost: int, max_dates: int,
                 default_size: int = DEFAULT_LIST_SIZE) -> list[GraphQLError]:
    """The QUERY_TOO_COMPLEX errors of one operation (none when it may run)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walk = _Walk(schema, fragments, variable_values(operation, variables), max_cost + 1, max_dates, default_size)
    root = schema.get_root_type(operation.operation)
    demand = walk.selections(root, operation.selection_set)
    errors: list[GraphQLError] = []

    def refuse(message: str, **extra: Any) -> None:
        errors.append(GraphQLError(message, operation, extensions={"code": QUERY_TOO_COMPLEX, **extra}))

    if demand.depth > max_depth:
        refuse(f"the query is nested too deeply: depth {demand.depth} exceeds {max_depth}")
    if demand.cost > max_cost:
        refuse(f"the query is too complex: its estimated cost exceeds {max_cost}; ask for fewer items "
               "(first / limit) or fewer nested lists")
    if len(demand.dates) > max_dates:
        refuse(f"the query asks for more than {max_dates} distinct asOf dates; each date is a trace to compute: "
               f"send at most {max_dates} per request")
    return errors


MAX_FIELDS = 1000  # field selections written in one document
MAX_FRAGMENTS = 50  # fragment definitions in one document
MAX_SPREADS = 50  # fragment spreads in one selection set
MAX_SAME_NAME = 10  # selections of one response name (field or alias) in one selection set
MAX_NUMBER_CHARS = 40  # characters of one number literal (Python refuses ints above 4,300 digits)


def check_shape(document: DocumentNode) -> GraphQLError | None:
    """Bounds on the document's size that keep graphql-core's own validation fast (its rule for overlapping
    fields compares every pair of same-named fields and every pair of spread fragments): BAD_USER_INPUT for an
    over-long number, QUERY_TOO_COMPLEX for the rest. One pass, no recursion."""
    fragments = sum(isinstance(d, FragmentDefinitionNode) for d in document.definitions)
    if fragments > MAX_FRAGMENTS:
        return GraphQLError(f"the document defines {fragments} fragments; at most {MAX_FRAGMENTS} are allowed",
                            extensions={"code": QUERY_TOO_COMPLEX})
    fields = 0
    stack: list[Node] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, IntValueNode | FloatValueNode) and len(node.value) > MAX_NUMBER_CHARS:
            return GraphQLError(f"a number of {len(node.value)} characters is too long (at most {MAX_NUMBER_CHARS})",
                                node, extensions={"code": BAD_USER_INPUT})
        if isinstance(node, FieldNode):
            fields += 1
            if fields > MAX_FIELDS:
                return GraphQLError(f"the document selects more than {MAX_FIELDS} fields",
                                    extensions={"code": QUERY_TOO_COMPLEX})
        if isinstance(node, SelectionSetNode):
            problem = _crowded(node)
            if problem is not None:
                return problem
        for key in node.keys:
            child = getattr(node, key, None)
            if isinstance(child, Node):
                stack.append(child)
            elif isinstance(child, tuple | list):
                stack.extend(c for c in child if isinstance(c, Node))
    return None


def _crowded(selection_set: SelectionSetNode) -> GraphQLError | None:
    """A selection set (with its inline fragments) naming one response name or spreading too often."""
    names: Counter[str] = Counter()
    spreads = 0
    pending = [selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                names[name] += 1
                if names[name] > MAX_SAME_NAME:
                    return GraphQLError(f"'{name}' is selected more than {MAX_SAME_NAME} times in one selection set; "
                                        "use distinct aliases or select it once", selection,
                                        extensions={"code": QUERY_TOO_COMPLEX})
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                spreads += 1
                if spreads > MAX_SPREADS:
                    return GraphQLError(f"more than {MAX_SPREADS} fragment spreads in one selection set", selection,
                                        extensions={"code": QUERY_TOO_COMPLEX})
    return None
