"""Fork capacity that adds up: the job pod's size, the forks it can hold, what its namespace may
run at once, and the AWX settings that carry the budget.

AWX runs every job in its own automation-job pod of the `default` container group. The pod
spec override below gives that pod requests and limits (AWX's default asks for 250m and
100Mi and sets no limit, so a large fork count is OOM-killed or starves the node). AWX
deep-merges the override into its default pod spec, then sets the container's image and
arguments itself, so only the namespace, the container name and its resources are declared.
The ResourceQuota admits exactly `max_concurrent_jobs` such pods; the LimitRange gives any
container that declares nothing the job pod's size and refuses larger ones.
"""

import json
from typing import Any

from components.placement import spot_affinity, spot_tolerations
from components.pods import kubernetes_resources
from components.settings.autoscaling import AutoscalingSettings
from components.settings.quantity import parse_quantity

JOB_CONTAINER = "worker"
"""Name AWX gives the first container of its default job pod spec."""


def job_pod_spec_override(
    autoscaling: AutoscalingSettings, awx_namespace: str, spot: str = "never"
) -> dict[str, Any]:
    """The `default` container group's pod spec (DEFAULT_EXECUTION_QUEUE_POD_SPEC_OVERRIDE),
    placed on or off spot nodes by awx.placement.job_pods.spot (components/placement.py)."""
    job_pod = autoscaling.job_pod
    spec: dict[str, Any] = {
        "serviceAccountName": "default",
        "automountServiceAccountToken": False,
        # Every job-pod entry that matters is required by the settings, so none is empty.
        "containers": [
            {"name": JOB_CONTAINER, "resources": kubernetes_resources(job_pod.resources)}
        ],
        "affinity": spot_affinity(spot),
    }
    tolerations = spot_tolerations(spot)
    if tolerations:
        spec["tolerations"] = tolerations
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"namespace": job_pod.namespace_for(awx_namespace)},
        "spec": spec,
    }


def pod_spec_override_text(
    autoscaling: AutoscalingSettings, awx_namespace: str, spot: str = "never"
) -> str:
    """The override as AWX stores it: a YAML document (JSON is YAML), keys sorted."""
    return json.dumps(job_pod_spec_override(autoscaling, awx_namespace, spot), sort_keys=True)


def awx_fork_settings(
    autoscaling: AutoscalingSettings, awx_namespace: str, spot: str = "never"
) -> dict[str, Any]:
    """The settings.py entries that carry the fork budget (settings.awx.MANAGED_SETTINGS).

    The DEFAULT_EXECUTION_QUEUE_* values seed the `default` container group; AWX applies them
    again whenever a task pod registers, and the fork enforcer keeps them in between.
    """
    return {
        "MAX_FORKS": autoscaling.max_forks_per_task,
        "DEFAULT_EXECUTION_QUEUE_MAX_FORKS": autoscaling.max_total_forks,
        "DEFAULT_EXECUTION_QUEUE_MAX_CONCURRENT_JOBS": autoscaling.max_concurrent_jobs,
        "DEFAULT_EXECUTION_QUEUE_POD_SPEC_OVERRIDE": pod_spec_override_text(
            autoscaling, awx_namespace, spot
        ),
    }


def quota_hard(autoscaling: AutoscalingSettings) -> dict[str, str]:
    """ResourceQuota `hard` for the job namespace: max_concurrent_jobs job pods, no more."""
    jobs = autoscaling.max_concurrent_jobs
    resources = autoscaling.job_pod.resources
    hard = {"pods": str(jobs)}
    for kind in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            value = getattr(getattr(resources, kind), resource)
            if value is not None:
                hard[f"{kind}.{resource}"] = times(value, jobs)
    return hard


def limit_range_limits(autoscaling: AutoscalingSettings) -> list[dict[str, Any]]:
    """LimitRange entries: job-pod size as the default, the job pod's limits as the maximum."""
    resources = autoscaling.job_pod.resources
    limits = resources.limits.model_dump(exclude_none=True)
    requests = resources.requests.model_dump(exclude_none=True)
    return [
        {"type": "Container", "default": limits, "defaultRequest": requests, "max": limits},
    ]


def times(quantity: str, count: int) -> str:
    """`count` times a quantity, in a unit that keeps it exact (millicores or bytes-based)."""
    value = parse_quantity(quantity) * count
    if value == value.to_integral_value():
        whole = int(value)
        for suffix, shift in (("Gi", 30), ("Mi", 20), ("Ki", 10)):
            if whole and whole % (1 << shift) == 0:
                return f"{whole >> shift}{suffix}"
        return str(whole)
    return f"{int(value * 1000)}m" if value * 1000 == int(value * 1000) else str(value)
