"""Exports of the trace and the graph, and their verification against the manifest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from regtrace.cli.app import app, opened_store
from regtrace.cli.console import err, out
from regtrace.cli.options import AsOf, parse_as_of
from regtrace.errors import ExitCode, InputError
from regtrace.loaders.register_values import CellError, read_date

if TYPE_CHECKING:
    from regtrace.exports.cover import SignOff
    from regtrace.exports.signing import SignatureCheck

PANEL = "匯出 Exports"


@app.command("export", rich_help_panel=PANEL)
def export_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write into (created if needed).")],
    formats: Annotated[list[str] | None, typer.Option(
        "--format", help="xlsx, pdf, html, ttl, jsonld, oscal or all (repeatable or comma-separated; default all).")
    ] = None,
    as_of: AsOf = None,
    tenant: Annotated[str | None, typer.Option(
        "--tenant", help="One member company into --out; default: every tenant into OUT/<tenant>/.")] = None,
    sign_key: Annotated[Path | None, typer.Option(
        "--sign-key", help="Sign the PDF (PAdES) and the manifest (manifest.json.p7s) with this key: PEM, or a "
                           "PKCS#12 .p12/.pfx holding the certificate too (passphrase: REGTRACE_SIGN_PASSPHRASE).")
    ] = None,
    sign_cert: Annotated[Path | None, typer.Option(
        "--sign-cert", help="The signing key's X.509 certificate (PEM), with a PEM --sign-key.")] = None,
    prepared_by: Annotated[str | None, typer.Option(
        "--prepared-by", help="製表 Who prepared the report (its sign-off block; blank to sign by hand).")] = None,
    prepared_on: Annotated[str | None, typer.Option("--prepared-on", help="製表日期 (2026-11-29 or 民國115年11月29日).")
                           ] = None,
    reviewed_by: Annotated[str | None, typer.Option("--reviewed-by", help="覆核 Who reviewed it.")] = None,
    reviewed_on: Annotated[str | None, typer.Option("--reviewed-on", help="覆核日期.")] = None,
    approved_by: Annotated[str | None, typer.Option("--approved-by", help="核准 Who approved it.")] = None,
    approved_on: Annotated[str | None, typer.Option("--approved-on", help="核准日期.")] = None,
) -> None:
    """Export the trace and the graph (XLSX, PDF/HTML report, Turtle, JSON-LD, OSCAL) with a manifest.json,
    signed with --sign-key/--sign-cert."""
    from regtrace.exports.bundle import export, parse_formats
    from regtrace.settings import current

    chosen = parse_formats(formats or [])
    day = parse_as_of(as_of)
    sign_off = _sign_off(prepared_by, prepared_on, reviewed_by, reviewed_on, approved_by, approved_on)
    signer = None
    if sign_cert is not None and sign_key is None:
        raise InputError("--sign-cert: give the key too (--sign-key FILE)")
    if sign_key is not None:
        from regtrace.exports.signing import load_signer

        signer = load_signer(sign_key, sign_cert, current().sign_passphrase)
    timings: dict[str, float] = {}
    with opened_store() as store:
        written = export(store, day, chosen, out_dir, tenant, timings=timings, signer=signer, sign_off=sign_off)
    for path in written:
        out.print(f"[green]wrote[/] {path} ({path.stat().st_size:,} bytes)", highlight=False)
    err.print("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()), highlight=False)


def _sign_off(prepared_by: str | None, prepared_on: str | None, reviewed_by: str | None, reviewed_on: str | None,
              approved_by: str | None, approved_on: str | None) -> SignOff:
    """The report's 製表 / 覆核 / 核准 lines from the options; a date without a name is refused."""
    from regtrace.exports.cover import SignOff

    def day(option: str, value: str | None, name: str | None) -> dt.date | None:
        if value is None:
            return None
        if not (name or "").strip():
            raise InputError(f"--{option}-on: give --{option}-by too (a date signs for someone)")
        try:
            parsed: dt.date = read_date(value)
        except CellError as exc:
            raise InputError(f"--{option}-on: {exc}") from None
        return parsed

    def name(option: str, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise InputError(f"--{option}-by: empty; leave it out to sign by hand")
        return value.strip() if value else None

    return SignOff(name("prepared", prepared_by), day("prepared", prepared_on, prepared_by),
                   name("reviewed", reviewed_by), day("reviewed", reviewed_on, reviewed_by),
                   name("approved", approved_by), day("approved", approved_on, approved_by))


@app.command("verify-export", rich_help_panel=PANEL)
def verify_export_command(
    folder: Annotated[Path, typer.Argument(help="An export folder (with manifest.json).")],
    trust: Annotated[Path | None, typer.Option(
        "--trust", help="The signer's certificate (PEM or DER) to trust: fail unless every signature is by it "
                        "or by a certificate it issued.")] = None,
) -> None:
    """Check an export against its manifest and its signatures: exit 0 when intact (signed or unsigned), 1
    listing altered, added and removed files and signatures that do not match."""
    from regtrace.exports.manifest import verify
    from regtrace.exports.signing import check_manifest, load_trust

    anchor = load_trust(trust) if trust is not None else None
    result = verify(folder)
    checks = [check_manifest(folder / sub if sub else folder, sub, doc, anchor)
              for sub, doc in sorted(result.documents.items())]
    for kind, paths in (("altered", result.altered), ("added", result.added), ("removed", result.removed)):
        for p in paths:
            out.print(f"[red]{kind}[/] {p}", highlight=False, soft_wrap=True)
    for check in checks:
        for problem in check.problems:
            out.print(f"[red]signature[/] {problem}", highlight=False, soft_wrap=True)
        if check.signed:
            out.print(_signature_line(check), highlight=False, soft_wrap=True)
    if result.intact and all(c.ok for c in checks):
        out.print(f"[green]intact[/] {folder}: every file matches {', '.join(result.manifests)}", highlight=False,
                  soft_wrap=True)
        unsigned = [c.manifest for c in checks if not c.signed]
        if unsigned:
            out.print(f"[yellow]unsigned[/] {', '.join(unsigned)}: no signature; the hashes show the files match "
                      "the manifest, not who wrote them", highlight=False, soft_wrap=True)
        return
    raise typer.Exit(ExitCode.FAILED)


def _signature_line(check: SignatureCheck) -> str:
    signed = ", ".join([check.manifest, *check.pdfs])
    if check.trusted is True:
        trust = "trusted (--trust)"
    elif check.trusted is False:
        trust = "NOT the trusted certificate"
    elif check.self_signed:
        trust = "self-signed, not checked against a trusted certificate (pass --trust CERT)"
    else:
        trust = "not checked against a trusted certificate (pass --trust CERT)"
    state = "[green]signed[/]" if check.ok else "[red]signature failed[/]"
    return f"{state} {signed} by {check.signer} (certificate SHA-256 {check.fingerprint}); {trust}"
