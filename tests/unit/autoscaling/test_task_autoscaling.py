"""Task autoscaling, disruption budgets, the job namespace and the fork capacity, under mocks."""

import ast
import json
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel

from components.autoscaling.job_pods import times
from components.settings.autoscaling import AutoscalingSettings
from tests.harness import (
    ProgramRun,
    run_changed,
)
from tests.policies.pack import POLICIES, program_resources, violations

HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"
AWX = "kubernetes:awx.ansible.com/v1beta1:AWX"


def run_with(stack: str = "local", **changes: Any) -> ProgramRun:
    return run_changed(stack, {path.replace("__", "."): value for path, value in changes.items()})


def manifests(run: ProgramRun, kind: str) -> list[dict[str, Any]]:
    return [m for m in run.manifests() if m["kind"] == kind]


def extra_settings(run: ProgramRun) -> dict[str, str]:
    spec = run.one(AWX).inputs["spec"]
    return {item["setting"]: item["value"] for item in spec["extra_settings"]}


def test_hpa_scales_the_task_deployment_up_fast_and_down_one_pod_per_cooldown() -> None:
    run = run_with(
        autoscaling__cooldown_period_seconds=600,
        autoscaling__target_cpu_utilization=65,
        autoscaling__target_memory_utilization=75,
    )
    (hpa,) = manifests(run, "HorizontalPodAutoscaler")
    assert hpa["metadata"] | {"labels": None} == {
        "name": "awx-task",
        "namespace": "awx",
        "labels": None,
    }
    spec = hpa["spec"]
    assert spec["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "awx-task",
    }
    assert (spec["minReplicas"], spec["maxReplicas"]) == (1, 3)
    assert [(m["resource"]["name"], m["resource"]["target"]) for m in spec["metrics"]] == [
        ("cpu", {"type": "Utilization", "averageUtilization": 65}),
        ("memory", {"type": "Utilization", "averageUtilization": 75}),
    ]
    assert spec["behavior"]["scaleUp"]["stabilizationWindowSeconds"] == 0
    assert spec["behavior"]["scaleDown"] == {
        "stabilizationWindowSeconds": 600,
        "selectPolicy": "Min",
        "policies": [{"type": "Pods", "value": 1, "periodSeconds": 600}],
    }
    assert run.of_type(SCALED_OBJECT) == []
    assert run.one(AWX).inputs["spec"]["task_manage_replicas"] is False


def test_a_zero_cooldown_still_removes_one_pod_at_a_time() -> None:
    (hpa,) = manifests(run_with(autoscaling__cooldown_period_seconds=0), "HorizontalPodAutoscaler")
    scale_down = hpa["spec"]["behavior"]["scaleDown"]
    assert scale_down["stabilizationWindowSeconds"] == 0
    assert scale_down["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": 15}]


def test_queue_metric_replaces_the_hpa_with_a_keda_scaled_object() -> None:
    run = run_with(autoscaling__queue_metric=True, autoscaling__fallback_replicas=2)
    assert run.of_type(HPA) == []
    (scaled,) = manifests(run, "ScaledObject")
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    assert scaled["metadata"]["name"] == "awx-task"
    spec = scaled["spec"]
    assert spec["scaleTargetRef"]["name"] == "awx-task"
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (1, 3)
    assert spec["fallback"] == {"failureThreshold": 3, "replicas": 2}
    hpa_config = spec["advanced"]["horizontalPodAutoscalerConfig"]
    assert hpa_config["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    assert hpa_config["behavior"]["scaleUp"]["stabilizationWindowSeconds"] == 0
    triggers = {t["name"]: t for t in spec["triggers"]}
    assert list(triggers) == ["pending-jobs", "control-capacity", "cpu", "memory"]
    for trigger in triggers.values():
        metadata = trigger["metadata"]
        assert metadata["serverAddress"] == "http://prometheus-operated.monitoring.svc:9090"
        assert metadata["ignoreNullValues"] == "false"
    pending = triggers["pending-jobs"]["metadata"]
    assert pending["query"] == 'max(awx_pending_jobs_total{namespace="awx"})'
    assert pending["threshold"] == "5"
    capacity = triggers["control-capacity"]["metadata"]
    assert capacity["threshold"] == "1"
    assert ">= 80 or " in capacity["query"] and "<= 30)" in capacity["query"]
    # local stack task pod requests: task 250m/512Mi, ee 100m/256Mi, redis and rsyslog 50m/64Mi.
    assert triggers["cpu"]["metadata"]["threshold"] == "0.315"
    assert triggers["memory"]["metadata"]["threshold"] == str(int(896 * 2**20 * 0.8))


def test_keda_accepts_the_fallback_only_with_average_value_and_no_cpu_memory_scalers() -> None:
    # KEDA's admission check (CheckFallbackValid) refuses anything else.
    (scaled,) = manifests(run_with(autoscaling__queue_metric=True), "ScaledObject")
    for trigger in scaled["spec"]["triggers"]:
        assert trigger["type"] == "prometheus"
        assert trigger["metricType"] == "AverageValue"
    assert scaled["spec"]["fallback"]["replicas"] == 3  # max_task_replicas by default


def test_prometheus_url_can_be_given() -> None:
    url = "https://prometheus.example.com:9443/prom"
    run = run_with(autoscaling__queue_metric=True, autoscaling__prometheus_url=url)
    (scaled,) = manifests(run, "ScaledObject")
    assert {t["metadata"]["serverAddress"] for t in scaled["spec"]["triggers"]} == {url}


def test_without_autoscaling_nothing_scales_the_task_pods() -> None:
    run = run_with(autoscaling__enabled=False)
    assert run.of_type(HPA) == [] and run.of_type(SCALED_OBJECT) == []
    assert len(run.of_type(PDB)) == 2


def test_web_and_task_pods_have_disruption_budgets_selecting_operator_pods() -> None:
    budgets = {
        m["metadata"]["name"]: m["spec"] for m in manifests(run_with(), "PodDisruptionBudget")
    }
    assert budgets == {
        role: {
            "maxUnavailable": 1,
            "selector": {
                "matchLabels": {
                    "app.kubernetes.io/name": role,
                    "app.kubernetes.io/managed-by": "awx-operator",
                    "app.kubernetes.io/component": "awx",
                }
            },
        }
        for role in ("awx-web", "awx-task")
    }


def test_job_pods_get_their_size_namespace_and_quota() -> None:
    run = run_with(autoscaling__max_concurrent_jobs=4)
    settings = extra_settings(run)
    assert settings["DEFAULT_EXECUTION_QUEUE_MAX_CONCURRENT_JOBS"] == "4"
    assert settings["DEFAULT_EXECUTION_QUEUE_MAX_FORKS"] == "40"
    override = json.loads(ast.literal_eval(settings["DEFAULT_EXECUTION_QUEUE_POD_SPEC_OVERRIDE"]))
    assert override["metadata"] == {"namespace": "awx-jobs"}
    (container,) = override["spec"]["containers"]
    assert container == {
        "name": "worker",
        "resources": {
            "requests": {"cpu": "500m", "memory": "1Gi"},
            "limits": {"cpu": "2", "memory": "2Gi"},
        },
    }
    (quota,) = manifests(run, "ResourceQuota")
    assert quota["metadata"]["namespace"] == "awx-jobs"
    assert quota["spec"]["hard"] == {
        "pods": "4",
        "requests.cpu": "2",
        "requests.memory": "4Gi",
        "limits.cpu": "8",
        "limits.memory": "8Gi",
    }
    (limits,) = manifests(run, "LimitRange")
    assert limits["spec"]["limits"] == [
        {
            "type": "Container",
            "default": {"cpu": "2", "memory": "2Gi"},
            "defaultRequest": {"cpu": "500m", "memory": "1Gi"},
            "max": {"cpu": "2", "memory": "2Gi"},
        }
    ]


def test_awx_may_run_job_pods_in_their_namespace() -> None:
    run = run_with(autoscaling__job_pod__namespace="automation-jobs")

    def in_job_namespace(kind: str) -> list[dict[str, Any]]:
        # The AWX namespace has Roles of its own (the exporter's).
        return [m for m in manifests(run, kind) if m["metadata"]["namespace"] != "awx"]

    (role,) = in_job_namespace("Role")
    (binding,) = in_job_namespace("RoleBinding")
    assert role["metadata"]["namespace"] == binding["metadata"]["namespace"] == "automation-jobs"
    pods = next(rule for rule in role["rules"] if rule["resources"] == ["pods"])
    assert {"create", "delete", "watch"} <= set(pods["verbs"])
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "awx", "namespace": "awx"}]
    assert binding["roleRef"]["name"] == role["metadata"]["name"]


def test_worked_example_of_the_capacity_math() -> None:
    # docs/autoscaling.md: a 3Gi job pod holds 30 forks of 100Mi; 31 would not fit.
    settings = AutoscalingSettings(
        max_forks_per_task=30,
        job_pod={
            "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "3Gi"}}
        },
    )
    assert settings.job_pod.forks_that_fit() == 30
    with pytest.raises(ValueError, match="at most 30 forks fit"):
        AutoscalingSettings(
            max_forks_per_task=31,
            job_pod={
                "resources": {
                    "requests": {"cpu": "1", "memory": "1Gi"},
                    "limits": {"memory": "3Gi"},
                }
            },
        )


@pytest.mark.parametrize(
    ("quantity", "count", "product"),
    [
        ("500m", 4, "2"),
        ("250m", 3, "750m"),
        ("1Gi", 10, "10Gi"),
        ("1536Mi", 2, "3Gi"),
        ("100Mi", 3, "300Mi"),
        ("1G", 2, "1953125Ki"),
    ],
)
def test_quota_products_stay_exact(quantity: str, count: int, product: str) -> None:
    assert times(quantity, count) == product


@pytest.mark.parametrize(
    "changes",
    [
        {"autoscaling__queue_metric": True},
        {"autoscaling__enabled": False},
        {"autoscaling__enforcer": {"enabled": False}},
    ],
)
def test_options_pass_every_mandatory_policy(changes: dict[str, Any]) -> None:
    resources = program_resources(run_with("prod-aws", **changes), "prod-aws")
    failures = {
        name: found
        for name, policy in POLICIES.items()
        if policy.enforcement_level == EnforcementLevel.MANDATORY
        and (found := violations(policy, resources))
    }
    assert failures == {}
