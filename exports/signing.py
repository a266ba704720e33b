"""Signed exports: the PDF report gets a PAdES signature, each manifest a detached CMS signature beside it.

* `report.pdf`: PAdES baseline B-B (ETSI EN 319 142-1; /SubFilter ETSI.CAdES.detached, SHA-256), made with
  pyHanko; any PDF reader shows the signer, and pyHanko or Adobe Reader validate it.
* `manifest.json.p7s`: CMS SignedData (RFC 5652), detached, DER, over the bytes of manifest.json exactly as
  written (UTF-8). An examiner checks it with OpenSSL:
  `openssl cms -verify -binary -inform DER -in manifest.json.p7s -content manifest.json -CAfile signing-cert.pem`.

The manifest records the signature (`signature`: signer, certificate fingerprint, formats, the signed PDFs);
it is written after the PDF is signed, so its hash of report.pdf is that of the signed file.
Verification checks integrity (the bytes signed are the bytes present), that both signatures are by the
certificate the manifest names, and — with a trusted certificate given — that the signer is that one.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import SignatureCoverageLevel, async_validate_detached_cms, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from regtrace.errors import InputError

from .manifest import SIGNATURE

MANIFEST_FORMAT = "CMS SignedData (RFC 5652), detached, DER, over the bytes of manifest.json"
PDF_FORMAT = "PAdES baseline B-B (ETSI EN 319 142-1), embedded in the PDF"
PKCS12_SUFFIXES = (".p12", ".pfx")


def subject_of(cert: asn1_x509.Certificate) -> str:
    """The certificate's subject as people read it (CN, O, C …)."""
    return str(cert.subject.human_friendly)


def _self_signed(cert: asn1_x509.Certificate) -> bool:
    return cert.self_signed in ("yes", "maybe")


@dataclass(frozen=True)
class ExportSigner:
    """A key and its certificate, loaded from PEM files or a PKCS#12 file."""

    signer: signers.SimpleSigner
    cert: asn1_x509.Certificate

    @property
    def subject(self) -> str:
        return subject_of(self.cert)

    @property
    def fingerprint(self) -> str:
        return str(self.cert.sha256.hex())

    def record(self, signed_pdfs: list[str]) -> dict[str, Any]:
        """What the manifest says about its signature."""
        return {
            "signer": self.subject,
            "certificate_sha256": self.fingerprint,
            "self_signed": _self_signed(self.cert),
            "manifest_signature": {"file": SIGNATURE, "format": MANIFEST_FORMAT},
            "pdf_signature": PDF_FORMAT if signed_pdfs else None,
            "signed_pdfs": signed_pdfs,
        }


def load_signer(key_file: Path, cert_file: Path | None, passphrase: str | None) -> ExportSigner:
    """Load --sign-key (PEM, or PKCS#12 .p12/.pfx holding the certificate too) and --sign-cert (PEM or DER)."""
    if not key_file.is_file():
        raise InputError(f"--sign-key: {key_file} does not exist")
    secret = passphrase.encode("utf-8") if passphrase else None
    is_p12 = key_file.suffix.lower() in PKCS12_SUFFIXES
    if is_p12 and cert_file is not None:
        raise InputError("--sign-cert: a PKCS#12 file holds its certificate; give --sign-key FILE.p12 alone")
    if not is_p12 and cert_file is None:
        raise InputError("--sign-cert: a PEM key needs its certificate (--sign-cert FILE)")
    if cert_file is not None and not cert_file.is_file():
        raise InputError(f"--sign-cert: {cert_file} does not exist")
    try:
        if is_p12:
            loaded = signers.SimpleSigner.load_pkcs12(str(key_file), passphrase=secret)  # type: ignore[no-untyped-call]
        else:
            assert cert_file is not None
            loaded = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
                str(key_file), str(cert_file), key_passphrase=secret)
    except Exception as exc:  # pyHanko and cryptography raise several kinds for unreadable or locked keys
        raise InputError(f"--sign-key: {key_file} cannot be read as a {'PKCS#12' if is_p12 else 'PEM'} key "
                         f"({exc}); a protected key takes its passphrase from REGTRACE_SIGN_PASSPHRASE") from None
    if loaded is None:
        raise InputError(f"--sign-key: {key_file} cannot be read as a {'PKCS#12' if is_p12 else 'PEM'} key with "
                         "its certificate; a protected key takes its passphrase from REGTRACE_SIGN_PASSPHRASE")
    cert = loaded.signing_cert
    if cert is None:
        raise InputError(f"--sign-key: {key_file} holds no certificate")
    if not _key_matches(loaded):
        raise InputError(f"--sign-cert: {cert_file or key_file} is not the certificate of the key in {key_file}")
    return ExportSigner(loaded, cert)


def _key_matches(loaded: signers.SimpleSigner) -> bool:
    """True when the certificate's public key belongs to the private key (a test signature verifies)."""
    probe = b"regtrace key check"
    try:
        signed = asyncio.run(loaded.async_sign_general_data(probe, "sha256", detached=True))
        with _quiet_validation():
            status = asyncio.run(async_validate_detached_cms(probe, signed["content"],
                                                             signer_validation_context=_context(None)))
    except Exception:  # a key of another kind than the certificate's cannot even sign for it
        return False
    return bool(status.intact and status.valid)


def sign_pdf(signer: ExportSigner, pdf: Path, reason: str, location: str = "Taiwan") -> None:
    """Sign `pdf` in place (PAdES B-B); the file is replaced only once the signed copy is complete."""
    meta = signers.PdfSignatureMetadata(
        field_name="RegtraceSignature", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason, location=location, name=signer.subject)
    with pdf.open("rb") as f:
        writer = IncrementalPdfFileWriter(f, strict=False)
        buffer = io.BytesIO()
        signers.sign_pdf(writer, meta, signer=signer.signer, output=buffer)
    partial = pdf.with_name(pdf.name + ".signing")
    partial.write_bytes(buffer.getvalue())
    os.replace(partial, pdf)


def sign_manifest(signer: ExportSigner, manifest: Path) -> Path:
    """Write manifest.json.p7s beside `manifest`: detached CMS over its bytes."""
    signed = asyncio.run(signer.signer.async_sign_general_data(manifest.read_bytes(), "sha256", detached=True))
    path = manifest.with_name(SIGNATURE)
    path.write_bytes(signed.dump())
    return path


def load_trust(path: Path) -> asn1_x509.Certificate:
    """A certificate to trust (PEM or DER), for `verify-export --trust`."""
    from pyhanko.keys import load_cert_from_pemder

    if not path.is_file():
        raise InputError(f"--trust: {path} does not exist")
    try:
        cert: asn1_x509.Certificate = load_cert_from_pemder(str(path))  # type: ignore[no-untyped-call]
        return cert
    except Exception as exc:  # asn1crypto and pem parsing raise several kinds
        raise InputError(f"--trust: {path} is not a PEM or DER certificate ({exc})") from None


@dataclass
class SignatureCheck:
    """What one manifest's signatures say: its signer, and each problem found (none: all good)."""

    manifest: str  # path of the manifest, relative to the folder verified
    signed: bool
    signer: str | None = None
    fingerprint: str | None = None
    self_signed: bool = False
    trusted: bool | None = None  # None: no --trust given
    pdfs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@contextmanager
def _quiet_validation() -> Iterator[None]:
    """pyHanko logs each untrusted path with a stack trace; verify-export reports trust in words instead."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _context(trust: asn1_x509.Certificate | None) -> ValidationContext:
    return ValidationContext(trust_roots=[trust] if trust is not None else [], allow_fetching=False)


def check_manifest(folder: Path, prefix: str, doc: dict[str, Any],
                   trust: asn1_x509.Certificate | None) -> SignatureCheck:
    """Check the signatures of the manifest in `folder` (already parsed as `doc`)."""
    name = f"{prefix}/manifest.json" if prefix else "manifest.json"
    sig_name = f"{prefix}/{SIGNATURE}" if prefix else SIGNATURE
    record = doc.get("signature")
    sig_path = folder / SIGNATURE
    if not isinstance(record, dict):
        check = SignatureCheck(name, signed=False)
        if sig_path.exists():
            check.problems.append(f"{sig_name}: present, but {name} records no signature")
        if trust is not None:
            check.problems.append(f"{name}: unsigned, but --trust asks for a signature by {subject_of(trust)}")
        return check
    check = SignatureCheck(name, signed=True, signer=str(record.get("signer")),
                           fingerprint=str(record.get("certificate_sha256")))
    with _quiet_validation():
        if not sig_path.is_file():
            check.problems.append(f"{sig_name}: removed, though {name} records a signature by {check.signer}")
        else:
            _check_cms(check, folder / "manifest.json", sig_path, sig_name, trust)
        pdfs = record.get("signed_pdfs") or []
        for pdf in pdfs if isinstance(pdfs, list) else []:
            label = f"{prefix}/{pdf}" if prefix else str(pdf)
            check.pdfs.append(label)
            _check_pdf(check, folder / str(pdf), label, trust)
    if trust is not None and check.trusted is None:
        check.trusted = False
    return check


def _signer_matches(check: SignatureCheck, cert: asn1_x509.Certificate, what: str,
                    trusted: bool, trust: asn1_x509.Certificate | None) -> None:
    if cert.sha256.hex() != check.fingerprint:
        check.problems.append(f"{what}: signed by {subject_of(cert)} (SHA-256 {cert.sha256.hex()[:16]}…), not by "
                              f"the certificate the manifest names ({check.signer})")
        return
    check.signer = subject_of(cert)
    check.self_signed = _self_signed(cert)
    if trust is not None:
        check.trusted = trusted if check.trusted is None else check.trusted and trusted
        if not trusted:
            check.problems.append(f"{what}: signer {subject_of(cert)} is not the trusted certificate "
                                  f"{subject_of(trust)} (SHA-256 {trust.sha256.hex()[:16]}…) nor issued by it")


def _check_cms(check: SignatureCheck, manifest: Path, sig_path: Path, sig_name: str,
               trust: asn1_x509.Certificate | None) -> None:
    try:
        info = cms.ContentInfo.load(sig_path.read_bytes())
        signed_data = info["content"]
        status = asyncio.run(async_validate_detached_cms(manifest.read_bytes(), signed_data,
                                                         signer_validation_context=_context(trust)))
    except Exception as exc:  # a damaged or foreign file: asn1crypto and pyHanko raise several kinds
        check.problems.append(f"{sig_name}: not a readable CMS signature ({type(exc).__name__})")
        return
    if not (status.intact and status.valid):
        check.problems.append(f"{sig_name}: the signature does not match manifest.json (the manifest was "
                              "changed after it was signed)")
        return
    _signer_matches(check, status.signing_cert, sig_name, bool(status.trusted), trust)


def _check_pdf(check: SignatureCheck, pdf: Path, label: str, trust: asn1_x509.Certificate | None) -> None:
    if not pdf.is_file():
        check.problems.append(f"{label}: removed, though the manifest records it as signed")
        return
    try:
        with pdf.open("rb") as f:
            reader = PdfFileReader(f, strict=False)
            found = reader.embedded_signatures
            if len(found) != 1:
                check.problems.append(f"{label}: {len(found)} signatures, expected the one regtrace made")
                return
            status = validate_pdf_signature(found[0], signer_validation_context=_context(trust))
    except Exception as exc:  # a damaged PDF: pyHanko and its parser raise several kinds
        check.problems.append(f"{label}: the PDF signature cannot be validated ({type(exc).__name__}: {exc})")
        return
    if not (status.intact and status.valid):
        check.problems.append(f"{label}: the PDF signature does not match the document (altered after signing)")
        return
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        check.problems.append(f"{label}: bytes were added after the signature (it no longer covers the file)")
        return
    _signer_matches(check, status.signing_cert, label, bool(status.trusted), trust)
