"""Bad settings stop the exporter with one line naming the flag and variable; settings work."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from runtime.exporter.health.kubernetes_api import pod_type
from runtime.exporter.health.model import ComponentHealth, Status, overall
from tests.runtime.exporter.process import run_exporter_command, running_exporter
from tests.services.postgres import free_port

Environment = Callable[..., dict[str, str]]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"AWX_DEPLOYMENT_NAME": ""}, "--name / AWX_DEPLOYMENT_NAME: required, not set"),
        ({"PGHOST": ""}, "--pg-host / PGHOST: required, not set"),
        ({"EXPORTER_INTERVAL": "soon"}, "--interval / EXPORTER_INTERVAL: 'soon' is not a number"),
        (
            {"EXPORTER_CHECK_TIMEOUT": "0"},
            "--check-timeout / EXPORTER_CHECK_TIMEOUT: must be positive",
        ),
        ({"PGPORT": "5432.5"}, "--pg-port / PGPORT: '5432.5' is not an integer"),
        (
            {"REDIS_URL": "http://redis:6379"},
            "--redis-url / REDIS_URL: must start with redis://, rediss://, unix://",
        ),
        (
            {"EXPORTER_CRITICAL_COMPONENTS": "kubernetes,queue"},
            "--critical / EXPORTER_CRITICAL_COMPONENTS: unknown queue; known: database, redis, "
            "awx_api, task_capacity, kubernetes, deployment",
        ),
        (
            {"EXPORTER_KUBE_API_URL": ""},
            "--kube-api-url / EXPORTER_KUBE_API_URL: not set, not in a pod, and no usable",
        ),
    ],
)
def test_bad_setting_exits_2_naming_flag_and_variable(
    base_environment: Environment, overrides: dict[str, str], message: str
) -> None:
    result = run_exporter_command(environment=base_environment(**overrides))
    assert result.returncode == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {message}"), errors


def test_flags_take_precedence_over_the_environment(base_environment: Environment) -> None:
    environment = base_environment(AWX_DEPLOYMENT_NAME="", EXPORTER_INTERVAL="soon")
    with running_exporter(environment, "--name", "awx", "--interval", "0.3") as exporter:
        assert exporter.wait_for_checks()["status"] == "Healthy"


def test_help_names_every_flag_with_its_variable() -> None:
    result = run_exporter_command("--help", environment={})
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for flag, variable in (
        ("--port", "EXPORTER_PORT"),
        ("--name", "AWX_DEPLOYMENT_NAME"),
        ("--namespace", "AWX_NAMESPACE"),
        ("--awx-api-url", "AWX_API_URL"),
        ("--pg-host", "PGHOST"),
        ("--redis-url", "REDIS_URL"),
        ("--critical", "EXPORTER_CRITICAL_COMPONENTS"),
    ):
        assert flag in text
        assert f"env {variable}" in text
    assert "PGPASSWORD" in text
    assert "AWX_TOKEN" in text


def test_critical_components_decide_readiness(base_environment: Environment) -> None:
    environment = base_environment(
        PGPORT=str(free_port()), EXPORTER_CRITICAL_COMPONENTS="kubernetes,database"
    )
    with running_exporter(environment) as exporter:
        exporter.wait_for_checks()
        status, body = exporter.get("/ready")
        assert status == 503
        assert json.loads(body)["reason"] == "critical components unhealthy: database"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("awx-web", "web"),
        ("awx-task", "task"),
        ("awx-postgres-15", "postgres"),
        ("awx-migration-24.6.1", "migration"),
        ("other-web", "other"),
        ("awx-", "other"),
        ("", "other"),
    ],
)
def test_pod_type_comes_from_the_operator_name_label(label: str, expected: str) -> None:
    assert pod_type("awx", label) == expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((Status.HEALTHY, Status.NOT_CONFIGURED), Status.HEALTHY),
        ((Status.HEALTHY, Status.DEGRADED, Status.NOT_CONFIGURED), Status.DEGRADED),
        ((Status.DEGRADED, Status.UNHEALTHY, Status.HEALTHY), Status.UNHEALTHY),
        ((), Status.HEALTHY),
    ],
)
def test_overall_status_is_the_worst_configured_component(
    statuses: tuple[Status, ...], expected: Status
) -> None:
    results = [ComponentHealth(f"c{index}", status, "") for index, status in enumerate(statuses)]
    assert overall(results) is expected
