"""A signing key and a self-signed X.509 certificate for signed exports (`regtrace keys create`).

The key is RSA 3072 (PKCS#8 PEM, unencrypted, file mode 0600); the certificate is self-signed, SHA-256, with
key usage digitalSignature and nonRepudiation (critical), not a CA, valid from now for `days` days. An examiner
trusts it by comparing its SHA-256 fingerprint with the one the company hands over (`verify-export --trust`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from regtrace.errors import InputError

KEY_FILE = "signing-key.pem"
CERT_FILE = "signing-cert.pem"
DEFAULT_DAYS = 730
MAX_DAYS = 3650


@dataclass(frozen=True)
class CreatedKeys:
    key: Path
    cert: Path
    subject: str
    fingerprint: str  # SHA-256 of the certificate's DER, hex
    not_after: dt.datetime


def _subject(name: str, org: str | None, country: str | None) -> x509.Name:
    if not name.strip():
        raise InputError("--name: the signer's name is empty")
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, name.strip())]
    if org and org.strip():
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org.strip()))
    if country:
        if len(country) != 2 or not country.isalpha():
            raise InputError(f"--country: {country!r} is not a two-letter country code (e.g. TW)")
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country.upper()))
    return x509.Name(attrs)


def create_keys(folder: Path, name: str, org: str | None = None, country: str | None = "TW",
                days: int = DEFAULT_DAYS, now: dt.datetime | None = None) -> CreatedKeys:
    """Write folder/signing-key.pem (0600) and folder/signing-cert.pem; existing files are never overwritten."""
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"--days: {days} is not between 1 and {MAX_DAYS}")
    subject = _subject(name, org, country)
    key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
    for path in (key_path, cert_path):
        if path.exists():
            raise InputError(f"{path}: already exists; nothing was written (choose another --out folder)")
    start = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - dt.timedelta(minutes=5))
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key_pem)
    os.chmod(key_path, 0o600)  # whatever the umask
    try:
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    except OSError:
        key_path.unlink()
        raise
    return CreatedKeys(key_path, cert_path, subject.rfc4514_string(),
                       cert.fingerprint(hashes.SHA256()).hex(), cert.not_valid_after_utc)
