"""manifest.json beside every export: each file's SHA-256 and size, and where the export came from.

`verify(folder)` recomputes the hashes and says which files were altered, added or removed. A folder that
holds several tenants' exports has a manifest of its own (over every file below it, the tenants' manifests
included), and each tenant folder has one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regtrace.errors import InputError

from .data import Meta

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.p7s"  # the manifest's detached signature (exports/signing.py), beside it
MANIFEST_VERSION = 1


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    """Every file below `folder` except its own manifest and that manifest's signature, as sorted relative paths."""
    own = {folder / MANIFEST, folder / SIGNATURE}
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and p not in own)


def write_manifest(folder: Path, meta: Meta, formats: list[str], tenants: list[str] | None = None,
                   signature: dict[str, Any] | None = None) -> Path:
    """Write folder/manifest.json over every file below the folder (for several tenants: `tenants`).

    `signature` is what exports/signing.py records of the signer; None: the export is unsigned (null)."""
    files = [{"path": p.as_posix(), "sha256": sha256_of(folder / p), "size": (folder / p).stat().st_size}
             for p in _files(folder)]
    doc: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "generator": {"name": meta.generator, "version": meta.version},
        "generated_at": meta.generated_at.isoformat(),
        "as_of": meta.as_of.isoformat(),
        "tenant": meta.tenant if tenants is None else None,
        "company": meta.company if tenants is None else None,
        **({"tenants": tenants} if tenants is not None else {}),
        **({"regulation_version": {
            "version": meta.regulation_version,
            "effective_from": meta.regulation_effective_from.isoformat() if meta.regulation_effective_from else None,
        }} if tenants is None and meta.regulation_version else {}),
        "store": meta.store,
        "formats": formats,
        "files": files,
        "signature": signature,
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


@dataclass
class Verification:
    """What differs between a folder and its manifest(s); paths relative to the folder verified."""

    folder: Path
    altered: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # each manifest read, by its folder

    @property
    def intact(self) -> bool:
        return not (self.altered or self.added or self.removed)

    def merge(self, other: Verification, prefix: str) -> None:
        for mine, theirs in ((self.altered, other.altered), (self.added, other.added),
                             (self.removed, other.removed), (self.manifests, other.manifests)):
            for p in theirs:
                full = f"{prefix}/{p}" if prefix else p
                if full not in mine:
                    mine.append(full)
        for sub, doc in other.documents.items():
            self.documents[f"{prefix}/{sub}".strip("/") if sub else prefix] = doc


def _verify_one(folder: Path) -> Verification:
    try:
        doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed = {f["path"]: f for f in doc["files"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{folder / MANIFEST}: not a readable regtrace manifest ({exc})") from exc
    result = Verification(folder, manifests=[MANIFEST], documents={"": doc})
    present = {p.as_posix() for p in _files(folder)}
    for path, entry in sorted(listed.items()):
        if path not in present:
            result.removed.append(path)
        elif (folder / path).stat().st_size != entry["size"] or sha256_of(folder / path) != entry["sha256"]:
            result.altered.append(path)
    result.added = sorted(present - listed.keys())
    return result


def verify(folder: Path) -> Verification:
    """Check `folder` against its manifest and every manifest below it."""
    if not (folder / MANIFEST).is_file():
        raise InputError(f"{folder}: no {MANIFEST} (not a regtrace export folder)")
    result = Verification(folder)
    for manifest in sorted(folder.rglob(MANIFEST)):
        sub = manifest.parent
        prefix = sub.relative_to(folder).as_posix()
        result.merge(_verify_one(sub), "" if prefix == "." else prefix)
    for bucket in (result.altered, result.added, result.removed):
        bucket.sort()
    return result
