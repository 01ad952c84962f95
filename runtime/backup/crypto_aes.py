"""aes-256 backups: the AWS Encryption SDK message format (committing AES-256-GCM, unsigned,
1 MiB frames) under a raw AES-256 key from a file, or under an AWS KMS key.

Such an object opens with `aws-encryption-cli --decrypt` through this package's `awx-platform`
key-provider plugin (cli_key_provider below, registered in pyproject.toml).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import aws_encryption_sdk
from aws_encryption_sdk.exceptions import (
    AWSEncryptionSDKClientError,
    DecryptKeyError,
    GenerateKeyError,
)
from aws_encryption_sdk.identifiers import (
    Algorithm,
    CommitmentPolicy,
    EncryptionKeyType,
    WrappingAlgorithm,
)
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.kms import StrictAwsKmsMasterKeyProvider
from aws_encryption_sdk.key_providers.raw import RawMasterKeyProvider
from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
)

from runtime.backup.crypto import AES_SUFFIX, Writer, wrong_key
from runtime.backup.streams import CHUNK
from runtime.errors import AwxRuntimeError, ConfigurationError

PROVIDER_ID = "awx-platform"
"""Key provider ID in aes-256 messages, and the aws-encryption-cli plugin's name."""
KEY_ID = "awx-backup-key"
_FINGERPRINT_LABEL = b"awx-platform backup key fingerprint"


def read_aes_key(path: str, names: str) -> bytes:
    try:
        text = Path(path).read_text().strip()
    except OSError as failure:
        raise ConfigurationError(f"{names}: cannot read {path}: {failure.strerror}") from None
    try:
        key = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ConfigurationError(f"{names}: {path} is not base64") from None
    if len(key) != 32:
        raise ConfigurationError(f"{names}: {path} holds {len(key)} bytes, an AES-256 key is 32")
    return key


def key_fingerprint(key: bytes) -> str:
    """Names a key without revealing it (HMAC of a fixed label under the key)."""
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


class RawKeyProvider(RawMasterKeyProvider):  # type: ignore[misc]
    """A raw AES-256 wrapping key (the Encryption SDK's AES-GCM keyring layout)."""

    provider_id = PROVIDER_ID
    _key = b""

    def __init__(self, **kwargs: Any) -> None:
        """The SDK's MasterKeyProvider takes keyword arguments only; see with_key."""

    @classmethod
    def with_key(cls, key: bytes) -> RawKeyProvider:
        provider = cls()
        provider._key = key
        return provider

    def _get_raw_key(self, key_id: Any) -> WrappingKey:
        return WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=self._key,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        )


def cli_key_provider(**kwargs: list[str]) -> RawKeyProvider:
    """Entry point for `aws-encryption-cli --wrapping-keys provider=awx-platform
    key=awx-backup-key key_file=/path/to/key` (the file holds base64 of 32 bytes)."""
    files = kwargs.get("key_file") or []
    if len(files) != 1:
        raise ValueError("provider awx-platform needs exactly one key_file=PATH")
    return RawKeyProvider.with_key(read_aes_key(files[0], "key_file"))


@dataclass(frozen=True)
class AesKey:
    """A raw key file or a KMS key ARN (KMS wins when both are set)."""

    key_file: str | None
    kms_key_arn: str | None
    names: str
    suffix: str = AES_SUFFIX

    def _provider(self) -> Any:
        if self.kms_key_arn:
            return StrictAwsKmsMasterKeyProvider(key_ids=[self.kms_key_arn])
        if not self.key_file:
            raise ConfigurationError(f"{self.names}: one is required for aes-256 encryption")
        provider = RawKeyProvider.with_key(read_aes_key(self.key_file, self.names))
        provider.add_master_key(KEY_ID)
        return provider

    def _client(self) -> Any:
        return aws_encryption_sdk.EncryptionSDKClient(
            commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
        )

    def describe(self) -> dict[str, Any]:
        if self.kms_key_arn:
            return {"mode": "aes-256", "kms_key_arn": self.kms_key_arn}
        if not self.key_file:
            raise ConfigurationError(f"{self.names}: one is required for aes-256 encryption")
        key = read_aes_key(self.key_file, self.names)
        return {"mode": "aes-256", "key_fingerprint": key_fingerprint(key)}

    def encrypt(self, source: BinaryIO, sink: Writer) -> None:
        try:
            with self._client().stream(
                mode="e",
                source=source,
                key_provider=self._provider(),
                algorithm=Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
                frame_length=CHUNK,
            ) as encryptor:
                for piece in encryptor:
                    sink.write(piece)
        except (GenerateKeyError, BotoCoreError) as failure:
            # Only the KMS provider fails here: no access, disabled key, KMS unreachable.
            raise AwxRuntimeError(
                f"aes-256: KMS key {self.kms_key_arn} cannot make a data key "
                f"(--kms-key-arn / BACKUP_KMS_KEY_ARN): {_cause(failure)}",
                "kms",
            ) from None

    def check(self, encryption: dict[str, Any], backup: str) -> None:
        if encryption.get("mode") != "aes-256":
            raise wrong_key(
                f"backup {backup} is encrypted with {encryption.get('mode')}, not aes-256"
            )
        theirs = encryption.get("kms_key_arn")
        if theirs or self.kms_key_arn:
            # Caught here, before any download or database write; the SDK's strict KMS provider
            # would refuse a message under another key anyway (it decrypts with key ARNs only).
            if theirs != self.kms_key_arn:
                ours = self.kms_key_arn or f"the key file {self.key_file}"
                raise wrong_key(
                    f"wrong key: backup {backup} is encrypted under "
                    f"{theirs or 'a raw AES-256 key file'}, not {ours} "
                    "(--kms-key-arn / BACKUP_KMS_KEY_ARN)"
                )
            return
        if "key_fingerprint" in encryption:
            ours = self.describe()["key_fingerprint"]
            if ours != encryption["key_fingerprint"]:
                raise wrong_key(
                    f"wrong key: {self.key_file} (fingerprint {ours}) is not the key of backup "
                    f"{backup} (fingerprint {encryption['key_fingerprint']})"
                )

    def decrypt(self, source: BinaryIO, sink: Writer, what: str) -> None:
        try:
            with self._client().stream(
                mode="d", source=source, key_provider=self._provider()
            ) as decryptor:
                for piece in decryptor:
                    sink.write(piece)
        except DecryptKeyError as failure:
            if self.kms_key_arn:
                raise wrong_key(
                    f"wrong key or no access: KMS key {self.kms_key_arn} cannot open {what}: "
                    f"{_cause(failure)}"
                ) from None
            raise wrong_key(f"wrong key: cannot open {what}") from None
        except BotoCoreError as failure:
            raise AwxRuntimeError(
                f"aes-256: KMS key {self.kms_key_arn} cannot open {what}: {_cause(failure)}", "kms"
            ) from None
        except AWSEncryptionSDKClientError as failure:
            raise AwxRuntimeError(
                f"{what} is corrupt or truncated: aes-256: {failure or type(failure).__name__}",
                "corrupt",
            ) from None


def _cause(failure: BaseException) -> str:
    """The KMS (botocore) error under an Encryption SDK error, on one line.

    The SDK wraps it once per layer (master key, then provider): walk down to botocore's.
    """
    chain: list[BaseException] = []
    link: BaseException | None = failure
    while link is not None and link not in chain:
        chain.append(link)
        link = link.__cause__ or link.__context__
    botocore = [item for item in chain if isinstance(item, (ClientError, BotoCoreError))]
    cause = botocore[0] if botocore else chain[-1]
    return " ".join(str(cause).split()) or type(cause).__name__
