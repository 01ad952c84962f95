"""The control plane's own CA, serving and client certificates, and service-account keys.

Everything is made once per cluster directory and reused on restart, so kubeconfigs and
tokens stay valid. Keys are written 0600: they are the cluster's admin credentials.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# The first address of the service range, which the API server's in-cluster Service takes.
SERVICE_CIDR = "10.96.0.0/16"
KUBERNETES_SERVICE_IP = "10.96.0.1"
VALIDITY = datetime.timedelta(days=3650)


@dataclass(frozen=True)
class Identity:
    """A client certificate's subject: the user name and the groups RBAC sees."""

    file_name: str
    user: str
    groups: tuple[str, ...] = ()


ADMIN = Identity("admin", "kubernetes-admin", ("system:masters",))
CONTROLLER_MANAGER = Identity("controller-manager", "system:kube-controller-manager")
SCHEDULER = Identity("scheduler", "system:kube-scheduler")
# kwok plays every kubelet; the Node authorizer would want one identity per node, so it
# runs with the admin group like kind's and kwokctl's setups do.
KWOK = Identity("kwok", "kwok-controller", ("system:masters",))
CLIENTS = (ADMIN, CONTROLLER_MANAGER, SCHEDULER, KWOK)


@dataclass(frozen=True)
class Pki:
    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def serving_cert(self) -> Path:
        return self.directory / "apiserver.crt"

    @property
    def serving_key(self) -> Path:
        return self.directory / "apiserver.key"

    @property
    def service_account_key(self) -> Path:
        return self.directory / "service-account.key"

    @property
    def service_account_public_key(self) -> Path:
        return self.directory / "service-account.pub"

    def client_cert(self, identity: Identity) -> Path:
        return self.directory / f"{identity.file_name}.crt"

    def client_key(self, identity: Identity) -> Path:
        return self.directory / f"{identity.file_name}.key"


def ensure(directory: Path) -> Pki:
    """Make whatever of the PKI is missing in `directory`, and return where it lives."""
    pki = Pki(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if not pki.ca_cert.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "awx-platform-local-ca")])
        cert = (
            _builder(name, name, key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        _write_key(pki.ca_key, key)
        pki.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    ca_key = _load_key(pki.ca_key)
    ca_name = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes()).subject
    if not pki.serving_cert.exists():
        names = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                 "kubernetes.default.svc.cluster.local"]  # fmt: skip
        addresses = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address(KUBERNETES_SERVICE_IP)]
        san = x509.SubjectAlternativeName(
            [x509.DNSName(n) for n in names] + [x509.IPAddress(a) for a in addresses]
        )
        _issue(
            pki.serving_cert, pki.serving_key, Identity("apiserver", "kube-apiserver"),
            issuer=(ca_name, ca_key), usage=ExtendedKeyUsageOID.SERVER_AUTH, san=san,
        )  # fmt: skip
    for identity in CLIENTS:
        if not pki.client_cert(identity).exists():
            _issue(
                pki.client_cert(identity), pki.client_key(identity), identity,
                issuer=(ca_name, ca_key), usage=ExtendedKeyUsageOID.CLIENT_AUTH, san=None,
            )  # fmt: skip
    if not pki.service_account_key.exists():
        # RSA: every Kubernetes version verifies RS256 service-account tokens.
        signing = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _write_key(pki.service_account_key, signing)
        pki.service_account_public_key.write_bytes(
            signing.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    return pki


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
    )


def _issue(
    cert_path: Path,
    key_path: Path,
    identity: Identity,
    *,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey],
    usage: x509.ObjectIdentifier,
    san: x509.SubjectAlternativeName | None,
) -> None:
    ca_name, ca_key = issuer
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, group) for group in identity.groups]
        + [x509.NameAttribute(NameOID.COMMON_NAME, identity.user)]
    )
    builder = _builder(subject, ca_name, key.public_key()).add_extension(
        x509.ExtendedKeyUsage([usage]), critical=False
    )
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    _write_key(key_path, key)
    signed = builder.sign(ca_key, hashes.SHA256())
    cert_path.write_bytes(signed.public_bytes(serialization.Encoding.PEM))


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"{path}: expected the EC key this module writes")
    return key
