"""A minimal directory store satisfying runtime.backup.store.BackupStore, for the backup
command tests until runtime.backup.stores (written in parallel) is merged; then the tests use
`open_store` and this module is only the fallback when that package is absent."""

from __future__ import annotations

import importlib.util
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from runtime.backup import commands
from runtime.backup.store import (
    BackupStore,
    ObjectNotFoundError,
    StoredObject,
    StoreNotFoundError,
)


class _Writer:
    def __init__(self, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        self._target = target
        self._temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
        self._file = self._temp.open("wb")
        self._size = 0

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._size += len(chunk)

    def commit(self) -> StoredObject:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._temp.rename(self._target)
        stat = self._target.stat()
        return StoredObject(
            str(self._target), stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)
        )

    def abort(self) -> None:
        self._file.close()
        self._temp.unlink(missing_ok=True)


class DirectoryStore:
    def __init__(self, root: str) -> None:
        self.root = Path(root)
        self.description = f"dir://{root}"

    def _path(self, key: str) -> Path:
        return self.root / key

    def _object(self, path: Path) -> StoredObject:
        stat = path.stat()
        key = str(path.relative_to(self.root))
        return StoredObject(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def open_writer(self, key: str) -> _Writer:
        return _Writer(self._path(key))

    def read(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        try:
            handle = self._path(key).open("rb")
        except FileNotFoundError:
            raise ObjectNotFoundError(f"{self.description}/{key} not found") from None
        with handle:
            while chunk := handle.read(chunk_size):
                yield chunk

    def stat(self, key: str) -> StoredObject:
        try:
            return self._object(self._path(key))
        except FileNotFoundError:
            raise ObjectNotFoundError(f"{self.description}/{key} not found") from None

    def list(self, prefix: str) -> Iterator[StoredObject]:
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                item = self._object(path)
                if item.key.startswith(prefix):
                    yield item

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        writer = self.open_writer(key)
        writer.write(data)
        return writer.commit()

    def create_exclusive(self, key: str, data: bytes) -> bool:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        return True

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFoundError(f"{self.description}/{key} not found") from None

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._path(key).unlink(missing_ok=True)

    def check_access(self) -> None:
        if not self.root.is_dir():
            raise StoreNotFoundError(f"{self.description}: no such directory")


def open_directory_store(env: Mapping[str, str]) -> BackupStore:
    return DirectoryStore(env["BACKUP_PVC_PATH"])


def install_fallback() -> None:
    """Use the directory store when runtime.backup.stores is not there (before the merge)."""
    if importlib.util.find_spec("runtime.backup.stores") is None:
        commands.store_factory = open_directory_store
