"""The FastAPI app: POST and GET /graphql on a plain route (graphql-core underneath), GraphiQL for browsers.

    app = create_app("regtrace-store")                 # a store folder or neo4j:// URI, or an open Store
    uvicorn.run(app)                                    # or: regtrace serve --port 8000

Every answer is GraphQL JSON: bad requests are 4xx with `errors` (400 unreadable body, wrong content type,
bad variables, invalid query; 401 no or bad token; 405 mutation over GET; 413 body too large), never a 500.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from graphql import OperationType
from regtrace.graph.port import Store

from regtrace.errors import RegtraceError
from regtrace.settings import current

from .auth import Principal, authenticate
from .context import RequestContext, StoreRunner
from .errors import BAD_USER_INPUT, GENERIC_MESSAGE, INTERNAL_SERVER_ERROR, error_body, error_code
from .execution import GraphQLRequest, Limits, operation_type, run
from .graphiql import ASSETS, STATIC_PATH, asset, page
from .pagination import CursorCodec
from .principal_cache import PrincipalCache
from .response_cache import ResponseCache
from .schema import build_schema
from .ui import mount_dashboard

log = logging.getLogger("regtrace.api")
MAX_BODY_BYTES = 64 * 1024
JSON_TYPES = ("application/json", "application/graphql-response+json")


@dataclass(frozen=True)
class ApiSettings:
    """Limits and secrets of one app."""

    limits: Limits = field(default_factory=Limits)
    max_body_bytes: int = MAX_BODY_BYTES
    cursor_secret: bytes | None = None  # default: REGTRACE_CURSOR_SECRET, else random per app


class HttpProblem(Exception):
    """A request refused before execution: its HTTP status and GraphQL error."""

    def __init__(self, status: int, message: str, code: str = BAD_USER_INPUT) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def _problem(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse({"errors": [error_body(message, code)]}, status_code=status)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise HttpProblem(413, f"the request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpProblem(413, f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _graphql_request(query: Any, variables: Any, operation_name: Any) -> GraphQLRequest:
    if not isinstance(query, str) or not query.strip():
        raise HttpProblem(400, "give the GraphQL document as a non-empty string in 'query'")
    if isinstance(variables, str):
        try:
            variables = json.loads(variables) if variables.strip() else None
        except json.JSONDecodeError as exc:
            raise HttpProblem(400, f"'variables' is not JSON: {exc.msg}") from exc
    if variables is not None and not isinstance(variables, dict):
        raise HttpProblem(400, "'variables' must be a JSON object")
    if operation_name is not None and not isinstance(operation_name, str):
        raise HttpProblem(400, "'operationName' must be a string")
    return GraphQLRequest(query, variables, operation_name or None)


def _from_post(content_type: str, body: bytes) -> GraphQLRequest:
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpProblem(400, "the request body is not UTF-8") from exc
    if media == "application/graphql":
        return _graphql_request(text, None, None)
    if media not in JSON_TYPES:
        raise HttpProblem(400, "send Content-Type: application/json (or application/graphql)")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise HttpProblem(400, "the request body is not valid JSON") from exc
    if isinstance(data, list):
        raise HttpProblem(400, "batched requests are not supported: send one operation per request")
    if not isinstance(data, dict):
        raise HttpProblem(400, "the request body must be a JSON object with 'query'")
    return _graphql_request(data.get("query"), data.get("variables"), data.get("operationName"))


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and "query" not in request.query_params


def create_app(store_location_or_store: str | Store, *, introspection: bool = False,
               settings: ApiSettings | None = None) -> FastAPI:
    """The API over a store. A location given as text is opened here (and closed on shutdown); a Store
    object stays the caller's. `introspection=True` lets GraphiQL read the schema (development)."""
    chosen = settings or ApiSettings()
    if introspection != chosen.limits.introspection:
        chosen = ApiSettings(Limits(**{**chosen.limits.__dict__, "introspection": introspection}),
                             chosen.max_body_bytes, chosen.cursor_secret)
    owned = isinstance(store_location_or_store, str)
    if isinstance(store_location_or_store, str):
        from regtrace.stores import open_store

        store = open_store(store_location_or_store)
    else:
        store = store_location_or_store
    secret = chosen.cursor_secret or (current().cursor_secret or "").encode() or secrets.token_bytes(32)
    runner = StoreRunner(store)
    responses = ResponseCache.from_env()
    principals = PrincipalCache.from_env()
    codec = CursorCodec(secret)
    schema = build_schema()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        runner.shutdown()
        if owned:
            store.close()

    app = FastAPI(title="regtrace GraphQL API", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.store = store
    app.state.settings = chosen

    async def principal_of(request: Request) -> Principal:
        header = request.headers.get("authorization")
        known = principals.get(header)  # api/principal_cache.py
        if known is not None:
            return known
        try:
            principal = await runner.call(authenticate, store, header)
        except RegtraceError as exc:
            raise HttpProblem(401, str(exc), error_code(exc)) from exc
        principals.put(header, principal)
        return principal

    async def answer(request: Request, graphql_request: GraphQLRequest, allow_mutation: bool) -> Response:
        principal = await principal_of(request)
        key, version = ResponseCache.key(principal, graphql_request), runner.traces.version
        kept = responses.get(key, version) if responses.enabled else None
        if kept is not None:
            return Response(kept, media_type="application/json")
        context = RequestContext(runner, principal, codec)
        outcome = await run(schema, graphql_request, context, chosen.limits, allow_mutation=allow_mutation)
        response = JSONResponse(outcome.body, status_code=outcome.status)
        if responses.enabled and outcome.status == 200 and "errors" not in outcome.body \
                and runner.traces.version == version \
                and operation_type(schema, graphql_request, chosen.limits) == OperationType.QUERY:
            responses.put(key, version, bytes(response.body))  # api/response_cache.py
        return response

    async def guarded(request: Request, handler: Any) -> Response:
        try:
            response: Response = await handler()
            return response
        except HttpProblem as exc:
            headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            response = _problem(exc.status, str(exc), exc.code)
            if headers:
                response.headers.update(headers)
            return response
        except Exception:
            log.exception("unexpected error serving %s %s", request.method, request.url.path)
            return _problem(500, GENERIC_MESSAGE, INTERNAL_SERVER_ERROR)

    @app.post("/graphql")
    async def graphql_post(request: Request) -> Response:
        async def handle() -> Response:
            body = await _body(request, chosen.max_body_bytes)
            return await answer(request, _from_post(request.headers.get("content-type", ""), body), True)

        return await guarded(request, handle)

    @app.get("/graphql")
    async def graphql_get(request: Request) -> Response:
        async def handle() -> Response:
            if _wants_html(request):
                return HTMLResponse(page())
            params = request.query_params
            if len(str(request.url.query)) > chosen.max_body_bytes:
                raise HttpProblem(413, f"the query string is longer than {chosen.max_body_bytes} bytes")
            graphql_request = _graphql_request(params.get("query"), params.get("variables"),
                                               params.get("operationName"))
            return await answer(request, graphql_request, False)

        return await guarded(request, handle)

    @app.get(STATIC_PATH + "/{name}")
    async def static(name: str) -> Response:
        data = asset(name)
        if data is None:
            return _problem(404, "no such file", "NOT_FOUND")
        return Response(data, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})

    mount_dashboard(app)
    return app
