"""Export one tenant (or every tenant) in the chosen formats, with a manifest."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from regtrace.graph.port import Store
from regtrace.trace.trend import TrendPoint, tenant_trend

from regtrace.errors import InputError
from regtrace.tenants import require_some_tenant, require_tenant, tenant_name

from . import checks, manifest, oscal, rdf, report, xlsx
from .data import ExportData, Meta, gather

if TYPE_CHECKING:
    from .cover import SignOff
    from .signing import ExportSigner

FORMATS = ("xlsx", "pdf", "html", "ttl", "jsonld", "oscal")
FILES: dict[str, tuple[str, ...]] = {
    "xlsx": ("traceability-matrix.xlsx",),
    "html": ("report.html",),
    "pdf": ("report.pdf",),
    "ttl": ("graph.ttl",),
    "jsonld": ("graph.jsonld",),
    "oscal": ("oscal-catalog.json", "oscal-assessment-results.json"),
}


def parse_formats(values: Sequence[str]) -> list[str]:
    """The formats asked for, in a fixed order; 'all' (or nothing) means every format."""
    asked = {v.strip().lower() for value in values for v in value.split(",") if v.strip()}
    unknown = asked - {*FORMATS, "all"}
    if unknown:
        raise InputError(f"--format: {', '.join(sorted(unknown))} is not one of {', '.join(FORMATS)}, all")
    return list(FORMATS) if not asked or "all" in asked else [f for f in FORMATS if f in asked]


def _timed(timings: dict[str, float] | None, name: str, step: Callable[[], object]) -> None:
    start = time.perf_counter()
    step()
    if timings is not None:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


def write_formats(d: ExportData, formats: Sequence[str], folder: Path,
                  timings: dict[str, float] | None = None, sign_off: SignOff | None = None,
                  trend: Sequence[TrendPoint] | None = None) -> list[Path]:
    """Write the chosen formats of gathered data into `folder` (Turtle and JSON-LD in one pass when both)."""
    def path(fmt: str, i: int = 0) -> Path:
        return folder / FILES[fmt][i]

    both_rdf = "ttl" in formats and "jsonld" in formats
    html = report.render_html(d, sign_off, trend) if "html" in formats or "pdf" in formats else ""
    steps: dict[str, Callable[[], object]] = {
        "xlsx": lambda: xlsx.write_xlsx(d, path("xlsx")),
        "html": lambda: path("html").write_text(html, encoding="utf-8"),
        "pdf": lambda: report.write_pdf(html, path("pdf")),
        "ttl+jsonld" if both_rdf else "ttl": lambda: rdf.write_rdf(d, path("ttl"),
                                                                   path("jsonld") if both_rdf else None),
        "jsonld": lambda: rdf.write_jsonld(d, path("jsonld")),
        "oscal": lambda: oscal.write_oscal(d, path("oscal"), path("oscal", 1)),
    }
    for fmt in formats:
        if fmt == "jsonld" and both_rdf:
            continue
        name = "ttl+jsonld" if fmt == "ttl" and both_rdf else fmt
        _timed(timings, name, steps[name])
    extra = oscal.mapping_files(d) if "oscal" in formats else []
    return [folder / name for fmt in formats for name in FILES[fmt]] + [folder / name for name in extra]


def _signed_manifest(folder: Path, meta: Meta, formats: list[str], signer: ExportSigner | None,
                     tenants: list[str] | None = None) -> list[Path]:
    """Sign the folder's PDF (before hashing it), write the manifest, then sign the manifest beside it."""
    if signer is None:
        (folder / manifest.SIGNATURE).unlink(missing_ok=True)  # an earlier signed export's, now stale
        return [manifest.write_manifest(folder, meta, formats, tenants)]
    from .signing import sign_manifest, sign_pdf

    pdfs = [FILES["pdf"][0]] if "pdf" in formats and tenants is None else []
    for name in pdfs:
        sign_pdf(signer, folder / name, reason=f"regtrace traceability report 追溯報告, {meta.tenant}, "
                                               f"as of {meta.as_of.isoformat()}")
    path = manifest.write_manifest(folder, meta, formats, tenants, signer.record(pdfs))
    return [path, sign_manifest(signer, path)]


def export_tenant(store: Store, tenant: str, as_of: dt.date, formats: Sequence[str], folder: Path, *,
                  generated_at: dt.datetime | None = None, timings: dict[str, float] | None = None,
                  signer: ExportSigner | None = None, sign_off: SignOff | None = None) -> list[Path]:
    """Export one tenant into `folder` (created if needed) with its manifest (signed when `signer` is given,
    with the PDF); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    gathered: list[ExportData] = []
    _timed(timings, "gather", lambda: gathered.append(gather(store, tenant, as_of, generated_at=generated_at)))
    d = gathered[0]
    points: list[TrendPoint] = []  # coverage at the last quarter ends, for the report only
    if "html" in formats or "pdf" in formats:
        leaves = sum(1 for r in d.trace if r.obligation)
        _timed(timings, "bdd", lambda: setattr(d, "bdd", checks.run(store, tenant, as_of, leaves)))
        _timed(timings, "trend", lambda: points.extend(tenant_trend(store, tenant, as_of)))
    written = write_formats(d, formats, folder, timings, sign_off, points or None)
    if signer is None:
        written += _signed_manifest(folder, d.meta, list(formats), None)
    else:
        _timed(timings, "sign", lambda: written.extend(_signed_manifest(folder, d.meta, list(formats), signer)))
    return written


def _meta_of(folder: Path) -> Meta:
    """The Meta a tenant's manifest records (for the manifest over several tenants)."""
    doc = json.loads((folder / manifest.MANIFEST).read_text(encoding="utf-8"))
    return Meta(doc["tenant"], dt.date.fromisoformat(doc["as_of"]), dt.datetime.fromisoformat(doc["generated_at"]),
                doc["store"], doc["generator"]["name"], doc["generator"]["version"], doc.get("company"))


def _folder_safe(tenant: str) -> bool:
    """Whether a stored tenant name follows the one rule (which keeps names fit for folder names)."""
    try:
        return tenant_name(tenant) == tenant
    except InputError:
        return False


def export(store: Store, as_of: dt.date, formats: Sequence[str], folder: Path, tenant: str | None = None, *,
           generated_at: dt.datetime | None = None, timings: dict[str, float] | None = None,
           signer: ExportSigner | None = None, sign_off: SignOff | None = None) -> list[Path]:
    """One tenant into `folder`; with no tenant, every tenant into folder/<tenant>/ and a manifest over all
    (with `signer`: every PDF and every manifest signed)."""
    if tenant is not None:
        tenant = require_tenant(store, tenant)
        return export_tenant(store, tenant, as_of, formats, folder, generated_at=generated_at, timings=timings,
                             signer=signer, sign_off=sign_off)
    tenants = require_some_tenant(store)
    unsafe = [t for t in tenants if not _folder_safe(t)]
    if unsafe:
        raise InputError(f"tenant names unfit for folder names: {', '.join(unsafe)}; export them one by one with "
                         "--tenant and a folder of your choice")
    stamp = generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    written: list[Path] = []
    for t in tenants:
        written += export_tenant(store, t, as_of, formats, folder / t, generated_at=stamp, timings=timings,
                                 signer=signer, sign_off=sign_off)
    written += _signed_manifest(folder, _meta_of(folder / tenants[-1]), list(formats), signer, tenants)
    return written
