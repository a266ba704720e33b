"""The FastAPI app: POST and GET /graphql on a plain route (graphql-core underneath), GraphiQL for browsers.

    app = create_app("regtrace-store")                 # a store folder or neo4j:// URI, or an open Store
    uvicorn.run(app)                                    # or: regtrace serve --port 8000

Every answer is GraphQL JSON: bad requests are 4xx with `errors` (400 unreadable body, wrong content type,
bad variables, invalid query; 401 no or bad token; 405 mutation over GET; 413 body too large), never a 500.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import secrets
import sys
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

from .access_log import AccessLog, access_format
from .auth import Principal, token_rows
from .context import RequestContext, StoreRunner
from .downloads import mount_downloads
from .errors import BAD_USER_INPUT, GENERIC_MESSAGE, INTERNAL_SERVER_ERROR, error_body, error_code
from .execution import GraphQLRequest, Limits, operation_type, run
from .graphiql import ASSETS, STATIC_PATH, asset, page
from .pagination import CursorCodec
from .precompute import Precompute
from .response_cache import ResponseCache
from .scheduler import Budget
from .schema import build_schema
from .token_book import TokenBook
from .trace_state import stale_marks
from .ui import mount_dashboard

log = logging.getLogger("regtrace.api")
MAX_BODY_BYTES = 64 * 1024
READY_SECONDS = 3.0
WATCH_SECONDS = 2.0  # how often the server looks for a write by another process (a load) to compute traces again
SWITCH_SECONDS = 0.001
JSON_TYPES = ("application/json", "application/graphql-response+json")


@dataclass(frozen=True)
class ApiSettings:
    """Limits and secrets of one app."""

    limits: Limits = field(default_factory=Limits)
    max_body_bytes: int = MAX_BODY_BYTES
    cursor_secret: bytes | None = None  # default: REGTRACE_CURSOR_SECRET, else random per app
    access_log: str = field(default_factory=access_format)  # REGTRACE_ACCESS_LOG: text, json or off
    store_workers: int = 1  # threads taking store jobs (LadybugDB: one connection, one thread)


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
    if declared is not None and not (declared.isascii() and declared.isdigit() and len(declared) <= 18
                                     and int(declared) <= limit):
        raise HttpProblem(413, f"the request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpProblem(413, f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _unencodable(value: Any, where: str) -> str | None:
    """The place of the first text in a JSON value that is not valid Unicode (a lone surrogate from a `\\ud800`
    escape): the store and the logs could not write it."""
    pending = [(value, where)]
    while pending:
        item, place = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return place
        elif isinstance(item, dict):
            pending.extend((v, f"{place}.{k}" if isinstance(k, str) and k.isprintable() and k.isascii() else place)
                           for k, v in item.items())
            pending.extend((k, place) for k in item)
        elif isinstance(item, list):
            pending.extend((v, f"{place}[{i}]") for i, v in enumerate(item))
    return None


def _json(text: str, what: str) -> Any:
    """JSON text, or 400: malformed, nested too deeply, or with a number Python refuses to read (more than
    4,300 digits raise ValueError, not JSONDecodeError)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise HttpProblem(400, f"{what} is not valid JSON: {exc.msg}") from exc
    except ValueError as exc:
        raise HttpProblem(400, f"{what} holds a number too long to read") from exc
    except RecursionError as exc:
        raise HttpProblem(400, f"{what} is nested too deeply") from exc


def _graphql_request(query: Any, variables: Any, operation_name: Any) -> GraphQLRequest:
    if not isinstance(query, str) or not query.strip():
        raise HttpProblem(400, "give the GraphQL document as a non-empty string in 'query'")
    if isinstance(variables, str):
        variables = _json(variables, "'variables'") if variables.strip() else None
    if variables is not None and not isinstance(variables, dict):
        raise HttpProblem(400, "'variables' must be a JSON object")
    if operation_name is not None and not isinstance(operation_name, str):
        raise HttpProblem(400, "'operationName' must be a string")
    for value, where in ((query, "query"), (variables, "variables"), (operation_name, "operationName")):
        place = _unencodable(value, where)
        if place is not None:
            raise HttpProblem(400, f"{place}: the text is not valid Unicode (a lone surrogate such as \\ud800)")
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
    data = _json(text, "the request body")
    if isinstance(data, list):
        raise HttpProblem(400, "batched requests are not supported: send one operation per request")
    if not isinstance(data, dict):
        raise HttpProblem(400, "the request body must be a JSON object with 'query'")
    return _graphql_request(data.get("query"), data.get("variables"), data.get("operationName"))


async def _client_gone(request: Request) -> None:
    """Returns when the client disconnects (the body has been read: the next message is the disconnect)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and "query" not in request.query_params


def create_app(store_location_or_store: str | Store, *, introspection: bool = False,
               settings: ApiSettings | None = None) -> FastAPI:
    """The API over a store. A location given as text is opened here (and closed on shutdown); a Store
    object stays the caller's. `introspection=True` lets GraphiQL read the schema (development)."""
    chosen = settings or ApiSettings()
    if introspection != chosen.limits.introspection:
        chosen = dataclasses.replace(chosen, limits=dataclasses.replace(chosen.limits, introspection=introspection))
    owned = isinstance(store_location_or_store, str)
    if isinstance(store_location_or_store, str):
        from regtrace.stores import open_store

        store = open_store(store_location_or_store)
    else:
        store = store_location_or_store
    secret = chosen.cursor_secret or (current().cursor_secret or "").encode() or secrets.token_bytes(32)
    runner = StoreRunner(store, chosen.store_workers)
    precompute = runner.precompute = Precompute(runner)  # api/precompute.py
    responses = ResponseCache.from_env()
    book = TokenBook.from_env(lambda: runner.call(token_rows, store, priority=True))  # api/token_book.py
    codec = CursorCodec(secret)
    schema = build_schema()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the store, rules and validation threads run Python too: switch between threads every 1 ms (not 5) so
        # the event loop gets the interpreter back quickly and small requests are not held behind them
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, SWITCH_SECONDS))
        if precompute.enabled:
            try:  # tokens read before the first request, so that it never waits for them behind a trace's reads
                await book.refresh()
            except Exception as exc:  # an unreadable store: requests report it
                log.warning("the tokens could not be read at start: %s", exc)
        await precompute.begin()  # the traces kept in the store are served from the first request on
        watcher = asyncio.ensure_future(watch()) if precompute.enabled else None
        yield
        if watcher is not None:
            watcher.cancel()
        await precompute.close()
        sys.setswitchinterval(interval)
        runner.shutdown()
        responses.clear()
        if owned:
            store.close()

    app = FastAPI(title="regtrace GraphQL API", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.store = store
    app.state.settings = chosen
    app.state.runner = runner
    app.state.tokens = book

    seen = {"generation": store.generation()}

    def follow_store(generation: str | None = None) -> None:
        """Another process (the CLI loading, revoking a token) may have written the store: then no cached
        answer, trace or principal outlives its write (LadybugDB: a new generation; graph/generations.py).
        The app's own writes (mutations, kept traces) are not taken for one (api/precompute.py)."""
        generation = store.generation() if generation is None else generation
        if generation != seen["generation"]:
            if precompute.writing:  # perhaps the app's own write, published but not yet noted: decided next time,
                book.forget()  # but a token revoked by another process must not pass meanwhile
                return
            ours = precompute.ours(seen["generation"], generation)
            seen["generation"] = generation
            if ours:
                return
            runner.traces.invalidate()  # bumps the version every kept answer was computed under
            book.forget()  # a token created or revoked there is read again before it is used
            precompute.store_changed()  # every tenant's trace of today again, in the background

    async def watch() -> None:
        """A load by another process starts the traces' computation without waiting for a request."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                follow_store(await runner.call(store.generation, priority=True))
            except Exception as exc:  # the store is away: requests report it
                log.warning("the store's generation could not be read: %s", exc)

    async def principal_of(request: Request) -> Principal:
        try:
            principal = await book.principal(request.headers.get("authorization"))
        except RegtraceError as exc:
            raise HttpProblem(401, str(exc), error_code(exc)) from exc
        request.state.principal = principal  # for the access log (api/access_log.py)
        return principal

    async def answer(request: Request, graphql_request: GraphQLRequest, allow_mutation: bool) -> Response:
        follow_store()
        principal = await principal_of(request)
        key, version = ResponseCache.key(principal, graphql_request), runner.traces.version
        kept = responses.get(key, version) if responses.enabled else None
        if kept is not None:
            return Response(kept, media_type="application/json")
        budget = Budget(principal.tenant)  # the request's store work, dropped when it ends (api/scheduler.py)
        context = RequestContext(runner, principal, codec, budget)
        work = asyncio.ensure_future(run(schema, graphql_request, context, chosen.limits,
                                         allow_mutation=allow_mutation))
        gone = asyncio.ensure_future(_client_gone(request))
        try:
            await asyncio.wait((work, gone), return_when=asyncio.FIRST_COMPLETED)
            if not work.done():  # the client went away: stop, and leave its queued store work undone
                work.cancel()
                return _problem(499, "the client closed the request", BAD_USER_INPUT)
            outcome = work.result()
        finally:
            gone.cancel()
            budget.close()
        marks = stale_marks(context)  # an answer from a previous trace says so, whatever it asked for
        if marks:
            outcome.body["extensions"] = {**outcome.body.get("extensions", {}), "traceState": marks}
        response = JSONResponse(outcome.body, status_code=outcome.status)
        if responses.enabled and outcome.status == 200 and "errors" not in outcome.body and not marks \
                and not context.volatile \
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

    @app.get("/healthz")
    async def healthz() -> Response:
        """The process is up and answering (no store access)."""
        return JSONResponse({"status": "ok"})

    @app.get("/readyz")
    async def readyz() -> Response:
        """The store answers a read within a few seconds (the token book is read again through it)."""
        try:
            await asyncio.wait_for(book.refresh(), READY_SECONDS)
        except TimeoutError:
            return JSONResponse({"status": "unavailable", "reason": f"the store did not answer within "
                                 f"{READY_SECONDS:g} s"}, status_code=503)
        except Exception as exc:  # any store failure means not ready; the reason is logged, not shown
            log.warning("readiness check failed: %s", exc)
            return JSONResponse({"status": "unavailable", "reason": "the store cannot be read"}, status_code=503)
        return JSONResponse({"status": "ready"})

    mount_dashboard(app)
    mount_downloads(app, runner, book, follow_store, chosen.limits.timeout_seconds)  # api/downloads.py
    app.add_middleware(AccessLog, form=chosen.access_log)
    return app
