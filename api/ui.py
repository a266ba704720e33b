"""The board dashboard at /dashboard/: static HTML, CSS and JavaScript modules shipped in api/dashboard_ui/,
reading the GraphQL API with fetch(). Nothing is fetched from elsewhere: the Content-Security-Policy allows
this origin only.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response

UI_PATH = "/dashboard"
UI_FOLDER = "dashboard_ui"
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "i18n.js": "text/javascript; charset=utf-8",
    "gql.js": "text/javascript; charset=utf-8",
    "render.js": "text/javascript; charset=utf-8",
    "association.html": "text/html; charset=utf-8",  # the associations' view (api/sector.py)
    "association.js": "text/javascript; charset=utf-8",
    "banner.js": "text/javascript; charset=utf-8",
    "status_note.js": "text/javascript; charset=utf-8",  # the status line banner.js and trace_state.js show
    "trace_state.js": "text/javascript; charset=utf-8",  # when the trace shown was computed (api/trace_state.py)
}
HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                                "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@cache
def ui_asset(name: str) -> bytes | None:
    """One of the dashboard's files; None for any other name."""
    if name not in ASSETS:
        return None
    return files("regtrace.api").joinpath(UI_FOLDER, name).read_bytes()


def _file(name: str) -> Response:
    data = ui_asset(name)
    if data is None:
        return Response("no such file\n", status_code=404, media_type="text/plain; charset=utf-8", headers=HEADERS)
    return Response(data, media_type=ASSETS[name], headers=HEADERS)


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard: /dashboard redirects to /dashboard/ (index.html), then /dashboard/<file>."""

    @app.get(UI_PATH, include_in_schema=False)
    async def dashboard_redirect() -> Response:
        return RedirectResponse(UI_PATH + "/", status_code=307)

    @app.get(UI_PATH + "/", include_in_schema=False)
    async def dashboard_index() -> Response:
        return _file("index.html")

    @app.get(UI_PATH + "/{name}", include_in_schema=False)
    async def dashboard_file(name: str) -> Response:
        return _file(name)
