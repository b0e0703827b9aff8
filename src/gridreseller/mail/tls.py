"""The submission server's TLS context (docs/smtp.md): the operator's certificate, or a
self-signed one made at start, whose SHA-256 fingerprint clients can pin."""

from __future__ import annotations

import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SELF_SIGNED_DAYS = 365


@dataclass(frozen=True)
class Tls:
    context: ssl.SSLContext
    fingerprint: str  # SHA-256 of the certificate's DER bytes, AA:BB:...
    self_signed: bool


class TlsError(Exception):
    """The certificate or key cannot be used; the message names the file."""


def server_tls(cert_file: Path | None, key_file: Path | None, hostname: str) -> Tls:
    """The operator's certificate and key, or a self-signed pair for `hostname`."""
    if cert_file is None and key_file is None:
        cert_pem, key_pem = self_signed_pair(hostname)
        return Tls(_context_from_pem(cert_pem, key_pem), fingerprint(cert_pem), True)
    if cert_file is None or key_file is None:
        raise TlsError("--tls-cert and --tls-key go together")
    try:
        cert_pem = cert_file.read_bytes()
        context = _context()
        context.load_cert_chain(cert_file, key_file)
        return Tls(context, fingerprint(cert_pem), False)
    except (OSError, ValueError, ssl.SSLError) as error:
        raise TlsError(f"cannot use {cert_file} and {key_file}: {_reason(error)}") from None


def self_signed_pair(hostname: str) -> tuple[bytes, bytes]:
    """A P-256 key and a certificate for `hostname`, both PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname[:64] or "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=SELF_SIGNED_DAYS))
        .add_extension(x509.SubjectAlternativeName(_alternative_names(hostname)), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def fingerprint(cert_pem: bytes) -> str:
    digest = x509.load_pem_x509_certificate(cert_pem).fingerprint(hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)


def _alternative_names(hostname: str) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(hostname)))
    except ValueError:
        names.append(x509.DNSName(hostname or "localhost"))
    return names


def _context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _context_from_pem(cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    """ssl loads keys only from files: a private directory, removed at once."""
    context = _context()
    with tempfile.TemporaryDirectory(prefix="gridreseller-tls-") as directory:
        cert_path, key_path = Path(directory, "cert.pem"), Path(directory, "key.pem")
        cert_path.write_bytes(cert_pem)
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as key_out:
            key_out.write(key_pem)
        context.load_cert_chain(cert_path, key_path)
    return context


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
