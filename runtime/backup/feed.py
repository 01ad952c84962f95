"""What verify, restore and drill share: the backup's key checked before any download, its dump
streamed into a pg_restore's stdin, and its Secrets read back."""

from __future__ import annotations

import contextlib

from runtime.backup import secrets_archive
from runtime.backup.crypto import Opener
from runtime.backup.manifest import Manifest
from runtime.backup.pipeline import DumpProcess, ObjectRecord, open_object
from runtime.backup.progress import progress
from runtime.backup.settings import BackupSettings
from runtime.backup.store import BackupStore
from runtime.errors import AwxRuntimeError


class PipeSink:
    """Feeds a child's stdin; a reader that stops early (pg_restore --list) is not an error."""

    def __init__(self, process: DumpProcess, tolerate_early_exit: bool) -> None:
        self._process = process
        self._tolerate = tolerate_early_exit
        self._closed = False

    def __call__(self, piece: bytes) -> None:
        if self._closed:
            return
        stdin = self._process.process.stdin
        assert stdin is not None
        try:
            stdin.write(piece)
        except BrokenPipeError:
            self._closed = True
            if not self._tolerate:
                self._process.check()
                raise AwxRuntimeError(
                    f"{self._process.name} stopped reading", self._process.name
                ) from None

    def finish(self) -> None:
        stdin = self._process.process.stdin
        assert stdin is not None
        with contextlib.suppress(BrokenPipeError):
            stdin.close()
        self._process.check()


def read_secrets(
    store: BackupStore, backup: Manifest, settings: BackupSettings
) -> dict[str, dict[str, str]] | None:
    record = backup.object("secrets")
    if record is None:
        return None
    pieces: list[bytes] = []
    open_object(
        store,
        record,
        compression=backup.compression,
        opener=settings.opener(),
        sink=pieces.append,
    )
    return secrets_archive.parse(b"".join(pieces), record.key)


def database_object(backup: Manifest, opener: Opener) -> ObjectRecord:
    """The backup's dump, once its key is known to open it (checked before any download)."""
    opener.check(backup.encryption, backup.name)
    record = backup.object("database")
    if record is None:
        raise AwxRuntimeError(f"backup {backup.name}: manifest lists no database", "corrupt")
    return record


def feed(
    store: BackupStore,
    backup: Manifest,
    record: ObjectRecord,
    *,
    opener: Opener,
    sink: PipeSink,
    action: str,
) -> None:
    """Stream the dump into a pg_restore's stdin, then wait for its exit status."""
    with progress(f"{action} {backup.name}", record.size) as advance:
        open_object(
            store,
            record,
            compression=backup.compression,
            opener=opener,
            sink=sink,
            progress=advance,
        )
    sink.finish()
