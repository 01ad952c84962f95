"""Scrape latency of the exporter, healthy and while a dependency hangs, and its check latencies.

Real PostgreSQL and Redis, the fake AWX and Kubernetes APIs of the tests; the figures show
that a scrape reads the cached results (no slower while AWX takes 3 s to answer) and what each
check costs. Then the same against the local control plane (`make cluster`; started here if
it is not running): the AWX resource stored by the real API server, two pods kwok runs, the
exporter on a token issued for a ServiceAccount with the exporter's Role, so the `kubernetes`
check's latency is a real API server's. Medians of ROUNDS scrapes, printed only.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kubernetes import client  # noqa: E402

from components.monitoring.platform_exporter import role_rules  # noqa: E402
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
from tests.services.cluster import (  # noqa: E402
    account_with_role,
    api,
    ensure_namespace,
    running_cluster,
    suffix,
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


def report(exporter: Exporter, where: str) -> None:
    health = exporter.wait_for_checks()
    print(f"{where}: /metrics, all healthy: {median_ms(exporter, '/metrics'):.1f} ms median")
    print(f"{where}: /health, all healthy: {median_ms(exporter, '/health'):.1f} ms median")
    for name, component in sorted(health["components"].items()):
        latency = component["latency_seconds"]
        print(f"{where}: check latency {name}: {1000 * latency:.1f} ms ({component['status']})")


def on_the_local_cluster(postgres: Any, redis: Any, awx: FakeAwx) -> None:
    with running_cluster() as kubeconfig, tempfile.TemporaryDirectory() as scratch:
        kube = api(kubeconfig)
        namespace = f"bench-exporter-{suffix()}"
        ensure_namespace(kube, namespace)
        try:
            custom: Any = client.CustomObjectsApi(kube)
            custom.create_namespaced_custom_object(
                "awx.ansible.com", "v1beta1", namespace, "awxs",
                {"apiVersion": "awx.ansible.com/v1beta1", "kind": "AWX",
                 "metadata": {"name": AWX_NAME}, "spec": {}},
            )  # fmt: skip
            core: Any = client.CoreV1Api(kube)
            for pod in healthy_pods():
                # The fake's pods (names, the operator's labels), for kwok to run.
                metadata: Any = pod["metadata"]
                container = {"name": "awx", "image": "quay.io/ansible/awx:24.6.1"}
                core.create_namespaced_pod(
                    namespace,
                    {"metadata": {"name": metadata["name"], "labels": dict(metadata["labels"])},
                     "spec": {"containers": [container]}},
                )  # fmt: skip
            # The exporter's own Role (components/monitoring/platform_exporter.py).
            rules = role_rules(AWX_NAME)
            with (
                account_with_role(
                    kube, kubeconfig, f"{namespace}/awx-exporter", rules, Path(scratch)
                ) as account,
                running_exporter(
                    exporter_environment(
                        postgres.environment(),
                        awx.url,
                        account.url,
                        REDIS_URL=redis.url,
                        AWX_TOKEN=awx.token,
                        AWX_NAMESPACE=namespace,
                        **account.env("EXPORTER"),
                    )
                ) as exporter,
            ):
                exporter.wait_for_component("deployment", "Healthy")
                report(exporter, "local cluster")
        finally:
            core = client.CoreV1Api(kube)
            core.delete_namespace(namespace)


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
                report(exporter, "fake API")
                awx.delay_seconds = 3
                exporter.wait_for_component("awx_api", "Unhealthy", "timed out")
                hanging = median_ms(exporter, "/metrics")
                print(f"fake API: /metrics, AWX hanging 3 s: {hanging:.1f} ms median")
                awx.delay_seconds = 0
            on_the_local_cluster(postgres, redis, awx)
    finally:
        awx.server.stop()
        kubernetes.server.stop()


if __name__ == "__main__":
    main()
