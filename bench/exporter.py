"""Scrape latency of the exporter, healthy and while a dependency hangs, and its check latencies.

Real PostgreSQL and Redis, the fake AWX and Kubernetes APIs of the tests; the figures show
that a scrape reads the cached results (no slower while AWX takes 3 s to answer) and what each
check costs. Medians of ROUNDS scrapes, printed only.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.awx_status import FakeAwx  # noqa: E402
from tests.fakes.kubernetes_api import FakeKubernetes, awx_resource  # noqa: E402
from tests.runtime.exporter.process import (  # noqa: E402
    AWX_NAME,
    NAMESPACE,
    Exporter,
    exporter_environment,
    healthy_pods,
    running_exporter,
)
from tests.services.postgres import running_postgres  # noqa: E402
from tests.services.redis_server import running_redis  # noqa: E402

ROUNDS = 50


def median_ms(exporter: Exporter, path: str) -> float:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        exporter.get(path)
        samples.append(time.perf_counter() - started)
    return 1000 * statistics.median(samples)


def main() -> None:
    awx = FakeAwx()
    kubernetes = FakeKubernetes(
        NAMESPACE, resources={AWX_NAME: awx_resource(AWX_NAME, NAMESPACE)}, pods=healthy_pods()
    )
    awx.server.start()
    kubernetes.server.start()
    try:
        with running_postgres() as postgres, running_redis() as redis:
            environment = exporter_environment(
                postgres.environment(),
                awx.url,
                kubernetes.url,
                REDIS_URL=redis.url,
                AWX_TOKEN=awx.token,
            )
            with running_exporter(environment) as exporter:
                health = exporter.wait_for_checks()
                print(f"/metrics, all healthy: {median_ms(exporter, '/metrics'):.1f} ms median")
                print(f"/health, all healthy: {median_ms(exporter, '/health'):.1f} ms median")
                for name, component in sorted(health["components"].items()):
                    latency = component["latency_seconds"]
                    print(f"check latency {name}: {1000 * latency:.1f} ms")
                awx.delay_seconds = 3
                exporter.wait_for_component("awx_api", "Unhealthy", "timed out")
                print(f"/metrics, AWX hanging 3 s: {median_ms(exporter, '/metrics'):.1f} ms median")
    finally:
        awx.server.stop()
        kubernetes.server.stop()


if __name__ == "__main__":
    main()
