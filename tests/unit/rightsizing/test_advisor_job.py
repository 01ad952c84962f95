"""The in-cluster right-sizing advisor under mocks: CronJob, RBAC, the stack-values ConfigMap,
and the config errors of its section."""

from typing import Any

import pytest
import yaml

from tests.harness import ProgramRun, run_failing_program, run_program, stack_config, with_value


def run_with(stack: str = "dev", **changes: Any) -> ProgramRun:
    config = stack_config(stack)
    for path, value in changes.items():
        config = with_value(config, path.replace("__", "."), value)
    return run_program(stack, config)


def manifests(run: ProgramRun, kind: str) -> list[dict[str, Any]]:
    return [m for m in run.manifests() if m["kind"] == kind]


def named(run: ProgramRun, kind: str, name: str) -> dict[str, Any]:
    (found,) = [m for m in manifests(run, kind) if m["metadata"]["name"] == name]
    return found


def test_disabled_by_default() -> None:
    run = run_with()
    assert not [m for m in run.manifests() if "rightsizing" in m["metadata"]["name"]]


def test_weekly_cron_job_runs_the_advisor_dry_and_publishes() -> None:
    run = run_with(
        rightsizing__enabled=True,
        rightsizing__schedule="30 5 * * 1",
        rightsizing__max_risk="low",
        rightsizing__max_change_percent=20,
    )
    cron = named(run, "CronJob", "awx-rightsizing")
    assert cron["metadata"]["namespace"] == "awx-dev"
    spec = cron["spec"]
    assert spec["schedule"] == "30 5 * * 1"
    assert spec["concurrencyPolicy"] == "Forbid"
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "awx-rightsizing"
    (container,) = pod["containers"]
    assert container["args"] == ["rightsize", "--format", "markdown", "--publish"]
    assert "--apply" not in container["args"]  # changes go through a pull request only
    env = {item["name"]: item.get("value", item.get("valueFrom")) for item in container["env"]}
    # Its Events name the pod and relate to the run's Job (components/events_rbac.py).
    assert env.pop("AWX_RUNTIME_JOB_NAME") == {
        "fieldRef": {"fieldPath": "metadata.labels['batch.kubernetes.io/job-name']"}
    }
    assert env.pop("AWX_RUNTIME_JOB_UID") == {
        "fieldRef": {"fieldPath": "metadata.labels['batch.kubernetes.io/controller-uid']"}
    }
    assert env.pop("POD_NAME") == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert env == {
        "PROMETHEUS_URL": "http://prometheus-operated.monitoring.svc:9090",
        "PUSHGATEWAY_URL": "http://awx-pushgateway.monitoring.svc:9091",
        "AWX_DEPLOYMENT_NAME": "awx",
        "AWX_NAMESPACE": "awx-dev",
        "AWX_JOB_NAMESPACE": "awx-dev-jobs",
        "RIGHTSIZE_STACK_FILE": "/etc/awx-rightsizing/Pulumi.cluster.yaml",
        "RIGHTSIZE_WINDOW": "14d",
        "RIGHTSIZE_MIN_CONFIDENCE": "0.7",
        "RIGHTSIZE_MAX_RISK": "low",
        "RIGHTSIZE_MAX_CHANGE_PERCENT": "20",
        "RIGHTSIZE_REPORT_CONFIGMAP": "awx-rightsizing-report",
    }
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsNonRoot"] is True
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["stack"] == "/etc/awx-rightsizing"


def test_the_stack_values_configmap_is_a_stack_file_the_advisor_reads() -> None:
    run = run_with(rightsizing__enabled=True, rightsizing__protected=["postgres", "web"])
    configmap = named(run, "ConfigMap", "awx-rightsizing-stack")
    document = yaml.safe_load(configmap["data"]["Pulumi.cluster.yaml"])
    config = document["config"]
    assert set(config) == {
        "awx-platform:awx",
        "awx-platform:autoscaling",
        "awx-platform:rightsizing",
    }
    assert config["awx-platform:awx"]["namespace"] == "awx-dev"
    assert config["awx-platform:awx"]["resources"]["task"]["requests"]["cpu"] == "500m"
    assert config["awx-platform:autoscaling"]["job_pod"]["resources"]["limits"]["memory"] == "3Gi"
    assert config["awx-platform:rightsizing"]["protected"] == ["postgres", "web"]
    assert "secrets" not in str(config) and "password" not in str(config)


def test_its_service_account_can_write_the_report_and_events_only() -> None:
    run = run_with(rightsizing__enabled=True)
    role = named(run, "Role", "awx-rightsizing")
    assert role["metadata"]["namespace"] == "awx-dev"
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create"]},
        {
            "apiGroups": [""],
            "resources": ["configmaps"],
            "resourceNames": ["awx-rightsizing-report"],
            "verbs": ["get", "update"],
        },
        # A repeated Event is one object whose series the runtime reads and patches.
        {
            "apiGroups": ["events.k8s.io"],
            "resources": ["events"],
            "verbs": ["create", "get", "patch"],
        },
    ]
    binding = named(run, "RoleBinding", "awx-rightsizing")
    assert binding["roleRef"]["name"] == "awx-rightsizing"
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "awx-rightsizing", "namespace": "awx-dev"}
    ]
    assert named(run, "ServiceAccount", "awx-rightsizing")


BAD = [
    ("rightsizing.schedule", "every monday", "awx-platform:rightsizing.schedule"),
    ("rightsizing.min_confidence", 1.5, "awx-platform:rightsizing.min_confidence"),
    ("rightsizing.max_risk", "extreme", "awx-platform:rightsizing.max_risk"),
    ("rightsizing.max_change_percent", 0, "awx-platform:rightsizing.max_change_percent"),
    ("rightsizing.protected", ["database"], "awx-platform:rightsizing.protected[0]"),
    ("rightsizing.prices", {"cpu": -1}, "awx-platform:rightsizing.prices.cpu"),
    ("rightsizing.window", "two weeks", "awx-platform:rightsizing.window"),
    ("rightsizing.surprise", True, "awx-platform:rightsizing.surprise: unknown key"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD)
def test_bad_rightsizing_config_names_the_key(path: str, value: Any, message: str) -> None:
    config = with_value(stack_config("dev"), "rightsizing.enabled", True)
    failed = run_failing_program("dev", with_value(config, path, value))
    assert message in str(failed.error)
    assert not failed.registered or all("rightsizing" not in r.name for r in failed.registered)


def test_rightsizing_needs_monitoring() -> None:
    config = with_value(stack_config("dev"), "rightsizing.enabled", True)
    failed = run_failing_program("dev", with_value(config, "monitoring.enabled", False))
    assert "awx-platform:rightsizing.enabled: needs monitoring.enabled" in str(failed.error)
