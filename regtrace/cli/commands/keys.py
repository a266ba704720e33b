"""Signing keys for signed exports: `regtrace keys create`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from regtrace.cli.app import app
from regtrace.cli.console import out

PANEL = "匯出 Exports"

keys_app = typer.Typer(help="Signing keys for signed exports: create a key and a self-signed certificate.",
                       no_args_is_help=True)
app.add_typer(keys_app, name="keys", rich_help_panel=PANEL)


@keys_app.command("create")
def keys_create_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for signing-key.pem and signing-cert.pem.")],
    name: Annotated[str, typer.Option("--name", help="The signer (certificate CN), e.g. \"法令遵循主管 Compliance "
                                                     "Officer\".")],
    org: Annotated[str | None, typer.Option("--org", help="The company's legal name (certificate O).")] = None,
    country: Annotated[str, typer.Option("--country", help="Two-letter country code (certificate C).")] = "TW",
    days: Annotated[int, typer.Option("--days", help="Validity in days (1 to 3650).")] = 730,
) -> None:
    """Write a signing key (signing-key.pem, mode 0600) and a self-signed certificate (signing-cert.pem)."""
    from regtrace.exports.keys import create_keys

    made = create_keys(out_dir, name, org, country or None, days)
    out.print(f"[green]wrote[/] {made.key} (private key, mode 0600: keep it secret)", highlight=False)
    out.print(f"[green]wrote[/] {made.cert} (self-signed certificate)", highlight=False)
    out.print(f"subject: {made.subject}", highlight=False)
    out.print(f"valid until: {made.not_after.isoformat()}", highlight=False)
    out.print(f"SHA-256 fingerprint: {made.fingerprint}", highlight=False)
    out.print("Give signing-cert.pem (and its fingerprint) to whoever checks the exports: "
              "regtrace verify-export DIR --trust signing-cert.pem", highlight=False)
