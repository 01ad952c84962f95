"""A real Prometheus Pushgateway (Debian's prometheus-pushgateway) on a free port, in memory."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.services.postgres import free_port
from tests.services.readiness import wait_until_ready


@dataclass(frozen=True)
class Pushgateway:
    url: str

    def groups(self) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/api/v1/metrics", timeout=10)
        response.raise_for_status()
        data: list[dict[str, Any]] = response.json()["data"]
        return data

    def value(self, job: str, metric: str, **labels: str) -> float | None:
        """The pushed value of `metric` whose labels include `labels`, in group `job`."""
        for group in self.groups():
            if group["labels"].get("job") != job:
                continue
            for sample in (group.get(metric) or {}).get("metrics", []):
                if all(sample["labels"].get(key) == value for key, value in labels.items()):
                    return float(sample["value"])
        return None


@contextmanager
def running_pushgateway() -> Iterator[Pushgateway]:
    binary = shutil.which("prometheus-pushgateway") or shutil.which("pushgateway")
    if binary is None:
        raise RuntimeError("prometheus-pushgateway not found: scripts/system-deps.sh installs it")
    port = free_port()
    process = subprocess.Popen(
        # Debian's build defaults --persistence.file to /var/lib/prometheus/pushgateway.data,
        # which every instance would share (and load at start); empty keeps this one in memory.
        [binary, f"--web.listen-address=127.0.0.1:{port}", "--persistence.file="],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{url}/-/ready", process, "prometheus-pushgateway")
        yield Pushgateway(url)
    finally:
        process.terminate()
        process.wait(timeout=10)
