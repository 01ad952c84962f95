"""Bounded hand-over of byte chunks between the threads of a backup pipeline.

Each stage runs in its own thread so that they overlap (create: dump reader and compressor,
then encryptor writing into the store's writer, whose parts upload on a thread of their own;
read: fetcher, then decryptor writing into the decompressor); zstandard, zlib and hashlib
release the GIL on large chunks. A channel holds at most `depth` chunks, which bounds memory,
and any stage's failure cancels every channel so no thread stays blocked.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

CHUNK = 1 << 20
"""Bytes per chunk between stages: large enough to keep Python out of the per-byte cost."""
_POLL_SECONDS = 0.2


class CancelledError(Exception):
    """Another stage failed; this one stops without reporting a failure of its own."""


class Channel:
    def __init__(self, cancel: threading.Event, depth: int = 4) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(depth)
        self._cancel = cancel

    def put(self, chunk: bytes | None) -> None:
        """Hand over a chunk; None marks the end."""
        while True:
            if self._cancel.is_set():
                raise CancelledError
            try:
                self._queue.put(chunk, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue

    def get(self) -> bytes | None:
        while True:
            if self._cancel.is_set():
                raise CancelledError
            try:
                return self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue

    def chunks(self) -> Iterator[bytes]:
        while (chunk := self.get()) is not None:
            yield chunk


class ChannelReader(io.RawIOBase):
    """A readable file over a channel, for libraries that pull (pyrage, the Encryption SDK)."""

    def __init__(self, channel: Channel) -> None:
        super().__init__()
        self._channel = channel
        self._pending = memoryview(b"")
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            if self._ended:
                return 0
            chunk = self._channel.get()
            if chunk is None:
                self._ended = True
                return 0
            self._pending = memoryview(chunk)
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


def buffered_reader(channel: Channel) -> io.BufferedReader:
    return io.BufferedReader(ChannelReader(channel), CHUNK)


class Stages:
    """Threads of one pipeline; the first failure wins and cancels the rest."""

    def __init__(self) -> None:
        self.cancel = threading.Event()
        self._threads: list[threading.Thread] = []
        self._failures: list[BaseException] = []
        self._lock = threading.Lock()

    def channel(self, depth: int = 4) -> Channel:
        return Channel(self.cancel, depth)

    def start(self, name: str, work: Callable[[], None]) -> None:
        def run() -> None:
            try:
                work()
            except CancelledError:
                pass
            except BaseException as failure:
                self.fail(failure)

        thread = threading.Thread(target=run, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def fail(self, failure: BaseException) -> None:
        with self._lock:
            self._failures.append(failure)
        self.cancel.set()

    def join(self) -> None:
        """Wait for every stage; re-raise the first failure."""
        for thread in self._threads:
            thread.join()
        if self._failures:
            raise self._failures[0]
