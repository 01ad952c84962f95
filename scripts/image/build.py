"""`make image`: build dist/awx-runtime-<version>.oci.tar without a container daemon.

    python -m scripts.image.build      # settings from the environment: scripts/image/settings.py

Steps: wheelhouse of awx-platform[runtime] -> mmdebstrap root filesystem (one layer) ->
umoci layout -> archive; then the manifest digest goes to <archive>.digest and a summary
(digest, archive sha256, sizes, seconds per step) is printed. Needs root (mmdebstrap chroots,
umoci writes root-owned files) and scripts/image-deps.sh's tools. docs/runtime.md explains the
choices and what makes two builds identical.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from scripts.image import oci, rootfs
from scripts.image.settings import WORK, ImageError, Settings, load

T = TypeVar("T")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def timed(name: str, step: Callable[[], T], timings: dict[str, float]) -> T:
    started = time.monotonic()
    result = step()
    timings[name] = round(time.monotonic() - started, 1)
    print(f"image: {name:<10} {timings[name]:7.1f} s", flush=True)
    return result


def build(settings: Settings) -> dict[str, object]:
    WORK.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    layer = timed("rootfs", lambda: rootfs.build_rootfs(settings), timings)
    layout = timed("layout", lambda: oci.build_layout(settings, layer), timings)
    timed("archive", lambda: oci.write_archive(layout, settings.archive,
                                               settings.source_date_epoch), timings)  # fmt: skip
    digest = oci.manifest_digest(layout, settings.version)
    settings.digest_file.write_text(digest + "\n")
    return {
        "archive": str(settings.archive),
        "digest": digest,
        "archive_sha256": sha256(settings.archive),
        "archive_bytes": settings.archive.stat().st_size,
        "layer_sha256": sha256(layer),
        "layer_bytes": layer.stat().st_size,
        "postgres_major": settings.postgres_major,
        "suite": settings.suite,
        "source_date_epoch": settings.source_date_epoch,
        "seconds": timings,
    }


def main() -> int:
    try:
        settings = load()
        summary = build(settings)
    except ImageError as error:
        print(f"image: {error}", file=sys.stderr)
        return 1
    (WORK / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
