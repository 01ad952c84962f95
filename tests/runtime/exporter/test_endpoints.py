"""The exporter against real PostgreSQL and Redis, a fake AWX API and a fake Kubernetes API:
metric names and labels as scraped over HTTP, and the endpoints when everything is healthy."""

from __future__ import annotations

import json

from tests.fakes.awx_status import FakeAwx
from tests.fakes.kubernetes_api import FakeKubernetes
from tests.runtime.exporter.process import (
    AWX_NAME,
    NAMESPACE,
    exporter_environment,
    running_exporter,
)
from tests.services.postgres import PostgresServer
from tests.services.redis_server import RedisServer

IDENTITY = (("name", AWX_NAME), ("namespace", NAMESPACE))
COMPONENTS = {"database", "redis", "awx_api", "task_capacity", "kubernetes", "deployment"}


def test_every_metric_has_its_contract_name_labels_and_value_when_all_is_healthy(
    postgres: PostgresServer, redis_server: RedisServer, awx: FakeAwx, kubernetes: FakeKubernetes
) -> None:
    environment = exporter_environment(
        postgres.environment(),
        awx.url,
        kubernetes.url,
        REDIS_URL=redis_server.url,
        AWX_TOKEN=awx.token,
    )
    with running_exporter(environment) as exporter:
        health = exporter.wait_for_checks()
        assert health["status"] == "Healthy", health

        assert exporter.values("awx_deployment_status") == {IDENTITY: 1.0}
        assert exporter.values("awx_task_capacity_total") == {IDENTITY: 100.0}
        assert exporter.values("awx_task_capacity_used") == {IDENTITY: 15.0}
        assert exporter.component_health() == dict.fromkeys(COMPONENTS, 1.0)
        for labels in exporter.values("awx_platform_component_health"):
            assert [key for key, _ in labels] == ["component", "name", "namespace"]
        pods = {
            (dict(labels)["pod_type"], dict(labels)["phase"]): value
            for labels, value in exporter.values("awx_pod_status").items()
        }
        assert pods[("web", "Running")] == 1
        assert pods[("task", "Running")] == 2
        assert pods[("postgres", "Running")] == 1
        assert pods[("task", "Pending")] == 0
        assert {phase for kind, phase in pods if kind == "task"} == {
            "Pending",
            "Running",
            "Succeeded",
            "Failed",
            "Unknown",
        }
        for labels in exporter.values("awx_pod_status"):
            assert [key for key, _ in labels] == ["name", "namespace", "phase", "pod_type"]
            assert dict(labels)["name"] == AWX_NAME


def test_endpoints_answer_liveness_readiness_and_a_health_document(
    postgres: PostgresServer, redis_server: RedisServer, awx: FakeAwx, kubernetes: FakeKubernetes
) -> None:
    environment = exporter_environment(
        postgres.environment(), awx.url, kubernetes.url, REDIS_URL=redis_server.unix_url
    )
    with running_exporter(environment) as exporter:
        exporter.wait_for_checks()
        assert exporter.get("/healthz") == (200, b"ok\n")
        status, body = exporter.get("/ready")
        assert status == 200, body
        assert json.loads(body)["ready"] is True
        status, body = exporter.get("/health")
        document = json.loads(body)
        assert status == 200
        assert set(document["components"]) == COMPONENTS
        for name, component in document["components"].items():
            expected = "NotConfigured" if name == "task_capacity" else "Healthy"
            assert component["status"] == expected, (name, component)
            assert component["reason"]
            assert component["latency_seconds"] is not None
        assert document["components"]["redis"]["reason"] == "PING answered PONG"
        assert exporter.get("/nothing")[0] == 404
