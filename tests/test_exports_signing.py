"""Signed exports: `regtrace keys create`, `export --sign-key/--sign-cert`, and `verify-export` on signatures.

A signed export holds a PAdES-signed report.pdf and manifest.json with a detached CMS signature beside it
(manifest.json.p7s). Each tampering case below must make `verify-export` exit 1; an unsigned export still
verifies, saying it is unsigned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

import cli_process
import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from export_fixtures import TENANT, write_small_insurer
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from regtrace.exports.signing import load_signer, sign_manifest

from regtrace.stores import open_store

SIGNER = "法令遵循主管 Compliance Officer"
ORG = "範例人壽保險股份有限公司"  # as the README's example writes it


def regtrace(*args: str, store: Path, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "REGTRACE_SIGN_PASSPHRASE"}
    environ.update(REGTRACE_STORE=str(store), **env)
    return cli_process.run(args, env=environ, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("signing") / "store"
    opened = open_store(str(path))
    try:
        write_small_insurer(opened, TENANT)
    finally:
        opened.close()
    return path


def _keys(store: Path, folder: Path, name: str = SIGNER) -> tuple[Path, Path]:
    done = regtrace("keys", "create", "--out", str(folder), "--name", name, "--org", ORG, store=store)
    assert done.returncode == 0, done.stderr
    return folder / "signing-key.pem", folder / "signing-cert.pem"


def _readme_commands() -> list[list[str]]:
    """The commands under the README's "Signed exports" heading."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Signed exports\n", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line) for line in block.splitlines() if line.startswith("regtrace ")]


@pytest.fixture(scope="module")
def readme_example(store: Path, tmp_path_factory: pytest.TempPathFactory
                   ) -> tuple[Path, list[subprocess.CompletedProcess[str]]]:
    """The README's signing example run as written in an empty folder (keys/, exports/): the keys and the
    signed export the other tests examine are the ones a reader of the README makes."""
    folder = tmp_path_factory.mktemp("readme-signing")
    done = [regtrace(*command[1:], store=store, cwd=folder) for command in _readme_commands()]
    return folder, done


@pytest.fixture(scope="module")
def keys(readme_example: tuple[Path, list[subprocess.CompletedProcess[str]]]) -> tuple[Path, Path]:
    folder, done = readme_example
    assert done[0].returncode == 0, done[0].stderr
    return folder / "keys" / "signing-key.pem", folder / "keys" / "signing-cert.pem"


@pytest.fixture(scope="module")
def other_keys(store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _keys(store, tmp_path_factory.mktemp("other-keys"), "Someone Else")


@pytest.fixture(scope="module")
def signed_export(readme_example: tuple[Path, list[subprocess.CompletedProcess[str]]]) -> Path:
    folder, done = readme_example
    assert done[1].returncode == 0, done[1].stderr
    return folder / "exports"


@pytest.fixture
def copy(signed_export: Path, tmp_path: Path) -> Path:
    """A copy of the signed export for one test to tamper with."""
    return Path(shutil.copytree(signed_export, tmp_path / "copy"))


def _manifest(folder: Path) -> dict[str, object]:
    doc: dict[str, object] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return doc


def _rewrite_manifest(folder: Path) -> None:
    """What a forger does after replacing files: fresh hashes and sizes, the manifest written again."""
    doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for entry in doc["files"]:
        data = (folder / entry["path"]).read_bytes()
        entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
    (folder / "manifest.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_keys_create_writes_a_private_key_readable_by_its_owner_only_and_a_self_signed_certificate(
        keys: tuple[Path, Path], store: Path) -> None:
    key_path, cert_path = keys
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    serialization.load_pem_private_key(key_path.read_bytes(), password=None)  # unencrypted PEM
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == SIGNER
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ORG
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "TW"
    assert cert.issuer == cert.subject  # self-signed
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=730) <= lifetime <= dt.timedelta(days=731)  # the default: two years
    again = regtrace("keys", "create", "--out", str(key_path.parent), "--name", "X", store=store)
    assert again.returncode == 2 and "signing-key.pem" in again.stderr and "already exists" in again.stderr
    assert x509.load_pem_x509_certificate(cert_path.read_bytes()) == cert  # nothing overwritten


def test_a_signed_export_verifies_and_names_its_signer(signed_export: Path, keys: tuple[Path, Path],
                                                       store: Path) -> None:
    assert (signed_export / "manifest.json.p7s").is_file()
    doc = _manifest(signed_export)
    record = doc["signature"]
    assert isinstance(record, dict) and SIGNER in record["signer"] and record["signed_pdfs"] == ["report.pdf"]
    cert = x509.load_pem_x509_certificate(keys[1].read_bytes())
    assert record["certificate_sha256"] == hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    listed = {f["path"]: f["sha256"] for f in doc["files"]}  # type: ignore[attr-defined]
    assert "manifest.json.p7s" not in listed
    assert listed["report.pdf"] == hashlib.sha256((signed_export / "report.pdf").read_bytes()).hexdigest()
    checked = regtrace("verify-export", str(signed_export), store=store)
    assert checked.returncode == 0, checked.stdout
    assert "signed manifest.json, report.pdf by" in checked.stdout and SIGNER in checked.stdout
    assert "self-signed" in checked.stdout and "unsigned" not in checked.stdout
    trusted = regtrace("verify-export", str(signed_export), "--trust", str(keys[1]), store=store)
    assert trusted.returncode == 0 and "trusted (--trust)" in trusted.stdout


def test_pyhanko_validates_the_pdf_signature_as_intact_valid_and_trusted_by_the_certificate(
        signed_export: Path, keys: tuple[Path, Path]) -> None:
    from pyhanko.keys import load_cert_from_pemder

    root = load_cert_from_pemder(str(keys[1]))
    with (signed_export / "report.pdf").open("rb") as f:
        signatures = PdfFileReader(f).embedded_signatures
        assert len(signatures) == 1
        status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[root]))
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert SIGNER in status.signing_cert.subject.human_friendly
    assert signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


def test_openssl_verifies_the_manifest_signature(signed_export: Path, keys: tuple[Path, Path]) -> None:
    """What an examiner runs without regtrace: OpenSSL's CMS verification over the manifest's bytes."""
    done = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                           "-in", str(signed_export / "manifest.json.p7s"),
                           "-content", str(signed_export / "manifest.json"), "-CAfile", str(keys[1]),
                           "-purpose", "any", "-out", os.devnull], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Verification successful" in done.stderr, done.stderr


def test_a_replaced_file_with_a_rewritten_manifest_fails(copy: Path, store: Path) -> None:
    catalog = copy / "oscal-catalog.json"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("第六條", "第七條", 1), encoding="utf-8")
    _rewrite_manifest(copy)
    checked = regtrace("verify-export", str(copy), store=store)
    assert checked.returncode == 1
    assert "signature manifest.json.p7s: the signature does not match manifest.json" in checked.stdout
    assert "altered" not in checked.stdout  # the hashes alone would have passed
    assert "intact" not in checked.stdout


def test_a_byte_changed_in_the_signed_pdf_fails(copy: Path, store: Path) -> None:
    pdf = copy / "report.pdf"
    data = bytearray(pdf.read_bytes())
    at = data.index(b"stream") + 20  # inside the first stream, well within the signed byte range
    data[at] ^= 0x01
    pdf.write_bytes(bytes(data))
    checked = regtrace("verify-export", str(copy), store=store)
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    assert "altered report.pdf" in lines
    assert any(line.startswith("signature report.pdf:") for line in lines), checked.stdout


def test_bytes_appended_to_the_signed_pdf_fail_even_with_a_rewritten_manifest_hash(copy: Path) -> None:
    from regtrace.exports.manifest import verify
    from regtrace.exports.signing import check_manifest

    pdf = copy / "report.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% appended\n")
    doc = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    check = check_manifest(copy, "", doc, None)
    assert any(p.startswith("report.pdf:") for p in check.problems), check.problems
    assert verify(copy).altered == ["report.pdf"]


def test_a_removed_signature_file_is_reported(copy: Path, store: Path) -> None:
    (copy / "manifest.json.p7s").unlink()
    checked = regtrace("verify-export", str(copy), store=store)
    assert checked.returncode == 1
    assert "manifest.json.p7s: removed, though manifest.json records a signature by" in checked.stdout
    assert SIGNER in checked.stdout


def test_a_signature_by_a_different_key_fails(copy: Path, other_keys: tuple[Path, Path], store: Path) -> None:
    other = load_signer(other_keys[0], other_keys[1], None)
    sign_manifest(other, copy / "manifest.json")  # a valid signature over the same bytes, by someone else
    checked = regtrace("verify-export", str(copy), store=store)
    assert checked.returncode == 1
    assert "signed by" in checked.stdout and "Someone Else" in checked.stdout
    assert "not by the certificate the manifest names" in checked.stdout


def test_trusting_another_certificate_fails(signed_export: Path, other_keys: tuple[Path, Path],
                                            store: Path) -> None:
    checked = regtrace("verify-export", str(signed_export), "--trust", str(other_keys[1]), store=store)
    assert checked.returncode == 1
    assert "is not the trusted certificate" in checked.stdout and "Someone Else" in checked.stdout


def test_a_garbled_signature_file_is_reported(copy: Path, store: Path) -> None:
    (copy / "manifest.json.p7s").write_bytes(b"not a signature")
    checked = regtrace("verify-export", str(copy), store=store)
    assert checked.returncode == 1 and "not a readable CMS signature" in checked.stdout


def test_an_unsigned_export_still_verifies_and_says_unsigned(store: Path, keys: tuple[Path, Path],
                                                             tmp_path: Path) -> None:
    out = tmp_path / "unsigned"
    assert regtrace("export", "--format", "oscal", "--tenant", TENANT, "--out", str(out),
                    store=store).returncode == 0
    assert _manifest(out)["signature"] is None and not (out / "manifest.json.p7s").exists()
    checked = regtrace("verify-export", str(out), store=store)
    assert checked.returncode == 0
    assert "intact" in checked.stdout and "unsigned manifest.json: no signature" in checked.stdout
    expecting = regtrace("verify-export", str(out), "--trust", str(keys[1]), store=store)
    assert expecting.returncode == 1 and "unsigned, but --trust asks for a signature" in expecting.stdout
    (out / "manifest.json.p7s").write_bytes(b"x")  # a signature beside a manifest that records none
    stray = regtrace("verify-export", str(out), store=store)
    assert stray.returncode == 1 and "records no signature" in stray.stdout


def test_a_pkcs12_key_with_its_passphrase_from_the_environment_signs(store: Path, keys: tuple[Path, Path],
                                                                     tmp_path: Path) -> None:
    key = serialization.load_pem_private_key(keys[0].read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(keys[1].read_bytes())
    p12 = tmp_path / "officer.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"officer", key, cert, None,  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(b"s3cret passphrase")))
    out = tmp_path / "out"
    wrong = regtrace("export", "--format", "oscal", "--tenant", TENANT, "--out", str(out),
                     "--sign-key", str(p12), store=store, REGTRACE_SIGN_PASSPHRASE="wrong")
    assert wrong.returncode == 2 and "officer.p12" in wrong.stderr and "REGTRACE_SIGN_PASSPHRASE" in wrong.stderr
    assert not out.exists()  # nothing written
    done = regtrace("export", "--format", "oscal", "--tenant", TENANT, "--out", str(out),
                    "--sign-key", str(p12), store=store, REGTRACE_SIGN_PASSPHRASE="s3cret passphrase")
    assert done.returncode == 0, done.stderr
    record = _manifest(out)["signature"]
    assert isinstance(record, dict) and record["signed_pdfs"] == [] and SIGNER in record["signer"]
    assert cms.ContentInfo.load((out / "manifest.json.p7s").read_bytes())["content_type"].native == "signed_data"
    checked = regtrace("verify-export", str(out), "--trust", str(keys[1]), store=store)
    assert checked.returncode == 0 and "trusted (--trust)" in checked.stdout


def test_a_certificate_that_is_not_the_keys_is_refused(store: Path, keys: tuple[Path, Path],
                                                       other_keys: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = regtrace("export", "--format", "oscal", "--tenant", TENANT, "--out", str(out),
                    "--sign-key", str(keys[0]), "--sign-cert", str(other_keys[1]), store=store)
    assert done.returncode == 2 and "is not the certificate of the key" in done.stderr
    assert not out.exists()


def test_every_tenant_export_signs_each_manifest(store: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "all"
    done = regtrace("export", "--format", "oscal", "--out", str(out), "--sign-key", str(keys[0]),
                    "--sign-cert", str(keys[1]), store=store)
    assert done.returncode == 0, done.stderr
    assert (out / "manifest.json.p7s").is_file() and (out / TENANT / "manifest.json.p7s").is_file()
    listed = {f["path"] for f in _manifest(out)["files"]}  # type: ignore[attr-defined]
    assert f"{TENANT}/manifest.json.p7s" in listed  # the tenant's signature is covered by the whole's
    assert regtrace("verify-export", str(out), store=store).returncode == 0
    (out / TENANT / "manifest.json.p7s").unlink()
    checked = regtrace("verify-export", str(out), store=store)
    assert checked.returncode == 1 and f"removed {TENANT}/manifest.json.p7s" in checked.stdout.splitlines()


def test_the_readme_signing_example_runs_as_written(
        readme_example: tuple[Path, list[subprocess.CompletedProcess[str]]]) -> None:
    """The commands under the README's "Signed exports" heading, run in an empty folder (keys/, exports/)."""
    assert [c[1] for c in _readme_commands()] == ["keys", "export", "verify-export"]
    folder, done = readme_example
    for command, result in zip(_readme_commands(), done, strict=True):
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert "trusted (--trust)" in done[-1].stdout and "report.pdf" in done[-1].stdout
    assert sorted(p.name for p in (folder / "keys").iterdir()) == ["signing-cert.pem", "signing-key.pem"]


def test_an_unsigned_export_over_a_signed_one_removes_the_stale_signature(copy: Path, store: Path) -> None:
    done = regtrace("export", "--format", "oscal", "--tenant", TENANT, "--out", str(copy), store=store)
    assert done.returncode == 0, done.stderr
    assert not (copy / "manifest.json.p7s").exists() and _manifest(copy)["signature"] is None
    checked = regtrace("verify-export", str(copy), store=store)
    assert checked.returncode == 0 and "unsigned manifest.json" in checked.stdout
