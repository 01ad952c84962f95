"""Bad `autoscaling` config fails before anything is registered, naming the key and what fits."""

from typing import Any

import pytest

from tests.unit.refusals import assert_refused

# (changes as "section.key" -> value, key path expected in the message, words it must say)
CASES: list[tuple[dict[str, Any], str, str]] = [
    (
        {"autoscaling.max_forks_per_task": 50, "autoscaling.max_total_forks": 100},
        "awx-platform:autoscaling.max_forks_per_task",
        "50 forks x 100Mi per fork = 5000Mi do not fit the job pod's memory limit (2Gi); at "
        "most 20 forks fit, or raise job_pod.resources.limits.memory to at least 5000Mi",
    ),
    (
        {"autoscaling.job_pod.memory_per_fork": "256Mi"},
        "awx-platform:autoscaling.max_forks_per_task",
        "20 forks x 256Mi per fork = 5120Mi do not fit the job pod's memory limit (2Gi); at "
        "most 8 forks fit",
    ),
    (
        {"autoscaling.job_pod.memory_per_fork": "0Mi"},
        "awx-platform:autoscaling.job_pod.memory_per_fork",
        "must be larger than zero",
    ),
    (
        {"autoscaling.job_pod.resources": {"requests": {"cpu": "1", "memory": "1Gi"}}},
        "awx-platform:autoscaling.job_pod.resources.limits.memory",
        "is required: job pods need requests for scheduling and a memory limit",
    ),
    (
        {
            "autoscaling.job_pod.resources": {
                "requests": {"cpu": "1", "memory": "4Gi"},
                "limits": {"memory": "2Gi"},
            }
        },
        "awx-platform:autoscaling.job_pod.resources.limits.memory",
        "must be at least requests.memory (4Gi); got 2Gi",
    ),
    (
        {"autoscaling.job_pod.resources.limits.memory": "lots"},
        "awx-platform:autoscaling.job_pod.resources.limits.memory",
        "'lots' is not a Kubernetes quantity",
    ),
    (
        {"autoscaling.job_pod.namespace": "awx"},
        "awx-platform:autoscaling.job_pod.namespace",
        "must differ from awx.namespace so that its quota counts job pods only",
    ),
    (
        {"autoscaling.job_pod.namespace": "kube-system"},
        "awx-platform:autoscaling.job_pod.namespace",
        "'kube-system' is a protected namespace",
    ),
    (
        {"autoscaling.job_pod.namespace": "Jobs_Here"},
        "awx-platform:autoscaling.job_pod.namespace",
        "is not a DNS-1123 label",
    ),
    (
        {"awx.namespace": "a" * 60},
        "awx-platform:awx.namespace",
        "is 60 characters; at most 58 fit: " + "a" * 60 + "-jobs would be 65 characters",
    ),
    (
        {"autoscaling.fallback_replicas": 9},
        "awx-platform:autoscaling.fallback_replicas",
        "must lie between min_task_replicas (1) and max_task_replicas (3); got 9",
    ),
    (
        {"autoscaling.max_concurrent_jobs": 0},
        "awx-platform:autoscaling.max_concurrent_jobs",
        "greater than or equal to 1",
    ),
    (
        {"autoscaling.pending_jobs_per_task": 0},
        "awx-platform:autoscaling.pending_jobs_per_task",
        "greater than or equal to 1",
    ),
    (
        {"autoscaling.prometheus_url": "prometheus:9090"},
        "awx-platform:autoscaling.prometheus_url",
        "should match pattern",
    ),
    (
        {"autoscaling.enforcer.interval_seconds": 5},
        "awx-platform:autoscaling.enforcer.interval_seconds",
        "greater than or equal to 10",
    ),
    (
        {"autoscaling.enforcer.token_secret": "AWX_Token"},
        "awx-platform:autoscaling.enforcer.token_secret",
        "is not a DNS-1123 subdomain",
    ),
    (
        {"autoscaling.enforcer.watch": True},
        "awx-platform:autoscaling.enforcer.watch",
        "unknown key; allowed keys here: dry_run, enabled, interval_seconds, token_secret",
    ),
    (
        {"awx.extra_settings": {"DEFAULT_EXECUTION_QUEUE_POD_SPEC_OVERRIDE": "{}"}},
        "awx-platform:awx.extra_settings",
        "DEFAULT_EXECUTION_QUEUE_POD_SPEC_OVERRIDE is derived from the autoscaling section",
    ),
]


@pytest.mark.parametrize(("changes", "key_path", "explanation"), CASES, ids=[c[1] for c in CASES])
def test_bad_autoscaling_value_is_named_and_nothing_is_registered(
    changes: dict[str, Any], key_path: str, explanation: str
) -> None:
    assert_refused("local", changes, key_path, explanation)
