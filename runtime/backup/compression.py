"""Compression of the dump stream: zstd level 3 (default), gzip level 6, or none.

Objects carry the standard suffix (`.zst`, `.gz`) so `zstd -d` / `gunzip` open them by hand.
Decompression checks that the stream ended where the format says it ends: a truncated
archive is an error, not a shorter dump.

zstd frames carry their own content checksum (xxh64, `write_checksum`), which libzstd checks
on decompression: it replaces a sha256 of the plain stream, which cost ~2 s of CPU per GB
(see `covers_plain_stream`).
"""

from __future__ import annotations

import zlib
from typing import Literal, Protocol

import zstandard

from runtime.errors import AwxRuntimeError

Compression = Literal["zstd", "gzip", "none"]
COMPRESSIONS: tuple[Compression, ...] = ("zstd", "gzip", "none")
SUFFIXES: dict[str, str] = {"zstd": ".zst", "gzip": ".gz", "none": ""}
ZSTD_LEVEL = 3
ZSTD_THREADS = 0
"""0: compress in the calling thread (measured against 1 and 2 workers, see docs/runtime.md)."""
GZIP_LEVEL = 6
_GZIP_WBITS = 31  # zlib with a gzip header and trailer
_SLICE = 1 << 17
"""Compressed bytes fed per decompression call, so one call's output stays bounded."""


Chunk = bytes | memoryview
"""A piece of the plain stream: the dump's pieces are views of one reused buffer."""


class Compressor(Protocol):
    def compress(self, chunk: Chunk) -> bytes: ...
    def flush(self) -> bytes: ...


class Decompressor(Protocol):
    def decompress(self, chunk: bytes) -> list[bytes]: ...
    def finish(self) -> None: ...


class _Identity:
    def compress(self, chunk: Chunk) -> bytes:
        return bytes(chunk)  # a copy: the caller may reuse the buffer behind `chunk`

    def flush(self) -> bytes:
        return b""

    def decompress(self, chunk: bytes) -> list[bytes]:
        return [chunk]

    def finish(self) -> None:
        return None


def covers_plain_stream(compression: str) -> bool:
    """Whether the format checks the plain bytes itself, so no sha256 of them is needed."""
    return compression == "zstd"


class _Zstd:
    def __init__(self) -> None:
        self._compress = zstandard.ZstdCompressor(
            level=ZSTD_LEVEL, write_checksum=True, threads=ZSTD_THREADS
        ).compressobj()

    def compress(self, chunk: Chunk) -> bytes:
        return self._compress.compress(chunk)

    def flush(self) -> bytes:
        return self._compress.flush()


class _Gzip:
    def __init__(self) -> None:
        self._compress = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, _GZIP_WBITS)

    def compress(self, chunk: Chunk) -> bytes:
        return self._compress.compress(chunk)

    def flush(self) -> bytes:
        return self._compress.flush()


class _ZstdDecompressor:
    def __init__(self, what: str) -> None:
        self._what = what
        self._object = zstandard.ZstdDecompressor().decompressobj()

    def decompress(self, chunk: bytes) -> list[bytes]:
        view = memoryview(chunk)
        try:
            return [
                self._object.decompress(view[start : start + _SLICE])
                for start in range(0, len(view), _SLICE)
            ]
        except zstandard.ZstdError as failure:
            raise corrupt(self._what, f"zstd: {failure}") from None

    def finish(self) -> None:
        if not self._object.eof:
            raise corrupt(self._what, "zstd stream is truncated")


class _GzipDecompressor:
    def __init__(self, what: str) -> None:
        self._what = what
        self._object = zlib.decompressobj(_GZIP_WBITS)

    def decompress(self, chunk: bytes) -> list[bytes]:
        pieces = []
        data = chunk
        try:
            while data:
                pieces.append(self._object.decompress(data, 16 * _SLICE))
                data = self._object.unconsumed_tail
        except zlib.error as failure:
            raise corrupt(self._what, f"gzip: {failure}") from None
        return pieces

    def finish(self) -> None:
        if not self._object.eof:
            raise corrupt(self._what, "gzip stream is truncated")


def corrupt(what: str, problem: str) -> AwxRuntimeError:
    return AwxRuntimeError(f"{what} is corrupt: {problem}", kind="corrupt")


def compressor(compression: str) -> Compressor:
    if compression == "zstd":
        return _Zstd()
    if compression == "gzip":
        return _Gzip()
    return _Identity()


def decompressor(compression: str, what: str) -> Decompressor:
    if compression == "zstd":
        return _ZstdDecompressor(what)
    if compression == "gzip":
        return _GzipDecompressor(what)
    return _Identity()
