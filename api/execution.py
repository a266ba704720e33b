"""One GraphQL request from text to JSON: parse, validate (spec rules, introspection, depth, cost), coerce
variables, execute with a time limit. Request errors come back as (HTTP status, GraphQL error body); no
exception escapes with a stack trace.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.pyutils import is_awaitable

from .context import RequestContext
from .dates import DateBounds
from .errors import (
    BAD_USER_INPUT,
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    QUERY_TOO_COMPLEX,
    TIMEOUT,
    error_body,
    format_error,
)
from .limits import NoIntrospection, check_demand, check_shape


@dataclass(frozen=True)
class Limits:
    """What one request may ask for and how long it may take."""

    introspection: bool = False
    max_depth: int = 15
    max_cost: int = 50_000
    max_dates: int = 4  # distinct asOf dates per request (each is a trace to compute)
    max_tokens: int = 20_000
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]


def _failed(status: int, errors: list[GraphQLError], code: str) -> Outcome:
    return Outcome(status, {"errors": [format_error(e, code) for e in errors]})


_VALID: OrderedDict[tuple[GraphQLSchema, str, int, bool], DocumentNode] = OrderedDict()
_VALID_LOCK = threading.Lock()  # prepare runs on worker threads (api/execution.py run)
VALID_DOCUMENTS = 256  # documents kept parsed and checked against the spec rules (clients send the same few)


def _spec_checked(schema: GraphQLSchema, request: GraphQLRequest, limits: Limits) -> tuple[Any, Outcome | None]:
    """The parsed document if it passes the spec rules (kept for the next request with the same text)."""
    key = (schema, request.query, limits.max_tokens, limits.introspection)
    with _VALID_LOCK:
        document = _VALID.get(key)
    if document is None:
        try:
            document = parse(request.query, max_tokens=limits.max_tokens)
        except GraphQLError as exc:
            return None, _failed(400, [exc], GRAPHQL_PARSE_FAILED)
        shape = check_shape(document)
        if shape is not None:
            return None, _failed(400, [shape], QUERY_TOO_COMPLEX)
        rules = [*specified_rules, DateBounds, *([] if limits.introspection else [NoIntrospection])]
        errors = validate(schema, document, rules, max_errors=20, hide_suggestions=not limits.introspection)
        if any(e.message == "Validation aborted." for e in errors):  # graphql-core's fragment nesting guard
            return _refused("the query nests fragments or fields too deeply", QUERY_TOO_COMPLEX)
        if errors:
            return None, _failed(400, errors, GRAPHQL_VALIDATION_FAILED)
        with _VALID_LOCK:
            _VALID[key] = document
            if len(_VALID) > VALID_DOCUMENTS:
                _VALID.popitem(last=False)
    with _VALID_LOCK:
        if key in _VALID:
            _VALID.move_to_end(key)
    return document, None


def _refused(message: str, code: str = BAD_USER_INPUT, status: int = 400) -> tuple[None, Outcome]:
    return None, Outcome(status, {"errors": [error_body(message, code)]})


def prepare(schema: GraphQLSchema, request: GraphQLRequest, limits: Limits, *, allow_mutation: bool = True
            ) -> tuple[Any, Outcome | None]:
    """Parse and validate; (document, None) when it may run, else (None, the 4xx answer). A text that passed the
    spec rules before is not parsed and checked against them again; depth, cost and dates are checked every
    time (they depend on the variables), in one walk linear in the document (api/limits.py)."""
    try:
        document, refused = _spec_checked(schema, request, limits)
        if refused is not None:
            return None, refused
        operation = get_operation_ast(document, request.operation_name)
        if operation is None:
            return _refused("operationName names no operation of the document" if request.operation_name else
                            "the document has several operations: give operationName")
        if operation.operation == OperationType.SUBSCRIPTION:
            return _refused("subscriptions are not supported: send a query or a mutation")
        if operation.operation != OperationType.QUERY and not allow_mutation:
            return _refused("mutations need POST", status=405)
        coerced = get_variable_values(schema, operation.variable_definitions or (), request.variables or {},
                                      max_errors=20, hide_suggestions=not limits.introspection)
        if isinstance(coerced, list):
            return None, _failed(400, coerced, BAD_USER_INPUT)
        errors = check_demand(schema, document, operation, coerced, max_depth=limits.max_depth,
                              max_cost=limits.max_cost, max_dates=limits.max_dates)
    except RecursionError:
        return _refused("the query is nested too deeply", QUERY_TOO_COMPLEX)
    if errors:
        return None, _failed(400, errors, QUERY_TOO_COMPLEX)
    return document, None


def operation_type(schema: GraphQLSchema, request: GraphQLRequest, limits: Limits) -> OperationType | None:
    """Query, mutation or subscription, for a document `prepare` accepted before; None for any other."""
    with _VALID_LOCK:
        document = _VALID.get((schema, request.query, limits.max_tokens, limits.introspection))
    operation = get_operation_ast(document, request.operation_name) if document is not None else None
    return operation.operation if operation is not None else None


async def _awaited(result: Any) -> ExecutionResult:
    done: ExecutionResult = await result
    return done


async def run(schema: GraphQLSchema, request: GraphQLRequest, context: RequestContext, limits: Limits, *,
              allow_mutation: bool = True) -> Outcome:
    """The whole request; the answer is 200 once execution starts (field errors travel in `errors`)."""
    # parsing and validating a new document of 20,000 tokens takes a fraction of a second: off the event loop
    document, refused = await asyncio.to_thread(prepare, schema, request, limits, allow_mutation=allow_mutation)
    if refused is not None:
        return refused
    result = execute(schema, document, variable_values=request.variables, operation_name=request.operation_name,
                     context_value=context)
    if is_awaitable(result):
        try:
            result = await asyncio.wait_for(_awaited(result), limits.timeout_seconds)
        except TimeoutError:
            message = f"the request took longer than {limits.timeout_seconds:g} s and was stopped"
            return Outcome(200, {"data": None, "errors": [error_body(message, TIMEOUT)]})
    assert not is_awaitable(result)
    body: dict[str, Any] = {"data": result.data}  # type: ignore[union-attr]
    if result.errors:  # type: ignore[union-attr]
        body["errors"] = [format_error(e) for e in result.errors]  # type: ignore[union-attr]
    return Outcome(200, body)
