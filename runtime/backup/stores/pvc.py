"""Backups as files on a mounted volume: a hidden temp file beside the target, fsync, rename.

The rename is atomic within a directory, and the directory is fsynced after it, so a crash
leaves either no file or the whole file under its key. Temp files start with `.tmp-` and are
never listed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from runtime.backup.store import (
    ObjectNotFoundError,
    StoreAccessDeniedError,
    StoredObject,
    StoreError,
    StoreIntegrityError,
    StoreNotFoundError,
)

TEMP_PREFIX = ".tmp-"


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _stored(key: str, path: Path) -> StoredObject:
    status = path.stat()
    return StoredObject(key, status.st_size, datetime.fromtimestamp(status.st_mtime, UTC))


class PvcWriter:
    def __init__(self, store: PvcStore, key: str) -> None:
        self._key = key
        self._target = store.path_of(key)
        self._target.parent.mkdir(parents=True, exist_ok=True)
        self._temp = self._target.with_name(f"{TEMP_PREFIX}{self._target.name}.{os.getpid()}")
        self._file = self._temp.open("wb")
        self._size = 0
        self._description = store.description

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._size += len(chunk)

    def commit(self) -> StoredObject:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._temp, self._target)
        _fsync_directory(self._target.parent)
        stored = _stored(self._key, self._target)
        if stored.size != self._size:
            raise StoreIntegrityError(
                f"{self._description}/{self._key}: stored {stored.size} bytes, wrote {self._size}"
            )
        return stored

    def abort(self) -> None:
        self._file.close()
        self._temp.unlink(missing_ok=True)


class PvcStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = f"pvc:{root}"

    def path_of(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(
            part in ("", ".", "..") or part.startswith(TEMP_PREFIX) for part in parts
        ):
            raise StoreError(f"{self.description}: invalid object key {key!r}")
        return self.root.joinpath(*parts)

    def check_access(self) -> None:
        if not self.root.is_dir():
            raise StoreNotFoundError(
                f"{self.description}: directory does not exist (BACKUP_PVC_PATH; is the volume "
                "mounted?)"
            )
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreAccessDeniedError(f"{self.description}: directory is not writable")

    def open_writer(self, key: str) -> PvcWriter:
        self.check_access()
        return PvcWriter(self, key)

    def read(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        try:
            handle = self.path_of(key).open("rb")
        except FileNotFoundError:
            raise ObjectNotFoundError(f"{self.description}/{key}: no such object") from None
        with handle:
            while chunk := handle.read(chunk_size):
                yield chunk

    def stat(self, key: str) -> StoredObject:
        try:
            return _stored(key, self.path_of(key))
        except FileNotFoundError:
            raise ObjectNotFoundError(f"{self.description}/{key}: no such object") from None

    def list(self, prefix: str) -> Iterator[StoredObject]:
        self.check_access()
        found: list[StoredObject] = []
        for directory, _subdirectories, files in os.walk(self.root):
            for name in files:
                if name.startswith(TEMP_PREFIX):
                    continue
                path = Path(directory, name)
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    with contextlib.suppress(FileNotFoundError):
                        found.append(_stored(key, path))
        yield from sorted(found, key=lambda stored: stored.key)

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        writer = self.open_writer(key)
        try:
            writer.write(data)
            return writer.commit()
        except BaseException:
            writer.abort()
            raise

    def create_exclusive(self, key: str, data: bytes) -> bool:
        self.check_access()
        path = self.path_of(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        try:
            os.write(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        _fsync_directory(path.parent)
        return True

    def get_bytes(self, key: str) -> bytes:
        return b"".join(self.read(key))

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.path_of(key).unlink(missing_ok=True)
