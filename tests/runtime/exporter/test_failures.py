"""Each failure mode of each dependency gives the documented status, reason and metric values."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psycopg

from tests.fakes.awx_status import FakeAwx, FakeInstance
from tests.fakes.kubernetes_api import FakeKubernetes, awx_resource, pod
from tests.runtime.exporter.process import (
    AWX_NAME,
    NAMESPACE,
    running_exporter,
)
from tests.services.postgres import free_port, running_postgres
from tests.services.redis_server import RedisServer

Environment = Callable[..., dict[str, str]]


# --- PostgreSQL ---------------------------------------------------------------------------


def test_database_unreachable_is_unhealthy_but_the_exporter_stays_ready(
    base_environment: Environment,
) -> None:
    with running_exporter(base_environment(PGPORT=str(free_port()))) as exporter:
        health = exporter.wait_for_checks()
        database = health["components"]["database"]
        assert database["status"] == "Unhealthy"
        assert "OperationalError" in database["reason"]
        assert health["status"] == "Unhealthy"
        assert exporter.get("/health")[0] == 503
        assert exporter.component_health()["database"] == 0.0
        # Readiness must not follow what the exporter reports on, or its zeros would vanish.
        assert exporter.get("/ready")[0] == 200


def test_database_going_down_and_coming_back_is_followed(base_environment: Environment) -> None:
    with (
        running_postgres() as server,
        running_exporter(base_environment(**server.environment())) as exporter,
    ):
        exporter.wait_for_component("database", "Healthy")
        server.stop()
        exporter.wait_for_component("database", "Unhealthy")
        assert exporter.component_health()["database"] == 0.0
        server.start()
        exporter.wait_for_component("database", "Healthy")
        assert exporter.component_health()["database"] == 1.0


def test_secrets_come_from_mounted_files_before_the_environment(
    base_environment: Environment, tmp_path: Path
) -> None:
    # How the pod gets them (components/pods.py SecretFile): files, with no value in env.
    healthy = base_environment()
    (tmp_path / "password").write_text(healthy["PGPASSWORD"] + "\n")
    (tmp_path / "token").write_text(healthy["AWX_TOKEN"])
    environment = base_environment(
        PGPASSWORD="not-the-password",
        PGPASSWORD_FILE=str(tmp_path / "password"),
        AWX_TOKEN_FILE=str(tmp_path / "token"),
    )
    del environment["AWX_TOKEN"]
    with running_exporter(environment) as exporter:
        components = exporter.wait_for_checks()["components"]
        assert components["database"]["status"] == "Healthy", components["database"]
        assert components["task_capacity"]["status"] == "Healthy", components["task_capacity"]


def test_wrong_database_password_is_unhealthy(base_environment: Environment) -> None:
    with running_exporter(base_environment(PGPASSWORD="not-the-password")) as exporter:
        database = exporter.wait_for_checks()["components"]["database"]
        assert database["status"] == "Unhealthy"
        assert "password authentication failed" in database["reason"]


def test_database_in_recovery_is_unhealthy(base_environment: Environment) -> None:
    with running_postgres(standby=True) as standby:
        with psycopg.connect(**standby.connection_kwargs()) as connection:  # type: ignore[arg-type]
            assert connection.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        with running_exporter(base_environment(**standby.environment())) as exporter:
            database = exporter.wait_for_checks()["components"]["database"]
            assert database["status"] == "Unhealthy"
            assert "recovery" in database["reason"]
            assert exporter.component_health()["database"] == 0.0


def test_database_nearly_out_of_connection_slots_is_degraded(
    base_environment: Environment,
) -> None:
    # 13 - 3 reserved for superusers = 10 slots; 8 held here + the exporter's own = 9 (90%).
    with running_postgres(settings={"max_connections": "13"}) as server:
        held = [psycopg.connect(**server.connection_kwargs()) for _ in range(8)]  # type: ignore[arg-type]
        try:
            with running_exporter(base_environment(**server.environment())) as exporter:
                database = exporter.wait_for_checks()["components"]["database"]
                assert database["status"] == "Degraded"
                assert database["reason"] == "9 of 10 client connection slots in use"
                assert exporter.component_health()["database"] == 0.5
                for connection in held[:4]:
                    connection.close()
                exporter.wait_for_component("database", "Healthy")
        finally:
            for connection in held:
                connection.close()


# --- Redis ----------------------------------------------------------------------------------


def test_redis_going_down_is_unhealthy(
    base_environment: Environment, redis_server: RedisServer
) -> None:
    with running_exporter(base_environment(REDIS_URL=redis_server.url)) as exporter:
        exporter.wait_for_component("redis", "Healthy")
        assert exporter.component_health()["redis"] == 1.0
        redis_server.stop()
        redis = exporter.wait_for_component("redis", "Unhealthy")
        assert "ConnectionError" in str(redis["reason"])
        assert exporter.component_health()["redis"] == 0.0


def test_redis_without_url_is_not_configured_and_has_no_health_series(
    base_environment: Environment,
) -> None:
    with running_exporter(base_environment()) as exporter:
        health = exporter.wait_for_checks()
        assert health["components"]["redis"]["status"] == "NotConfigured"
        assert health["status"] == "Healthy"
        assert "redis" not in exporter.component_health()


# --- AWX API and task capacity ---------------------------------------------------------------


def test_awx_down_makes_api_and_capacity_unhealthy(
    base_environment: Environment, awx: FakeAwx
) -> None:
    awx.server.stop()
    with running_exporter(base_environment()) as exporter:
        health = exporter.wait_for_checks()
        for component in ("awx_api", "task_capacity"):
            assert health["components"][component]["status"] == "Unhealthy"
            assert "Connection refused" in health["components"][component]["reason"]
        assert exporter.component_health()["awx_api"] == 0.0
        assert exporter.values("awx_task_capacity_total") == {}
        assert exporter.values("awx_task_capacity_used") == {}


def test_awx_slower_than_the_deadline_times_out_and_scrapes_still_answer(
    base_environment: Environment, awx: FakeAwx
) -> None:
    awx.delay_seconds = 3
    with running_exporter(base_environment()) as exporter:
        health = exporter.wait_for_checks()
        for component in ("awx_api", "task_capacity"):
            assert health["components"][component]["status"] == "Unhealthy"
            assert health["components"][component]["reason"] == "timed out after 1s"
        assert exporter.component_health()["awx_api"] == 0.0
        # The other checks ran in parallel and were not held up by the slow one.
        assert health["components"]["database"]["status"] == "Healthy"


def test_awx_answering_slowly_within_the_deadline_is_degraded(
    base_environment: Environment, awx: FakeAwx
) -> None:
    awx.delay_seconds = 0.4
    environment = base_environment(EXPORTER_SLOW_THRESHOLD="0.1")
    with running_exporter(environment) as exporter:
        api = exporter.wait_for_checks()["components"]["awx_api"]
        assert api["status"] == "Degraded"
        assert api["reason"].startswith("slow: AWX 24.6.1")
        assert exporter.component_health()["awx_api"] == 0.5


def test_control_node_without_capacity_degrades_and_none_left_is_unhealthy(
    base_environment: Environment, awx: FakeAwx
) -> None:
    awx.instances[1].capacity = 0
    awx.instances[1].consumed_capacity = 0
    with running_exporter(base_environment()) as exporter:
        api = exporter.wait_for_checks()["components"]["awx_api"]
        assert api["status"] == "Degraded"
        assert api["reason"] == "AWX 24.6.1: 1 of 2 control nodes have capacity"
        awx.instances[0].capacity = 0
        exporter.wait_for_component("awx_api", "Unhealthy")


def test_task_capacity_nearly_used_is_degraded_and_exhausted_is_unhealthy(
    base_environment: Environment, awx: FakeAwx
) -> None:
    awx.instances = [
        FakeInstance("awx-task-a", 50, 48),
        FakeInstance("awx-task-b", 50, 47),
        # Execution nodes and disabled control nodes do not count towards task capacity.
        FakeInstance("awx-exec", 400, 0, node_type="execution"),
        FakeInstance("awx-task-c", 50, 0, enabled=False),
    ]
    identity = (("name", AWX_NAME), ("namespace", NAMESPACE))
    with running_exporter(base_environment()) as exporter:
        capacity = exporter.wait_for_checks()["components"]["task_capacity"]
        assert capacity["status"] == "Degraded"
        assert capacity["reason"] == "5 of 100 task capacity units left"
        assert exporter.values("awx_task_capacity_total") == {identity: 100.0}
        assert exporter.values("awx_task_capacity_used") == {identity: 95.0}
        awx.instances[1].consumed_capacity = 52
        exporter.wait_for_component("task_capacity", "Unhealthy")
        assert exporter.values("awx_task_capacity_used") == {identity: 100.0}
        assert exporter.component_health()["task_capacity"] == 0.0


def test_capacity_is_read_across_pages_of_instances(
    base_environment: Environment, awx: FakeAwx
) -> None:
    awx.page_size = 1
    with running_exporter(base_environment()) as exporter:
        exporter.wait_for_checks()
        identity = (("name", AWX_NAME), ("namespace", NAMESPACE))
        assert exporter.values("awx_task_capacity_total") == {identity: 100.0}
        assert exporter.values("awx_task_capacity_used") == {identity: 15.0}


def test_without_token_total_capacity_comes_from_ping_and_used_is_absent(
    base_environment: Environment,
) -> None:
    with running_exporter(base_environment(AWX_TOKEN="")) as exporter:
        health = exporter.wait_for_checks()
        assert health["components"]["task_capacity"]["status"] == "NotConfigured"
        identity = (("name", AWX_NAME), ("namespace", NAMESPACE))
        assert exporter.values("awx_task_capacity_total") == {identity: 100.0}
        assert exporter.values("awx_task_capacity_used") == {}
        assert "task_capacity" not in exporter.component_health()


def test_rejected_token_is_unhealthy(base_environment: Environment) -> None:
    with running_exporter(base_environment(AWX_TOKEN="revoked")) as exporter:
        capacity = exporter.wait_for_checks()["components"]["task_capacity"]
        assert capacity["status"] == "Unhealthy"
        assert capacity["reason"] == "GET /api/v2/instances/?page_size=200 answered HTTP 401"


# --- Kubernetes -----------------------------------------------------------------------------


def test_kubernetes_down_fails_readiness_and_drops_deployment_series(
    base_environment: Environment, kubernetes: FakeKubernetes
) -> None:
    kubernetes.server.stop()
    with running_exporter(base_environment()) as exporter:
        health = exporter.wait_for_checks()
        assert health["components"]["kubernetes"]["status"] == "Unhealthy"
        assert health["components"]["deployment"]["status"] == "Unhealthy"
        assert health["components"]["deployment"]["reason"].startswith("unknown")
        assert exporter.component_health()["kubernetes"] == 0.0
        assert exporter.values("awx_deployment_status") == {}
        assert exporter.values("awx_pod_status") == {}
        status, body = exporter.get("/ready")
        assert status == 503
        assert json.loads(body)["reason"] == "critical components unhealthy: kubernetes"


def test_kubernetes_refusing_access_names_the_http_status(
    base_environment: Environment, kubernetes: FakeKubernetes
) -> None:
    kubernetes.forbidden = True
    with running_exporter(base_environment()) as exporter:
        api = exporter.wait_for_checks()["components"]["kubernetes"]
        assert api["status"] == "Unhealthy"
        assert api["reason"] == "API answered HTTP 403 Forbidden"


def test_unready_task_pod_degrades_the_deployment(
    base_environment: Environment, kubernetes: FakeKubernetes
) -> None:
    kubernetes.pods.append(pod(AWX_NAME, NAMESPACE, "task", 2, phase="Pending", ready=False))
    with running_exporter(base_environment()) as exporter:
        deployment = exporter.wait_for_checks()["components"]["deployment"]
        assert deployment["status"] == "Degraded"
        assert deployment["reason"] == "web 1/1 ready, task 2/3 ready"
        identity = (("name", AWX_NAME), ("namespace", NAMESPACE))
        assert exporter.values("awx_deployment_status") == {identity: 0.5}
        pods = exporter.values("awx_pod_status")
        assert pods[(*identity[:2], ("phase", "Pending"), ("pod_type", "task"))] == 1


def test_no_ready_web_pod_or_operator_failure_or_missing_resource_is_unhealthy(
    base_environment: Environment, kubernetes: FakeKubernetes
) -> None:
    identity = (("name", AWX_NAME), ("namespace", NAMESPACE))
    kubernetes.pods[0] = pod(AWX_NAME, NAMESPACE, "web", 0, phase="Running", ready=False)
    with running_exporter(base_environment()) as exporter:
        deployment = exporter.wait_for_checks()["components"]["deployment"]
        assert deployment == deployment | {
            "status": "Unhealthy",
            "reason": "web 0/1 ready, task 2/2 ready",
        }
        assert exporter.values("awx_deployment_status") == {identity: 0.0}

        kubernetes.resources[AWX_NAME] = awx_resource(AWX_NAME, NAMESPACE, failure="bad spec")
        failed = exporter.wait_for_component("deployment", "Unhealthy", "Failure")
        assert failed["reason"] == "operator reports Failure: bad spec"

        del kubernetes.resources[AWX_NAME]
        missing = exporter.wait_for_component("deployment", "Unhealthy", "not found")
        assert missing["reason"] == f"AWX resource {AWX_NAME} not found"
        # The API itself answered: only the deployment is unhealthy, and readiness holds.
        assert exporter.component("kubernetes")["status"] == "Healthy"
        assert exporter.get("/ready")[0] == 200
