"""Runs `awx-runtime exporter` as a real process against the test services, and reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from prometheus_client.parser import text_string_to_metric_families

from tests.fakes.kubernetes_api import pod
from tests.services.postgres import free_port

ROOT = Path(__file__).resolve().parents[3]
AWX_NAME = "awx"
NAMESPACE = "awx"
T = TypeVar("T")


@dataclass(frozen=True)
class Sample:
    name: str
    labels: Mapping[str, str]
    value: float


@dataclass
class Exporter:
    url: str
    process: subprocess.Popen[bytes]

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def health(self) -> dict[str, Any]:
        return json.loads(self.get("/health")[1])

    def component(self, name: str) -> dict[str, Any]:
        return self.health()["components"][name]

    def samples(self) -> list[Sample]:
        status, body = self.get("/metrics")
        assert status == 200
        return [
            Sample(sample.name, sample.labels, sample.value)
            for family in text_string_to_metric_families(body.decode())
            for sample in family.samples
        ]

    def values(self, metric: str) -> dict[tuple[tuple[str, str], ...], float]:
        """Samples of one metric keyed by their sorted label pairs."""
        return {
            tuple(sorted(s.labels.items())): s.value for s in self.samples() if s.name == metric
        }

    def component_health(self) -> dict[str, float]:
        return {
            dict(labels)["component"]: value
            for labels, value in self.values("awx_platform_component_health").items()
        }

    def wait_for_component(self, name: str, status: str, reason_part: str = "") -> dict[str, Any]:
        """The component's result once it has `status` (and a reason containing `reason_part`)."""

        def probe() -> dict[str, Any] | None:
            result: dict[str, Any] | None = self.health()["components"].get(name)
            if result and result["status"] == status and reason_part in result["reason"]:
                return result
            return None

        return eventually(probe)

    def wait_for_checks(self) -> dict[str, Any]:
        return eventually(lambda: self.health() if self.health()["components"] else None)


def eventually(probe: Callable[[], T | None], attempts_seconds: float = 30) -> T:
    """Polls until `probe` returns something other than None (a wait, not a timed assertion)."""
    deadline = time.monotonic() + attempts_seconds
    while True:
        try:
            result = probe()
        except (urllib.error.URLError, ConnectionError):
            result = None
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached in {attempts_seconds}s")
        time.sleep(0.1)


def exporter_environment(
    database: Mapping[str, str], awx_url: str, kube_url: str, **extra: str
) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PG", "REDIS", "AWX_", "EXPORTER_"))
    }
    environment.update(database)
    environment.update(
        AWX_DEPLOYMENT_NAME=AWX_NAME,
        AWX_NAMESPACE=NAMESPACE,
        AWX_API_URL=awx_url,
        EXPORTER_KUBE_API_URL=kube_url,
        EXPORTER_BIND="127.0.0.1",
        EXPORTER_INTERVAL="0.3",
    )
    environment.update(extra)
    return environment


def run_exporter_command(
    *arguments: str, environment: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runtime", "--log-format", "text", "exporter", *arguments],
        check=False,
        cwd=ROOT,
        env=dict(environment),
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextmanager
def running_exporter(environment: Mapping[str, str], *arguments: str) -> Iterator[Exporter]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime", "exporter", "--port", str(port), *arguments],
        cwd=ROOT,
        env=dict(environment),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    exporter = Exporter(f"http://127.0.0.1:{port}", process)
    try:
        eventually(lambda: exporter.get("/healthz")[0] == 200 or None)
        yield exporter
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
        assert process.returncode == 0, errors.decode()


def healthy_pods() -> list[dict[str, object]]:
    return [
        pod(AWX_NAME, NAMESPACE, "web", 0),
        pod(AWX_NAME, NAMESPACE, "task", 0),
        pod(AWX_NAME, NAMESPACE, "task", 1),
        pod(AWX_NAME, NAMESPACE, "postgres-15", 0),
    ]
