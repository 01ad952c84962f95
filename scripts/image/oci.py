"""The OCI image around the root filesystem: umoci writes the layout, GNU tar the archive.

umoci (the OCI image tools' reference implementation of layout editing) takes mmdebstrap's
tarball verbatim as the one layer and writes config and manifest with the times we give it;
the archive is the layout tarred in name order with fixed times and owners, so the same
layer gives the same bytes, not only the same manifest digest.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from scripts.image.rootfs import run
from scripts.image.settings import NAME, RUNTIME_USER_ID, VENV, WORK, ImageError, Settings

SOURCE = "https://github.com/awx-platform/awx-platform"


def architecture() -> str:
    """The Debian architecture we build on, which is also its OCI name (amd64, arm64)."""
    answer = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    )
    return answer.stdout.strip()


def environment(settings: Settings) -> list[str]:
    path = f"{VENV}/bin:{settings.postgres_bin}:/usr/sbin:/usr/bin:/sbin:/bin"
    # HOME on /tmp, the one writable volume of every awx-runtime pod.
    return [f"PATH={path}", "HOME=/tmp", "LANG=C.UTF-8", "PYTHONUNBUFFERED=1"]


def labels(settings: Settings, created: str) -> dict[str, str]:
    return {
        "org.opencontainers.image.title": NAME,
        "org.opencontainers.image.version": settings.version,
        "org.opencontainers.image.revision": settings.revision,
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.source": SOURCE,
        "org.opencontainers.image.base.name": f"debian:{settings.suite}",
        "io.awx-platform.postgres-major": str(settings.postgres_major),
    }


def build_layout(settings: Settings, rootfs: Path) -> Path:
    layout = WORK / "oci"
    shutil.rmtree(layout, ignore_errors=True)
    created = datetime.fromtimestamp(settings.source_date_epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    image = f"{layout}:{settings.version}"
    log = WORK / "umoci.log"
    run(["umoci", "init", "--layout", str(layout)], log)
    run(["umoci", "new", "--image", image], log)
    history = ["--history.created", created, "--history.created_by", "scripts/image/build.py"]
    run(["umoci", "raw", "add-layer", "--image", image, *history, str(rootfs)], log)
    config = ["umoci", "config", "--image", image, "--created", created, *history,
              "--architecture", architecture(), "--os", "linux",
              "--config.user", f"{RUNTIME_USER_ID}:{RUNTIME_USER_ID}",
              "--config.workingdir", "/tmp", "--config.cmd", "--help",
              "--config.entrypoint", f"{VENV}/bin/awx-runtime"]  # fmt: skip
    config += [f"--config.env={variable}" for variable in environment(settings)]
    config += [f"--config.label={k}={v}" for k, v in labels(settings, created).items()]
    run(config, log)
    run(["umoci", "gc", "--layout", str(layout)], log)
    return layout


def manifest_digest(layout: Path, version: str) -> str:
    index = json.loads((layout / "index.json").read_text())
    tagged = [
        m["digest"]
        for m in index["manifests"]
        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == version
    ]
    if len(tagged) != 1:
        raise ImageError(f"{layout}/index.json: expected one manifest tagged {version}: {index}")
    digest: str = tagged[0]
    return digest


def write_archive(layout: Path, archive: Path, epoch: int) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_suffix(".tar.partial")
    run(["tar", "--create", "--file", str(partial), "--directory", str(layout),
         "--sort=name", f"--mtime=@{epoch}", "--clamp-mtime", "--owner=0", "--group=0",
         "--numeric-owner", "--format=posix",
         "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
         "oci-layout", "index.json", "blobs"], WORK / "tar.log")  # fmt: skip
    partial.replace(archive)
