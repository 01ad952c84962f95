"""The plain stream's integrity: zstd's own content checksum for zstd objects, sha256 otherwise.

zstd objects carry no plain sha256 (it cost ~2 s of CPU per GB); these tests show that a
damaged plain stream is still caught, and that an older manifest's plain sha256 is still
checked.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

import pyrage
import pytest

from runtime.backup.compression import compressor, decompressor
from runtime.backup.crypto import AgeOpener, AgeSealer
from runtime.backup.pipeline import ObjectRecord, open_object, seal_object
from runtime.backup.stores.pvc import PvcStore
from runtime.errors import AwxRuntimeError

PLAIN = os.urandom(1 << 16) * 40  # compressible, several chunks' worth once expanded


def zstd_bytes(data: bytes) -> bytearray:
    packer = compressor("zstd")
    return bytearray(packer.compress(data) + packer.flush())


def test_zstd_frames_carry_a_content_checksum_that_zstd_cli_checks(tmp_path: Path) -> None:
    packed = zstd_bytes(PLAIN)
    path = tmp_path / "dump.zst"
    path.write_bytes(bytes(packed))
    assert subprocess.run(["zstd", "-q", "-t", str(path)], check=False).returncode == 0
    packed[-2] ^= 0x01  # inside the trailing xxh64
    path.write_bytes(bytes(packed))
    damaged = subprocess.run(["zstd", "-q", "-t", str(path)], capture_output=True, check=False)
    assert damaged.returncode != 0


def test_a_damaged_zstd_plain_stream_is_reported_corrupt() -> None:
    packed = zstd_bytes(PLAIN)
    packed[-2] ^= 0x01
    unpacker = decompressor("zstd", "pvc/b/database.dump.zst.age")
    with pytest.raises(AwxRuntimeError, match=r"database\.dump\.zst\.age is corrupt: zstd"):
        unpacker.decompress(bytes(packed))
        unpacker.finish()


def _round_trip(tmp_path: Path, compression: str) -> tuple[PvcStore, ObjectRecord, AgeOpener]:
    identity = pyrage.x25519.Identity.generate()
    identity_file = tmp_path / "identity"
    identity_file.write_text(f"{identity}\n")
    (tmp_path / "store").mkdir()
    store = PvcStore(tmp_path / "store")
    sealer = AgeSealer((str(identity.to_public()),), "BACKUP_AGE_RECIPIENTS")
    chunks = [PLAIN[start : start + (1 << 20)] for start in range(0, len(PLAIN), 1 << 20)]
    record = seal_object(
        store, "b/database.dump", "database", chunks, compression=compression, sealer=sealer
    )
    return store, record, AgeOpener(str(identity_file), "BACKUP_AGE_IDENTITY_FILE")


@pytest.mark.parametrize("compression", ["zstd", "gzip", "none"])
def test_plain_sha256_is_recorded_unless_zstd_covers_it(tmp_path: Path, compression: str) -> None:
    store, record, opener = _round_trip(tmp_path, compression)
    assert (record.plain_sha256 is None) == (compression == "zstd")
    out: list[bytes] = []
    open_object(store, record, compression=compression, opener=opener, sink=out.append)
    assert b"".join(out) == PLAIN


def test_an_older_manifests_plain_sha256_is_still_checked_for_zstd(tmp_path: Path) -> None:
    store, record, opener = _round_trip(tmp_path, "zstd")
    older = dataclasses.replace(record, plain_sha256="0" * 64)
    with pytest.raises(AwxRuntimeError, match="sha256 of the plain stream differs"):
        open_object(store, older, compression="zstd", opener=opener, sink=lambda _: None)
