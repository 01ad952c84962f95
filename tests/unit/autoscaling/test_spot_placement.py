"""awx.placement: job pods on or off spot nodes per cloud, web and task pods off them unless
allowed, under mocks (the AWX resource and its job pod spec override)."""

import ast
import json
from typing import Any

import pytest

from tests.harness import run_failing_program, run_program, stack_config, with_value

AWX = "kubernetes:awx.ansible.com/v1beta1:AWX"
SPOT_LABELS = {
    "eks.amazonaws.com/capacityType": "SPOT",  # EKS managed node groups
    "karpenter.sh/capacity-type": "spot",  # Karpenter
    "cloud.google.com/gke-spot": "true",  # GKE
    "kubernetes.azure.com/scalesetpriority": "spot",  # AKS
}


def spec_for(**changes: Any) -> dict[str, Any]:
    config = stack_config("local")
    for path, value in changes.items():
        config = with_value(config, path.replace("__", "."), value)
    spec: dict[str, Any] = run_program("local", config).one(AWX).inputs["spec"]
    return spec


def job_pod(spec: dict[str, Any]) -> dict[str, Any]:
    (value,) = [
        s["value"] for s in spec["extra_settings"]
        if s["setting"] == "DEFAULT_EXECUTION_QUEUE_POD_SPEC_OVERRIDE"
    ]  # fmt: skip
    pod: dict[str, Any] = json.loads(ast.literal_eval(value))["spec"]
    return pod


def _not_in_every_cloud(affinity: dict[str, Any]) -> None:
    (term,) = affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ]
    assert {e["key"]: (e["operator"], e["values"]) for e in term["matchExpressions"]} == {
        key: ("NotIn", [value]) for key, value in SPOT_LABELS.items()
    }


def test_by_default_nothing_runs_on_spot_nodes_of_any_cloud() -> None:
    spec = spec_for()
    _not_in_every_cloud(spec["task_affinity"])
    _not_in_every_cloud(spec["web_affinity"])
    pod = job_pod(spec)
    _not_in_every_cloud(pod["affinity"])
    assert "tolerations" not in pod


def test_required_spot_job_pods_match_any_clouds_spot_label_and_tolerate_its_taint() -> None:
    spec = spec_for(awx__placement={"job_pods": {"spot": "require"}})
    pod = job_pod(spec)
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ]
    # Terms are ORed: one per cloud, so the same stack works on EKS, Karpenter, GKE and AKS.
    assert [t["matchExpressions"] for t in terms] == [
        [{"key": key, "operator": "In", "values": [value]}] for key, value in SPOT_LABELS.items()
    ]
    assert pod["tolerations"] == [
        {
            "key": "kubernetes.azure.com/scalesetpriority",
            "operator": "Equal",
            "value": "spot",
            "effect": "NoSchedule",
        },
        {
            "key": "cloud.google.com/gke-spot",
            "operator": "Equal",
            "value": "true",
            "effect": "NoSchedule",
        },
    ]
    _not_in_every_cloud(spec["task_affinity"])  # the control plane stays off spot nodes
    _not_in_every_cloud(spec["web_affinity"])


def test_preferred_spot_job_pods_fall_back_to_other_nodes() -> None:
    pod = job_pod(spec_for(awx__placement={"job_pods": {"spot": "prefer"}}))
    preferred = pod["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert [p["preference"]["matchExpressions"][0]["key"] for p in preferred] == list(SPOT_LABELS)
    assert all(p["weight"] == 100 for p in preferred)
    assert "requiredDuringSchedulingIgnoredDuringExecution" not in pod["affinity"]["nodeAffinity"]
    assert len(pod["tolerations"]) == 2


def test_web_and_task_pods_go_to_spot_nodes_only_when_allowed() -> None:
    spec = spec_for(awx__placement={"awx_pods": {"spot": "allow"}})
    assert "task_affinity" not in spec and "web_affinity" not in spec


@pytest.mark.parametrize(
    ("placement", "message"),
    [
        ({"job_pods": {"spot": "always"}}, "awx-platform:awx.placement.job_pods.spot"),
        ({"awx_pods": {"spot": "require"}}, "awx-platform:awx.placement.awx_pods.spot"),
        ({"jobs": {}}, "awx-platform:awx.placement.jobs: unknown key"),
    ],
)
def test_bad_placement_names_the_key(placement: dict[str, Any], message: str) -> None:
    config = with_value(stack_config("local"), "awx.placement", placement)
    assert message in str(run_failing_program("local", config).error)
