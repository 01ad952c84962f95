"""What every backup store offers the backup commands: objects under keys, written as a stream.

A store holds a backup as several objects under `<prefix>/<backup name>/`; the commands decide
the keys. A stream written with `open_writer` is invisible (absent from `list`, `stat`, reads)
until `commit` returns, so a killed or failed run never leaves an object that looks whole.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from runtime.errors import AwxRuntimeError

LOG = logging.getLogger("awx_runtime.backup.store")
"""Where the stores' retries are logged (runtime/retry.py)."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: datetime
    """Last modification time, timezone-aware UTC."""


class StoreError(AwxRuntimeError):
    """A store operation failed after the bounded retries; the message names the store and key."""

    def __init__(self, message: str, kind: str = "storage") -> None:
        super().__init__(message, kind)


class StoreNotFoundError(StoreError):
    """The bucket, container or directory itself does not exist."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "storage-missing")


class StoreAccessDeniedError(StoreError):
    """Credentials are missing, wrong or lack a permission."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "storage-auth")


class ObjectNotFoundError(StoreError):
    """A key does not exist (or is not committed yet)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "object-missing")


class StoreIntegrityError(StoreError):
    """The store's view of a committed object differs from what was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "integrity")


class ObjectWriter(Protocol):
    def write(self, chunk: bytes) -> None:
        """Append bytes; uploads in parts as they fill, memory stays bounded."""

    def commit(self) -> StoredObject:
        """Finish the object, then check the store's size (and the store's own checksum where it
        keeps one) against what was written; raise StoreIntegrityError on any difference."""

    def abort(self) -> None:
        """Drop everything written so far (abort the multipart upload, remove the temp file)."""


class BackupStore(Protocol):
    description: str
    """Where the store points, for messages and logs, e.g. `s3://bucket/prefix`. No secrets."""

    def open_writer(self, key: str) -> ObjectWriter: ...

    def read(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """Stream an object's bytes (raises ObjectNotFoundError)."""
        ...

    def stat(self, key: str) -> StoredObject:
        """Size and time of a committed object (raises ObjectNotFoundError)."""
        ...

    def list(self, prefix: str) -> Iterator[StoredObject]:
        """Committed objects whose key starts with `prefix` (`""` lists everything)."""
        ...

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        """Write a small object whole (manifest, lock), replacing any existing one."""
        ...

    def create_exclusive(self, key: str, data: bytes) -> bool:
        """Write a small object only if `key` does not exist; False when it did (lock).

        Atomic in the store: S3 `If-None-Match: *`, Azure `if_none_match="*"`, GCS
        `if_generation_match=0`, a volume `O_CREAT | O_EXCL`."""
        ...

    def get_bytes(self, key: str) -> bytes: ...

    def delete(self, keys: Iterable[str]) -> None:
        """Remove objects; keys that are already gone are not an error."""
        ...

    def check_access(self) -> None:
        """Fail fast (StoreNotFoundError, StoreAccessDeniedError) before any backup work."""
        ...
