"""The API's errors, and the one place where errors become GraphQL `extensions.code` values.

Every error a client sees carries one of CODES. A message is shown only for errors regtrace raised on
purpose about the caller's own input; anything else becomes a generic INTERNAL_SERVER_ERROR (logged here,
never sent as a stack trace).
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError

from regtrace.errors import InputError, NotFoundError, RegtraceError

log = logging.getLogger("regtrace.api")

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
BAD_USER_INPUT = "BAD_USER_INPUT"
NOT_FOUND = "NOT_FOUND"
TIMEOUT = "TIMEOUT"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
CODES = (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, TIMEOUT, QUERY_TOO_COMPLEX, INTERNAL_SERVER_ERROR,
         GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED)
GENERIC_MESSAGE = "internal server error"


class ApiError(RegtraceError):
    """An error of the API layer with its GraphQL code."""

    code = INTERNAL_SERVER_ERROR


class UnauthenticatedError(ApiError):
    """No bearer token, or one that is unknown or revoked."""

    code = UNAUTHENTICATED


class ForbiddenError(ApiError):
    """The token's role may not do this."""

    code = FORBIDDEN


class RequestTimeoutError(ApiError):
    """The request's time ran out before its store work was done."""

    code = TIMEOUT


class QueryTooComplexError(ApiError):
    code = QUERY_TOO_COMPLEX


class BadRequestError(InputError):
    """A request the server cannot read: body, content type, variables."""


def not_found(kind: str, key: str) -> NotFoundError:
    """The same message whether the id is missing or belongs to another member company."""
    return NotFoundError(f"no {kind} {key!r}")


def error_code(exc: BaseException) -> str:
    """The GraphQL code of an exception raised while serving a request."""
    if isinstance(exc, NotFoundError):
        return NOT_FOUND
    if isinstance(exc, InputError):
        return BAD_USER_INPUT
    if isinstance(exc, ApiError):
        return exc.code
    return INTERNAL_SERVER_ERROR


def error_body(message: str, code: str, **extra: Any) -> dict[str, Any]:
    """One error as the JSON of a GraphQL response."""
    return {"message": message, "extensions": {"code": code, **extra}}


def format_error(error: GraphQLError, default_code: str = INTERNAL_SERVER_ERROR) -> dict[str, Any]:
    """A GraphQL error as JSON: the message only for expected errors, never a trace or another tenant's data."""
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        code = error_code(original)
        if code == INTERNAL_SERVER_ERROR:
            log.error("unexpected error in %s", error.path, exc_info=original)
            body = error_body(GENERIC_MESSAGE, code)
        else:
            body = error_body(str(original), code)
    else:
        code = str((error.extensions or {}).get("code") or default_code)
        if code == INTERNAL_SERVER_ERROR:
            log.error("GraphQL error in %s: %s", error.path, error.message)
            body = error_body(GENERIC_MESSAGE, code)
        else:
            body = error_body(error.message, code)
    if error.locations:
        body["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        body["path"] = list(error.path)
    return body
