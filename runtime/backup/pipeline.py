"""The byte path of a backup: plain stream -> compression -> encryption -> store, and back.

No temporary file: chunks of CHUNK bytes move between threads through bounded channels
(runtime/backup/streams.py), so at most a few MiB are in flight whatever the database size:
on the way out, compression and encryption each run in a thread and the encryptor writes into
the store's writer, which uploads one part while the next fills (runtime/backup/stores/parts.py).
The sha256 of the stored bytes is computed on the way, and that of the plain stream unless the
compression checks the plain bytes itself (zstd's content checksum); a stage that fails
(pg_dump's exit status included) aborts the object, which then never becomes visible.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import subprocess
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from runtime.backup.compression import (
    Chunk,
    Decompressor,
    compressor,
    corrupt,
    covers_plain_stream,
    decompressor,
)
from runtime.backup.crypto import Opener, Sealer
from runtime.backup.store import BackupStore, ObjectWriter
from runtime.backup.streams import CHUNK, Stages, buffered_reader
from runtime.errors import AwxRuntimeError

Progress = Callable[[int], None]
_F_SETPIPE_SZ = 1031


@dataclass(frozen=True)
class ObjectRecord:
    key: str
    role: str
    size: int
    sha256: str
    plain_sha256: str | None
    """None when the compression's own checksum covers the plain stream (zstd)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "role": self.role,
            "size": self.size,
            "sha256": self.sha256,
            "plain_sha256": self.plain_sha256,
        }


def _ignore(_: int) -> None:
    return None


def seal_object(
    store: BackupStore,
    key: str,
    role: str,
    plain: Iterable[Chunk],
    *,
    compression: str,
    sealer: Sealer,
    progress: Progress = _ignore,
) -> ObjectRecord:
    """Write `plain` (an iterable of chunks, which may raise to fail the object) under `key`.

    Each chunk is used before the next is drawn, so `plain` may reuse one buffer.
    """
    stages = Stages()
    compressed = stages.channel()
    plain_hash = None if covers_plain_stream(compression) else hashlib.sha256()

    def compress() -> None:
        packer = compressor(compression)
        for chunk in plain:
            if stages.cancel.is_set():
                return
            if plain_hash is not None:
                plain_hash.update(chunk)
            if packed := packer.compress(chunk):
                compressed.put(packed)
        compressed.put(packer.flush())
        compressed.put(None)

    writer = store.open_writer(key)
    # The encryptor writes straight into the store's writer (which uploads parts on a thread
    # of its own): a channel and a thread there would only hold more bytes in memory.
    sink = _StoredStream(writer, progress)

    def encrypt() -> None:
        sealer.encrypt(buffered_reader(compressed), sink)

    stages.start("compress", compress)
    stages.start("encrypt", encrypt)
    try:
        stages.join()
    except BaseException:
        writer.abort()
        raise
    committed = writer.commit()
    if committed.size != sink.size:
        writer.abort()
        raise AwxRuntimeError(
            f"{store.description}: {key} holds {committed.size} bytes, {sink.size} were written",
            "integrity",
        )
    plain_digest = plain_hash.hexdigest() if plain_hash is not None else None
    return ObjectRecord(key, role, sink.size, sink.sha256.hexdigest(), plain_digest)


class _StoredStream:
    """The file the encryptor writes to: counts and hashes the stored bytes on their way into
    the store's writer."""

    def __init__(self, writer: ObjectWriter, progress: Progress) -> None:
        self._writer = writer
        self._progress = progress
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: Any) -> int:
        self.sha256.update(data)
        self._writer.write(data)
        count = len(data)
        self.size += count
        self._progress(count)
        return count


def open_object(
    store: BackupStore,
    record: ObjectRecord,
    *,
    compression: str,
    opener: Opener,
    sink: Callable[[bytes], None],
    progress: Progress = _ignore,
) -> None:
    """Stream one object back to `sink` as plain bytes, checking checksums and sizes."""
    what = f"{store.description}/{record.key}"
    stages = Stages()
    fetched = stages.channel()

    def fetch() -> None:
        digest = hashlib.sha256()
        size = 0
        for chunk in store.read(record.key, CHUNK):
            digest.update(chunk)
            size += len(chunk)
            fetched.put(chunk)
            progress(len(chunk))
        if size != record.size:
            raise corrupt(what, f"{size} bytes stored, the manifest says {record.size}")
        if digest.hexdigest() != record.sha256:
            raise corrupt(what, "sha256 of the stored object differs from the manifest")
        fetched.put(None)

    def open_and_unpack() -> None:
        # The decryptor writes straight into the decompressor, whose output goes to the sink:
        # a thread and a channel between them only cost CPU next to pg_restore.
        unpacking = _Unpacking(decompressor(compression, what), sink, record.plain_sha256)
        opener.decrypt(buffered_reader(fetched), unpacking, what)
        unpacking.finish(what)

    stages.start("fetch", fetch)
    stages.start("decrypt", open_and_unpack)
    stages.join()


class _Unpacking:
    """The file the decryptor writes to: decompresses, checks the plain stream's sha256 when
    the manifest has one (older backups carry it even for zstd), and feeds the sink."""

    def __init__(
        self, unpacker: Decompressor, sink: Callable[[bytes], None], plain_sha256: str | None
    ) -> None:
        self._unpacker = unpacker
        self._sink = sink
        self._expected = plain_sha256
        self._digest = hashlib.sha256() if plain_sha256 is not None else None

    def write(self, data: Any) -> int:
        for piece in self._unpacker.decompress(data):
            if piece:
                if self._digest is not None:
                    self._digest.update(piece)
                self._sink(piece)
        return len(data)

    def finish(self, what: str) -> None:
        self._unpacker.finish()
        if self._digest is not None and self._digest.hexdigest() != self._expected:
            raise corrupt(what, "sha256 of the plain stream differs from the manifest")


class DumpProcess:
    """pg_dump (or pg_restore) as a child whose exit status and stderr tail are checked."""

    def __init__(self, command: list[str], env: dict[str, str], stdin: bool = False) -> None:
        self.name = command[0].rsplit("/", 1)[-1]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL if stdin else subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self._stderr: list[bytes] = []
        pipe = self.process.stdin if stdin else self.process.stdout
        if pipe is not None:
            # A 1 MiB pipe (Linux default 64 KiB) means fewer wake-ups per MiB moved.
            with contextlib.suppress(OSError):
                fcntl.fcntl(pipe.fileno(), _F_SETPIPE_SZ, CHUNK)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr = [*self._stderr[-20:], line]

    def error_text(self) -> str:
        lines = [line.decode(errors="replace").strip() for line in self._stderr]
        errors = [line for line in lines if "error" in line.lower()] or lines
        return errors[-1] if errors else "no message"

    def check(self) -> None:
        """Wait for the exit and raise on a non-zero status."""
        status = self.process.wait()
        self._reader.join()
        if status != 0:
            raise AwxRuntimeError(
                f"{self.name} failed (exit {status}): {self.error_text()}", kind=self.name
            )

    def kill(self) -> None:
        """Stop it if still running and release its pipes (always called at the end)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._reader.join()
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()

    def output_chunks(self) -> Iterable[Chunk]:
        """stdout in CHUNK pieces; the exit status is checked at the end of the stream.

        Every piece is a view of ONE reused buffer, valid until the next is read: the consumer
        (compression) uses it at once, and no 1 MiB object is allocated per MiB dumped, which
        kept the peak RSS growing with the dump size (heap fragmentation across threads).
        """
        stream = self.process.stdout
        assert isinstance(stream, io.BufferedReader)
        buffer = memoryview(bytearray(CHUNK))
        while count := stream.readinto(buffer):
            yield buffer[:count]
        self.check()
