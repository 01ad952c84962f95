"""Part-wise streaming shared by the multipart stores: fill one part while the previous one
uploads, so memory holds at most two parts whatever the object's size."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor


class PartPipeline:
    """Cuts written bytes into `part_size` parts and hands each to `upload(number, data)` on one
    background thread; at most one part uploads while the next fills."""

    def __init__(self, part_size: int, upload: Callable[[int, bytes], None]) -> None:
        self._part_size = part_size
        self._upload = upload
        self._buffer = bytearray()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="part-upload")
        self._pending: Future[None] | None = None
        self._number = 0
        self.size = 0
        self.md5 = hashlib.md5(usedforsecurity=False)

    def write(self, chunk: bytes) -> None:
        self._buffer += chunk
        self.size += len(chunk)
        self.md5.update(chunk)
        while len(self._buffer) >= self._part_size:
            # Wait for the previous part before copying this one out, so a full buffer, its
            # copy and a part in flight never coexist: at most two parts are held.
            self._wait()
            with memoryview(self._buffer) as view:
                part = bytes(view[: self._part_size])
            del self._buffer[: self._part_size]
            self._submit(part)

    def _submit(self, part: bytes) -> None:
        self._wait()
        self._number += 1
        self._pending = self._executor.submit(self._upload, self._number, part)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def finish(self, always_last: bool = False) -> int:
        """Upload what is buffered (an empty last part only when `always_last` or no part was
        sent yet) and wait; returns the number of parts."""
        if self._buffer or self._number == 0 or always_last:
            self._submit(bytes(self._buffer))
            self._buffer = bytearray()
        self._wait()
        self._executor.shutdown()
        return self._number

    def cancel(self) -> None:
        self._buffer = bytearray()
        # Aborting anyway: a failed part's error was raised to the writer already.
        with contextlib.suppress(Exception):
            self._wait()
        self._executor.shutdown()
