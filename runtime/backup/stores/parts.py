"""Part-wise streaming shared by the multipart stores: fill one part while the previous one
uploads, so memory holds two parts whatever the object's size, and never a copy of one."""

from __future__ import annotations

import contextlib
import hashlib
import io
import mmap
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

Upload = Callable[[int, memoryview], None]


class PartReader(io.RawIOBase):
    """A seekable, read-only file over one part's bytes. The SDKs stream a file body in small
    reads (and seek back to retry), where a bytes body would have to be copied out first."""

    def __init__(self, part: memoryview) -> None:
        super().__init__()
        self._part = part
        self._position = 0

    def __len__(self) -> int:
        return len(self._part)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        piece = self._part[self._position : self._position + len(target)]
        count = len(piece)
        with memoryview(target) as view:
            view.cast("B")[:count] = piece
        self._position += count
        return count

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._part) if size is None or size < 0 else self._position + size
        piece = bytes(self._part[self._position : end])
        self._position += len(piece)
        return piece

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._part)}
        self._position = max(0, base[whence] + offset)
        return self._position

    def tell(self) -> int:
        return self._position


class PartPipeline:
    """Cuts written bytes into `part_size` parts and hands each to `upload(number, part)` on one
    background thread; at most one part uploads while the next fills.

    The two part buffers are anonymous memory maps, written in place: a page costs memory only
    once written, so a small object (a lock, the Secrets archive) costs what it holds, and no
    part is ever copied out of its buffer. `upload` gets a read-only view that is valid until
    it returns.

    With `max_parts` (S3: 10,000 parts, Azure: 50,000 blocks) the part size doubles after
    every tenth of them, so an object of any size fits the store's limit without a setting to
    guess: memory stays two parts of the current size, and grows only for objects larger than
    a tenth of `part_size * max_parts` (on S3 at 8 MiB parts: 7.8 GiB of stored bytes, about
    a 100 GB database).
    """

    def __init__(
        self, part_size: int, upload: Upload, *, max_parts: int | None = None, md5: bool = False
    ) -> None:
        self._base_size = part_size
        self._part_size = part_size
        self._doubling_every = max(1, max_parts // 10) if max_parts else None
        self._upload = upload
        self._filling = mmap.mmap(-1, part_size)
        self._spare: mmap.mmap | None = None
        self._used = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="part-upload")
        self._pending: Future[None] | None = None
        self._number = 0
        self.size = 0
        self.md5 = hashlib.md5(usedforsecurity=False) if md5 else None

    def write(self, chunk: bytes | memoryview) -> None:
        with memoryview(chunk) as data:
            self.size += len(data)
            if self.md5 is not None:
                self.md5.update(data)
            offset = 0
            while offset < len(data):
                count = min(len(data) - offset, self._part_size - self._used)
                self._filling[self._used : self._used + count] = data[offset : offset + count]
                self._used += count
                offset += count
                if self._used == self._part_size:
                    self._submit()

    def _submit(self) -> None:
        # The previous part's upload must end before its buffer becomes the one to fill.
        self._wait()
        self._number += 1
        full = self._filling
        part = memoryview(full)[: self._used].toreadonly()
        self._pending = self._executor.submit(self._upload, self._number, part)
        self._part_size = self._size_of(self._number + 1)
        spare = self._spare
        if spare is None or len(spare) != self._part_size:
            spare = mmap.mmap(-1, self._part_size)
        self._filling, self._spare = spare, full
        self._used = 0

    def _size_of(self, number: int) -> int:
        if self._doubling_every is None:
            return self._base_size
        return self._base_size << ((number - 1) // self._doubling_every)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def finish(self, always_last: bool = False) -> int:
        """Upload what is buffered (an empty last part only when `always_last` or no part was
        sent yet) and wait; returns the number of parts."""
        if self._used or self._number == 0 or always_last:
            self._submit()
        self._wait()
        self._executor.shutdown()
        return self._number

    def cancel(self) -> None:
        # Aborting anyway: a failed part's error was raised to the writer already.
        with contextlib.suppress(Exception):
            self._wait()
        self._executor.shutdown()
