"""Downloads of the dashboard: the report PDF and the traceability XLSX of one date, built for the caller's tenant.

    GET /export/report.pdf?asOf=2026-11-29                 Authorization: Bearer <token>
    GET /export/traceability-matrix.xlsx?asOf=2026-11-29   (an admin may add &tenant=T)

The files are the ones `regtrace export --tenant T --as-of D --format pdf|xlsx` writes (exports/), unsigned (a
signed export is the CLI's, with the signer's key). They hold evidence and control details, so a token with the
`read` permission is needed (officer, auditor, admin): none is 401, a board token 403. The date is the
dashboard's: YYYY-MM-DD in the years 1911–2200 (default today), anything else 400 naming `asOf`. An unknown
tenant is 404.

Bounds: one export is built at a time per server (`EXPORTS_AT_ONCE`); a request that finds it busy for longer
than the API's request timeout gets 429 with Retry-After. The store is read on the API's store queue (as a
GraphQL request's reads are); the PDF and XLSX are rendered on a worker thread, so other requests go on.
Errors are JSON `{"errors": [{"message", "extensions": {"code"}}]}` like the GraphQL answers, never a 5xx for a
caller's input.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from regtrace.exports.bundle import FILES, write_formats
from regtrace.exports.data import ExportData, gather
from regtrace.graph.port import Store

from regtrace.errors import RegtraceError
from regtrace.tenants import require_tenant

from .auth import Principal
from .context import StoreRunner
from .dates import RANGE, in_range
from .errors import BAD_USER_INPUT, FORBIDDEN, GENERIC_MESSAGE, INTERNAL_SERVER_ERROR, error_body, error_code
from .token_book import TokenBook

log = logging.getLogger("regtrace.api")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EXPORT_PATH = "/export"
EXPORTS_AT_ONCE = 1
DOWNLOADS = {  # file name -> (format, media type)
    FILES["pdf"][0]: ("pdf", "application/pdf"),
    FILES["xlsx"][0]: ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
STATUS = {"UNAUTHENTICATED": 401, FORBIDDEN: 403, "NOT_FOUND": 404, BAD_USER_INPUT: 400}


class DownloadProblem(Exception):
    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def _problem(status: int, message: str, code: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if status == 429:
        headers["Retry-After"] = "10"
    return JSONResponse({"errors": [error_body(message, code)]}, status_code=status, headers=headers)


def parse_day(text: str | None) -> dt.date:
    """The `asOf` parameter: YYYY-MM-DD within the API's date range; today when absent."""
    if text is None:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(text) if _ISO_DAY.fullmatch(text) else None
    except ValueError:  # 2026-13-01, 2026-02-30
        day = None
    if day is None:
        raise DownloadProblem(400, f"asOf: {text[:40]!r} is not a date; write YYYY-MM-DD", BAD_USER_INPUT)
    if not in_range(day):
        raise DownloadProblem(400, f"asOf: {text} is out of range; {RANGE}", BAD_USER_INPUT)
    return day


def _gathered(store: Store, tenant: str, day: dt.date, fmt: str) -> ExportData:
    tenant = require_tenant(store, tenant)  # NOT_FOUND for a tenant with no registers
    return gather(store, tenant, day, bdd=fmt == "pdf")


def _rendered(data: ExportData, fmt: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="regtrace-download-") as folder:
        written = write_formats(data, [fmt], Path(folder))
        return written[0].read_bytes()


def mount_downloads(app: FastAPI, runner: StoreRunner, book: TokenBook, follow_store: Callable[[], None],
                    wait_seconds: float) -> None:
    """Serve /export/<file>?asOf=D for the caller's tenant: `book` reads the bearer token, `follow_store` drops
    what another process's write made stale (as before a GraphQL request), `wait_seconds` is how long a request
    waits for another export to finish."""
    slots = asyncio.Semaphore(EXPORTS_AT_ONCE)

    async def principal_of(request: Request) -> Principal:
        follow_store()
        principal = await book.principal(request.headers.get("authorization"))
        request.state.principal = principal  # for the access log (api/access_log.py)
        return principal

    async def build(request: Request, name: str) -> Response:
        if name not in DOWNLOADS:
            raise DownloadProblem(404, f"no such download {name[:60]!r}; one of {', '.join(DOWNLOADS)}",
                                  "NOT_FOUND")
        fmt, media = DOWNLOADS[name]
        principal = await principal_of(request)
        principal.require("read")  # the files hold evidence and control details: not for a board token
        tenant = principal.tenant_for(request.query_params.get("tenant"))
        day = parse_day(request.query_params.get("asOf"))
        try:
            await asyncio.wait_for(slots.acquire(), wait_seconds)
        except TimeoutError:
            raise DownloadProblem(429, "another export is being built; try again in a few seconds",
                                  "TOO_MANY_REQUESTS") from None
        try:
            data = await runner.call(_gathered, runner.store, tenant, day, fmt)
            body = await asyncio.to_thread(_rendered, data, fmt)
        finally:
            slots.release()
        filename = f"regtrace-{tenant}-{day.isoformat()}-{name}"
        return Response(body, media_type=media, headers={
            "Content-Disposition": f"attachment; filename=\"{filename}\"", "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"})

    @app.get(EXPORT_PATH + "/{name}", include_in_schema=False)
    async def download(request: Request, name: str) -> Response:
        try:
            return await build(request, name)
        except DownloadProblem as exc:
            return _problem(exc.status, str(exc), exc.code)
        except RegtraceError as exc:
            code = error_code(exc)
            if code in STATUS:
                return _problem(STATUS[code], str(exc), code)
            log.exception("unexpected error building %s", name)
        except Exception:
            log.exception("unexpected error building %s", name)
        return _problem(500, GENERIC_MESSAGE, INTERNAL_SERVER_ERROR)
