"""The enforcer's loop serves the contract's metrics on /metrics (scraped over HTTP, parsed with
the Prometheus text parser) and a health endpoint, and stops cleanly on SIGTERM."""

import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from runtime.forks.metrics import ReconciliationMetrics, metrics_server
from tests.fakes.awx_api import FakeAwx
from tests.runtime.forks.enforcer import COMMAND, LIMITS, ROOT, environment

LABELS = {"name": "awx-prod", "namespace": "awx-ns"}


@dataclass
class Enforcer:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def scrape(self) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        text = httpx.get(f"{self.url}/metrics").text
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }


def sample(name: str, **labels: str) -> tuple[str, frozenset[tuple[str, str]]]:
    return name, frozenset({**LABELS, **labels}.items())


def _wait_for(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def enforcer(tmp_path: Path) -> Iterator[tuple[Enforcer, FakeAwx]]:
    with FakeAwx.running() as awx:
        awx.state.add_job_templates(50, forks=5)
        for template_id in (7, 8, 9):
            awx.state.job_templates[template_id]["forks"] = 99
        log = tmp_path / "enforcer.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [*COMMAND, "--url", awx.url, *LIMITS, "--instance-group", "gpu=4:1",
                 "--interval", "3600", "--metrics-address", "127.0.0.1", "--metrics-port", "0"],
                cwd=ROOT,
                env=environment(AWX_TOKEN="admin-token", **{
                    "AWX_DEPLOYMENT_NAME": LABELS["name"], "AWX_NAMESPACE": LABELS["namespace"]
                }),
                stderr=sink,
            )  # fmt: skip
        try:
            port = _serving_port(log, process)
            yield Enforcer(process, f"http://127.0.0.1:{port}", log), awx
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _serving_port(log: Path, process: subprocess.Popen[bytes]) -> int:
    found: list[int] = []

    def serving() -> bool:
        assert process.poll() is None, log.read_text()
        for line in log.read_text().splitlines():
            entry = json.loads(line)
            if entry.get("event") == "serving":
                found.append(int(entry["port"]))
        return bool(found)

    _wait_for(serving, "the metrics server")
    return found[0]


def test_metrics_count_passes_drift_errors_and_durations(
    enforcer: tuple[Enforcer, FakeAwx],
) -> None:
    running, awx = enforcer
    _wait_for(
        lambda: running.scrape().get(sample("awx_reconciliation_total", event_type="pass")),
        "the first pass",
    )
    metrics = running.scrape()
    assert metrics[sample("awx_reconciliation_total", event_type="pass")] == 1
    assert metrics[sample("awx_reconciliation_total", event_type="max_forks")] == 1
    assert metrics[sample("awx_reconciliation_total", event_type="instance_group")] == 1
    assert metrics[sample("awx_reconciliation_total", event_type="job_template")] == 3
    assert metrics[sample("awx_reconciliation_errors_total", error_type="not_found")] == 1
    for event_type in ("pass", "max_forks", "instance_group", "job_template"):
        count = sample("awx_reconciliation_duration_seconds_count", event_type=event_type)
        assert metrics[count] == (2 if event_type == "instance_group" else 1)
    total = metrics[sample("awx_reconciliation_duration_seconds_sum", event_type="pass")]
    assert total > 0
    assert awx.state.templates_above(20) == []


def test_health_and_clean_shutdown(enforcer: tuple[Enforcer, FakeAwx]) -> None:
    running, _ = enforcer
    assert httpx.get(f"{running.url}/healthz").status_code == 200
    assert httpx.get(f"{running.url}/other").status_code == 404
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(timeout=30) == 0
    assert '"event": "stopping"' in running.log.read_text()


@pytest.mark.parametrize(("stale_after", "status"), [(0.0, 503), (600.0, 200)])
def test_health_turns_unavailable_when_passes_stop(stale_after: float, status: int) -> None:
    metrics = ReconciliationMetrics("awx", "awx")
    server = metrics_server(metrics, "127.0.0.1", 0, stale_after=stale_after)
    server.start()
    try:
        time.sleep(0.01)  # some time since the last pass, so that zero tolerance is exceeded
        assert httpx.get(f"http://127.0.0.1:{server.port}/healthz").status_code == status
    finally:
        server.stop()
