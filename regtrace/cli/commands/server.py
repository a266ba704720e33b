"""The GraphQL API and dashboard server, and the bearer tokens its callers use."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from regtrace.cli.app import GLOBAL, app, opened_store
from regtrace.cli.console import err, out, show
from regtrace.cli.options import DEFAULT_TENANT, JsonFlag
from regtrace.cli.tables import tokens_table

PANEL = "服務 Server"


@app.command(rich_help_panel=PANEL)
def serve(
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on; 0.0.0.0 for every interface.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on; 0: any free port.", min=0, max=65535)]
    = 8000,
    introspection: Annotated[bool, typer.Option(
        "--introspection", help="Allow schema introspection (GraphiQL; development only).")] = False,
) -> None:
    """Serve the GraphQL API at /graphql (GraphiQL for a browser); callers need a token (`regtrace token create`)."""
    from regtrace.api.app import create_app
    from regtrace.api.ui import UI_PATH
    from regtrace.cli.listening import base_url, bind, serve_when_started

    sock = bind(host, port)
    try:
        application = create_app(GLOBAL.location(), introspection=introspection)
        base = base_url(host, sock)

        def announce() -> None:
            err.print(f"儀表板 dashboard: {base}{UI_PATH}/", highlight=False, soft_wrap=True)
            err.print(f"GraphQL: {base}/graphql", highlight=False, soft_wrap=True)

        serve_when_started(application, host, sock, announce)
    finally:
        sock.close()


token_app = typer.Typer(help="API bearer tokens: create (shown once), list, revoke.", no_args_is_help=True)
app.add_typer(token_app, name="token", rich_help_panel=PANEL)


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option("--role", help="admin, officer, auditor, board or association.")],
    tenant: Annotated[str | None, typer.Option("--tenant", help="Member company the token works for (default "
                                               f"{DEFAULT_TENANT}; none for an association token).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Who or what uses it (shown in the change log).")] = None,
    expires_in: Annotated[str, typer.Option(
        "--expires-in", help="Lifetime: days, hours or minutes, e.g. 30d, 12h, 90m (at most 3650d).")] = "90d",
) -> None:
    """Create a token and print it once; only its SHA-256 is stored. It expires after --expires-in (90 days)."""
    from regtrace.api.auth import create_token, parse_lifetime
    from regtrace.tenants import require_tenant

    lifetime = parse_lifetime(expires_in)
    with opened_store() as store:
        if role != "association":  # an association token reads the sector view, bound to no member company
            tenant = require_tenant(store, tenant or DEFAULT_TENANT)  # a token of no registers would show 0 %
        token, row = create_token(store, role, tenant, name, lifetime)
    bound = f"of {row['tenant']}" if row["tenant"] else "of no member company"
    err.print(f"token {row['token_id']} ({row['role']} {bound}, {row['name']}, expires "
              f"{row['expires_at']}); keep it, it is not shown again:")
    sys.stdout.write(token + "\n")


@token_app.command("list")
def token_list(as_json: JsonFlag = False) -> None:
    """Every token without its secret: id, name, role, tenant, created, expires, revoked."""
    from regtrace.api.auth import list_tokens

    with opened_store() as store:
        rows = list_tokens(store)
    show(rows, as_json, lambda: tokens_table(rows))


@token_app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="The token's id (see `regtrace token list`).")]) -> None:
    """Revoke a token: a running server refuses it within REGTRACE_AUTH_CACHE_SECONDS (default 5)."""
    from regtrace.api.auth import revoke_token

    with opened_store() as store:
        row = revoke_token(store, token_id)
    out.print(f"[green]revoked[/] {row['token_id']} ({row['name']})")
