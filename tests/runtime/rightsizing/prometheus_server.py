"""A real Prometheus (Debian's) over backfilled history, on 127.0.0.1 and a free port.

The history is turned into TSDB blocks once and cached by the generator's source and
parameters (promtool is slow with its default 2-hour blocks, so it writes blocks of up to
486 hours). Prometheus compacts the blocks it opens, so each run serves a copy of the cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from tests.runtime.rightsizing import history as history_module
from tests.runtime.rightsizing.history import History, Parameters
from tests.services.postgres import free_port
from tests.services.readiness import wait_until_ready

CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "awx-platform" / "rightsize"
)


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: scripts/system-deps.sh installs Debian's prometheus")
    return found


def cache_key(parameters: Parameters) -> str:
    source = Path(history_module.__file__).read_bytes()
    digest = hashlib.sha256(source + repr(sorted(asdict(parameters).items())).encode())
    return digest.hexdigest()[:16]


def blocks(history: History) -> Path:
    """The TSDB blocks of `history`, from the cache or made now."""
    target = CACHE / cache_key(history.parameters)
    if (target / "done").exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=CACHE))
    try:
        source = work / "history.om"
        with source.open("w") as file:
            file.writelines(history.openmetrics())
        subprocess.run(
            [
                _binary("promtool"),
                "tsdb",
                "create-blocks-from",
                "openmetrics",
                "--max-block-duration=486h",
                "--quiet",
                str(source),
                str(work / "data"),
            ],
            check=True,
            capture_output=True,
        )
        source.unlink()
        (work / "data" / "done").touch()
        try:
            (work / "data").rename(target)
        except OSError:
            if not (target / "done").exists():  # another session won the race: use theirs
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


@contextmanager
def running_prometheus(data: Path) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="rightsize-prometheus-") as directory:
        storage = Path(directory) / "data"
        shutil.copytree(data, storage, ignore=shutil.ignore_patterns("done"))
        config = Path(directory) / "prometheus.yml"
        config.write_text("global:\n  scrape_interval: 1m\n")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = Path(directory) / "prometheus.log"
        with log_path.open("w") as log_file:
            process = subprocess.Popen(
                [
                    _binary("prometheus"),
                    f"--config.file={config}",
                    f"--storage.tsdb.path={storage}",
                    "--storage.tsdb.retention.time=100y",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=log_file,
            )
        try:
            wait_until_ready(
                f"{url}/-/ready", process, "prometheus", 60, lambda: log_path.read_text()[-2000:]
            )
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)
