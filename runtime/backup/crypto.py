"""Encryption of backup objects: age (X25519 recipients) or aes-256 (AWS Encryption SDK).

age is the default: the backup pod holds only public keys, so a stolen backup pod cannot read
old backups. aes-256 writes the AWS Encryption SDK message format (committing AES-256-GCM,
unsigned, 1 MiB frames) under a raw AES-256 key from a file, or under an AWS KMS key; such an
object opens with `aws-encryption-cli --decrypt` (the raw key through this package's
`awx-platform` key-provider plugin, see docs/runtime.md).

The aes-256 part lives in runtime/backup/crypto_aes.py, imported only when that mode is used:
the Encryption SDK and its dependencies cost ~35 MB of memory and a second of start-up.

Both formats authenticate every chunk and detect truncation at the end of the stream.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import pyrage

from runtime.errors import AwxRuntimeError, ConfigurationError

AGE_SUFFIX = ".age"
AES_SUFFIX = ".aes256"


class Writer(Protocol):
    def write(self, data: Any, /) -> int: ...


class Sealer(Protocol):
    @property
    def suffix(self) -> str: ...

    def describe(self) -> dict[str, Any]:
        """The manifest's `encryption` entry: mode and which key, never key material."""
        ...

    def encrypt(self, source: BinaryIO, sink: Writer) -> None: ...


class Opener(Protocol):
    @property
    def suffix(self) -> str: ...

    def check(self, encryption: dict[str, Any], backup: str) -> None:
        """Fail before any download when the backup was sealed for another key."""
        ...

    def decrypt(self, source: BinaryIO, sink: Writer, what: str) -> None: ...


def wrong_key(message: str) -> AwxRuntimeError:
    return AwxRuntimeError(message, kind="wrong-key")


# --- age ---------------------------------------------------------------------------------


def parse_recipients(recipients: Sequence[str], names: str) -> list[Any]:
    if not recipients:
        raise ConfigurationError(f"{names}: required for age encryption, not set")
    parsed = []
    for recipient in recipients:
        try:
            parsed.append(pyrage.x25519.Recipient.from_str(recipient))
        except pyrage.RecipientError:
            raise ConfigurationError(
                f"{names}: {recipient[:12]}... is not an age X25519 recipient (age1...)"
            ) from None
    return parsed


def recipients_fingerprint(recipients: Sequence[str]) -> str:
    return hashlib.sha256(",".join(sorted(recipients)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class AgeSealer:
    recipients: tuple[str, ...]
    names: str
    suffix: str = AGE_SUFFIX

    def describe(self) -> dict[str, Any]:
        parse_recipients(self.recipients, self.names)
        return {
            "mode": "age",
            "recipients": list(self.recipients),
            "recipients_fingerprint": recipients_fingerprint(self.recipients),
        }

    def encrypt(self, source: BinaryIO, sink: Writer) -> None:
        pyrage.encrypt_io(source, sink, parse_recipients(self.recipients, self.names))


def read_identities(path: str, names: str) -> list[Any]:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as failure:
        raise ConfigurationError(f"{names}: cannot read {path}: {failure.strerror}") from None
    identities = []
    for line in lines:
        if line.strip() and not line.startswith("#"):
            try:
                identities.append(pyrage.x25519.Identity.from_str(line.strip()))
            except pyrage.IdentityError:
                raise ConfigurationError(
                    f"{names}: {path} holds a line that is not an age identity"
                ) from None
    if not identities:
        raise ConfigurationError(f"{names}: {path} holds no age identity (AGE-SECRET-KEY-1...)")
    return identities


@dataclass(frozen=True)
class AgeOpener:
    identity_file: str
    names: str
    suffix: str = AGE_SUFFIX

    def check(self, encryption: dict[str, Any], backup: str) -> None:
        if encryption.get("mode") != "age":
            raise wrong_key(f"backup {backup} is encrypted with {encryption.get('mode')}, not age")
        publics = {str(i.to_public()) for i in read_identities(self.identity_file, self.names)}
        if not publics & set(encryption.get("recipients", ())):
            raise wrong_key(
                f"wrong key: no identity in {self.identity_file} is a recipient of backup "
                f"{backup} (recipients fingerprint {encryption.get('recipients_fingerprint')})"
            )

    def decrypt(self, source: BinaryIO, sink: Writer, what: str) -> None:
        identities = read_identities(self.identity_file, self.names)
        try:
            pyrage.decrypt_io(source, sink, identities)
        except pyrage.DecryptError as failure:
            text = str(failure)
            if "no matching keys" in text.lower():
                raise wrong_key(f"wrong key: {self.identity_file} cannot open {what}") from None
            raise AwxRuntimeError(
                f"{what} is corrupt or truncated: age: {text}", "corrupt"
            ) from None
        except OSError as failure:
            # decrypt_io reports a payload chunk that fails authentication as an OSError
            # ("decryption error"), not as a DecryptError.
            raise AwxRuntimeError(f"{what} is corrupt: age: {failure}", "corrupt") from None
