"""The decision engine over a real Prometheus: every value is checked against percentiles this
test computes from the generated samples itself (expected.py), not against the advisor's own
arithmetic. --max-change-percent 1000 lifts the change cap where the raw recommendation is the
point; the cap has its own tests (test_gates.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from runtime.rightsizing import quantities
from tests.runtime.rightsizing import expected
from tests.runtime.rightsizing.advisor_run import STACK, rightsize
from tests.runtime.rightsizing.history import (
    FRESH_NAMESPACE,
    JOB_NAMESPACE,
    MIB,
    NAMESPACE,
    TASK_RS,
    History,
)

UNCAPPED = ("--max-change-percent", "1000")
CPU = "container_cpu_usage_seconds_total"
MEMORY = "container_memory_working_set_bytes"


def test_over_provisioned_web_shrinks_to_its_p95_and_peak(
    prometheus_url: str, history: History
) -> None:
    run = rightsize(prometheus_url, *UNCAPPED)
    assert run.status == 0, run.stderr
    labels = {"namespace": NAMESPACE, "container": "awx-web"}
    cpu = run.by_field("awx.resources.web.requests.cpu")
    assert cpu["recommended"] == quantities.cpu(expected.cpu_p95(history, **labels) * 1.15)
    assert cpu["current"] == "250m"
    assert quantities.parse(cpu["recommended"]) < 0.125  # well over-provisioned
    memory = run.by_field("awx.resources.web.requests.memory")
    assert memory["recommended"] == quantities.memory(expected.memory_p95(history, **labels) * 1.15)
    limit = run.by_field("awx.resources.web.limits.memory")
    assert limit["recommended"] == quantities.memory(expected.memory_max(history, **labels) * 1.15)
    for item in (cpu, memory, limit):
        assert item["confidence"] == 1.0
        assert item["risk"] == "low"
        assert item["blocked_by"] is None
    # Requests cost money, limits do not: 730 h x one web pod x OpenCost's prices.
    saved_cores = 0.25 - quantities.parse(cpu["recommended"])
    assert cpu["monthly_savings"] == pytest.approx(saved_cores * 0.031611 * 730, abs=0.01)
    saved_gib = (1 << 30) - quantities.parse(memory["recommended"])
    assert memory["monthly_savings"] == pytest.approx(
        saved_gib / (1 << 30) * 0.004237 * 730, abs=0.01
    )
    assert limit["monthly_savings"] == 0
    assert "p95 cpu over 14.0 days was" in cpu["reason"]


def test_hpa_scaled_task_request_is_chosen_with_the_utilization_target(
    prometheus_url: str, history: History
) -> None:
    run = rightsize(prometheus_url, *UNCAPPED)
    task_series = history.find(CPU, namespace=NAMESPACE, container="awx-task")
    assert len(task_series) == 5  # two steady pods and three the HPA added for bursts
    averages = expected.across_pods(task_series, expected.rate, "avg")
    p95_average = expected.quantile(averages, 0.95)
    cpu = run.by_field("awx.resources.task.requests.cpu")
    assert cpu["recommended"] == quantities.cpu(p95_average / 0.70)
    before = p95_average / 0.5 * 100
    assert f"utilization moves from {before:.0f}% to 70%" in cpu["reason"]
    assert "HPA" in cpu["reason"]


def test_task_replica_bound_follows_the_peak_load_with_the_new_requests(
    prometheus_url: str, history: History
) -> None:
    run = rightsize(prometheus_url, *UNCAPPED)
    cpu_request = quantities.parse(run.by_field("awx.resources.task.requests.cpu")["recommended"])
    memory_item = [
        i for i in run.recommendations if i["field"] == "awx.resources.task.requests.memory"
    ]
    memory_request = quantities.parse(memory_item[0]["recommended"]) if memory_item else 1 << 30
    cpu_total = max(
        expected.across_pods(history.find(CPU, container="awx-task"), expected.rate, "sum")
    )
    memory_total = max(
        expected.across_pods(history.find(MEMORY, container="awx-task"), expected.latest, "sum")
    )
    needed = max(
        math.ceil(cpu_total / (cpu_request * 0.70)),
        math.ceil(memory_total / (memory_request * 0.80)),
    )
    bound = run.by_field("autoscaling.max_task_replicas")
    assert bound["current"] == 10
    assert bound["recommended"] == max(math.ceil(needed * 1.25), 2)
    assert bound["resource"] == "replicas"
    assert bound["monthly_savings"] == 0


def test_throttled_container_gets_more_cpu_limit_and_a_medium_risk(
    prometheus_url: str, history: History
) -> None:
    run = rightsize(prometheus_url, *UNCAPPED)
    ratios = []
    for periods in history.find("container_cpu_cfs_periods_total", container="awx-ee"):
        throttled = history.find(
            "container_cpu_cfs_throttled_periods_total", pod=periods.labels["pod"]
        )[0]
        ratios.append(
            (throttled.values[-1] - throttled.values[0]) / (periods.values[-1] - periods.values[0])
        )
    limit = run.by_field("awx.resources.ee.limits.cpu")
    peak = expected.cpu_max(history, namespace=NAMESPACE, container="awx-ee")
    assert limit["recommended"] == quantities.cpu(max(peak * 1.15, 1.0 * 1.25))
    assert f"{max(ratios):.0%} of CFS periods were throttled" in limit["reason"]
    assert limit["risk"] == "medium"
    request = run.by_field("awx.resources.ee.requests.cpu")
    assert request["recommended"] == quantities.cpu(
        expected.cpu_p95(history, namespace=NAMESPACE, container="awx-ee") * 1.15
    )
    assert request["risk"] == "medium"  # the CPU history is cut off by the limit


def test_oom_killed_container_memory_goes_up_by_the_bump_and_never_down(
    prometheus_url: str, history: History, tmp_path
) -> None:
    run = rightsize(prometheus_url, *UNCAPPED)
    peak = expected.memory_max(history, namespace=NAMESPACE, container="redis")
    assert 500 * MIB < peak <= 512 * MIB  # it hit its limit
    limit = run.by_field("awx.resources.redis.limits.memory")
    assert limit["recommended"] == quantities.memory(max(peak * 1.15, 512 * MIB * 1.25))
    assert "OOM-killed at a 512Mi limit" in limit["reason"]
    assert limit["risk"] == "medium"
    # With a limit already far above the peak, an OOM-killed container's limit stays.
    roomy = tmp_path / "Pulumi.roomy.yaml"
    roomy.write_text(
        expected_stack_text().replace(
            "limits: {cpu: 500m, memory: 512Mi}", "limits: {cpu: 500m, memory: 4Gi}"
        )
    )
    again = rightsize(prometheus_url, *UNCAPPED, stack=roomy)
    assert "awx.resources.redis.limits.memory" not in again.fields()
    assert (
        quantities.parse(again.by_field("awx.resources.redis.requests.memory")["recommended"])
        >= 64 * MIB
    )


def expected_stack_text() -> str:
    return STACK.read_text()


def test_under_provisioned_memory_limit_goes_up(prometheus_url: str, history: History) -> None:
    run = rightsize(prometheus_url, *UNCAPPED)
    peak = expected.memory_max(history, namespace=NAMESPACE, container="awx-rsyslog")
    assert peak > 240 * MIB
    limit = run.by_field("awx.resources.rsyslog.limits.memory")
    assert limit["current"] == "256Mi"
    assert limit["recommended"] == quantities.memory(peak * 1.15)
    assert quantities.parse(limit["recommended"]) > 256 * MIB
    assert limit["risk"] == "low"


def test_short_history_has_low_confidence_and_is_held_back(prometheus_url: str) -> None:
    run = rightsize(prometheus_url, "--namespace", FRESH_NAMESPACE, *UNCAPPED)
    item = run.by_field("awx.resources.web.requests.cpu")
    assert item["confidence"] == pytest.approx(2 / 7, abs=0.01)  # 2 days of the 7 for full
    assert item["blocked_by"] == "min-confidence"
    allowed = rightsize(prometheus_url, "--namespace", FRESH_NAMESPACE, "--min-confidence", "0.2")
    assert allowed.by_field("awx.resources.web.requests.cpu")["blocked_by"] is None


def test_job_pods_are_sized_by_the_busiest_job_and_the_fork_cap(
    prometheus_url: str, history: History
) -> None:
    run = rightsize(prometheus_url, *UNCAPPED)
    jobs = {"namespace": JOB_NAMESPACE, "container": "worker"}
    cpu = run.by_field("autoscaling.job_pod.resources.requests.cpu")
    assert cpu["component"] == "job" and cpu["container"] == "worker"
    assert cpu["recommended"] == quantities.cpu(expected.cpu_p95(history, **jobs) * 1.15)
    assert cpu["confidence"] == 1.0  # 30 jobs seen, 20 give full confidence
    limit = run.by_field("autoscaling.job_pod.resources.limits.memory")
    peak = expected.memory_max(history, **jobs)
    assert peak == 2048 * MIB  # one job was OOM-killed at the 2Gi limit
    assert limit["recommended"] == quantities.memory(
        max(peak * 1.15, 2048 * MIB * 1.25, 20 * 100 * MIB)
    )
    assert "autoscaling.max_forks_per_task" not in run.fields()  # the new limit holds 20 forks


def test_forks_come_down_when_the_job_limit_may_not_grow_enough(
    prometheus_url: str, history: History
) -> None:
    run = rightsize(prometheus_url, "--max-change-percent", "10", "--max-risk", "high")
    limit = run.by_field("autoscaling.job_pod.resources.limits.memory")
    assert limit["recommended"] == quantities.memory(2048 * MIB * 1.10)
    forks = run.by_field("autoscaling.max_forks_per_task")
    peak = expected.memory_max(history, namespace=JOB_NAMESPACE, container="worker")
    in_force = quantities.parse(limit["recommended"])
    assert forks["current"] == 20
    assert forks["recommended"] == math.floor(in_force / (peak * 1.15 / 20))
    assert forks["recommended"] < 20


def test_postgres_is_protected_by_default(prometheus_url: str) -> None:
    run = rightsize(prometheus_url, *UNCAPPED)
    postgres = [i for i in run.recommendations if i["component"] == "postgres"]
    assert postgres
    assert {i["blocked_by"] for i in postgres} == {"protected"}


def test_six_queries_whatever_the_pod_count(prometheus_url: str, history: History) -> None:
    run = rightsize(prometheus_url)
    pods = {s.labels["pod"] for s in history.find(CPU)}
    assert len(pods) > 35
    assert "queries=6" in run.stderr
    assert {i["component"] for i in run.recommendations} == {
        "task",
        "web",
        "ee",
        "redis",
        "rsyslog",
        "postgres",
        "job",
    }
    assert all(i["field"].startswith(("awx.", "autoscaling.")) for i in run.recommendations)
    assert TASK_RS  # pods of one ReplicaSet are one component


def test_prices_come_from_the_stack_file_and_spot_job_pods_use_spot_prices(
    prometheus_url: str, tmp_path: Path
) -> None:
    listed = rightsize(prometheus_url, *UNCAPPED).by_field("awx.resources.web.requests.cpu")
    stack = tmp_path / "Pulumi.prices.yaml"
    stack.write_text(STACK.read_text() + "  awx-platform:rightsizing:\n    prices: {cpu: 0.1}\n")
    priced = rightsize(prometheus_url, *UNCAPPED, stack=stack)
    web = priced.by_field("awx.resources.web.requests.cpu")
    saved_cores = quantities.parse(web["current"]) - quantities.parse(web["recommended"])
    assert web["monthly_savings"] == pytest.approx(saved_cores * 0.1 * 730, abs=0.005)
    assert listed["monthly_savings"] == pytest.approx(saved_cores * 0.031611 * 730, abs=0.005)
    job = "autoscaling.job_pod.resources.requests.cpu"
    on_demand = priced.by_field(job)["monthly_savings"]
    spot_stack = tmp_path / "Pulumi.spot.yaml"
    spot_stack.write_text(
        STACK.read_text().replace(
            "    web_replicas: 1\n",
            "    web_replicas: 1\n    placement:\n      job_pods: {spot: prefer}\n",
        )
    )
    spot = rightsize(prometheus_url, *UNCAPPED, stack=spot_stack).by_field(job)["monthly_savings"]
    listed_job = rightsize(prometheus_url, *UNCAPPED).by_field(job)["monthly_savings"]
    assert on_demand == pytest.approx(listed_job * 0.1 / 0.031611, abs=0.05)
    assert spot == pytest.approx(listed_job * 0.006655 / 0.031611, abs=0.01)
    assert spot != 0
