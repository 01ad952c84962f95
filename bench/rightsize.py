"""The right-sizing advisor over one AWX's 14 days at one-minute resolution, beside a
per-container query loop as KRR issues them, against the same real Prometheus, in one run.

History: the tests' generator (tests/runtime/rightsizing/history.py: web, task pods the HPA
scaled, postgres, 30 job pods; ~150 series, ~885 000 samples), backfilled with promtool (the
blocks are cached like the tests'). Each side runs in its own process so that its peak memory
is its own; wall time is measured around the whole process (interpreter, imports, queries,
report) and, inside it, around the queries and the decision alone. Figures are printed only.

    .venv/bin/python bench/rightsize.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STACK = ROOT / "tests" / "runtime" / "rightsizing" / "stacks" / "Pulumi.rightsize.yaml"
WINDOW = "14d"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def advisor_child(url: str, until: float) -> dict[str, float]:
    started = time.perf_counter()
    from runtime.prometheus_api import Prometheus  # noqa: PLC0415
    from runtime.rightsizing import queries, report, usage  # noqa: PLC0415
    from runtime.rightsizing.advisor import advise  # noqa: PLC0415
    from runtime.rightsizing.gates import Gates  # noqa: PLC0415
    from runtime.rightsizing.stack_file import StackFile  # noqa: PLC0415

    imported = time.perf_counter()
    prometheus = Prometheus(url)
    history = usage.collect(
        prometheus, queries.Scope("awx", "awx", "awx-jobs", WINDOW), until, 14 * 86400.0
    )
    result = advise(history, StackFile(STACK), Gates())
    text = report.as_markdown(result)
    finished = time.perf_counter()
    return {
        "queries": prometheus.queries,
        "seconds": finished - imported,
        "import_seconds": imported - started,
        "recommendations": len(result.recommendations),
        "report_bytes": len(text),
        "peak_mb": _peak_mb(),
    }


def _krr_queries(namespace: str, pods: str, container: str) -> list[str]:
    """KRR's simple strategy per object (one workload's container): CPU p95, memory peak,
    the two data-point counts, and the OOM-kill limit (robusta_krr ... prometheus/metrics)."""
    selector = f'namespace="{namespace}", pod=~"{pods}", container="{container}"'
    by = "by (container, pod, job)"
    sub = f"[{WINDOW}:1m]"
    return [
        "quantile_over_time(0.95, max(rate(container_cpu_usage_seconds_total"
        f"{{{selector}}}[5m])) {by}{sub})",
        f"max_over_time(max(container_memory_working_set_bytes{{{selector}}}) {by}{sub})",
        f"count_over_time(max(container_cpu_usage_seconds_total{{{selector}}}) {by}{sub})",
        f"count_over_time(max(container_memory_working_set_bytes{{{selector}}}) {by}{sub})",
        "max_over_time(max(max(kube_pod_container_resource_limits"
        f'{{{selector}, resource="memory"}}) by (pod, container, job) * on (pod, container, job) '
        "group_left(reason) max(kube_pod_container_status_last_terminated_reason"
        f'{{{selector}, reason="OOMKilled"}}) by (pod, container, job, reason)) {by}{sub})',
    ]


def krr_child(url: str, until: float) -> dict[str, float]:
    import httpx  # noqa: PLC0415

    from tests.runtime.rightsizing import history as generated  # noqa: PLC0415

    client = httpx.Client(timeout=600)
    count = 0

    def query(promql: str) -> list[dict[str, object]]:
        nonlocal count
        count += 1
        reply = client.post(f"{url}/api/v1/query", data={"query": promql, "time": until})
        reply.raise_for_status()
        result: list[dict[str, object]] = reply.json()["data"]["result"]
        return result

    started = time.perf_counter()
    # Pod discovery through Prometheus, per workload (Deployment: ReplicaSets, then pods).
    objects: list[tuple[str, str, tuple[str, ...]]] = []
    for deployment, containers in (
        ("awx-task", ("awx-task", "awx-ee", "redis", "awx-rsyslog")),
        ("awx-web", ("awx-web", "redis", "awx-rsyslog")),
    ):
        replicasets = query(
            f'max_over_time(kube_replicaset_owner{{namespace="awx", owner_name="{deployment}"}}'
            f"[{WINDOW}])"
        )
        names = "|".join(str(r["metric"]["replicaset"]) for r in replicasets)  # type: ignore[index]
        pods = query(
            f'max_over_time(kube_pod_owner{{namespace="awx", owner_name=~"{names}"}}[{WINDOW}])'
        )
        selector = "|".join(str(p["metric"]["pod"]) for p in pods)  # type: ignore[index]
        objects.extend(("awx", selector, (c,)) for c in containers)
    pods = query(
        f'max_over_time(kube_pod_owner{{namespace="awx", owner_name="awx-postgres-15"}}[{WINDOW}])'
    )
    objects.append(("awx", "|".join(str(p["metric"]["pod"]) for p in pods), ("postgres",)))  # type: ignore[index]
    workloads = count
    for namespace, selector, containers in objects:
        for container in containers:
            for promql in _krr_queries(namespace, selector, container):
                query(promql)
    awx_only = count
    # Job pods are bare pods (no owner workload): a per-object loop sees each as an object.
    job_pods = query(
        f'count_over_time(container_memory_working_set_bytes{{namespace="{generated.JOB_NAMESPACE}",'
        f' container="worker"}}[{WINDOW}])'
    )
    for pod in job_pods:
        for promql in _krr_queries(generated.JOB_NAMESPACE, str(pod["metric"]["pod"]), "worker"):  # type: ignore[index]
            query(promql)
    finished = time.perf_counter()
    return {
        "queries": count,
        "queries_without_job_pods": awx_only,
        "discovery_queries": workloads,
        "seconds": finished - started,
        "peak_mb": _peak_mb(),
    }


def _run_child(kind: str, url: str, until: float) -> dict[str, float]:
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind, url, str(until)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures: dict[str, float] = json.loads(output)
    figures["process_seconds"] = time.perf_counter() - started
    return figures


def main() -> int:
    from tests.runtime.rightsizing.history import END, Parameters, generate  # noqa: PLC0415
    from tests.runtime.rightsizing.prometheus_server import (  # noqa: PLC0415
        blocks,
        running_prometheus,
    )

    history = generate(Parameters())
    samples = sum(len(s.values) for s in history.series)
    started = time.perf_counter()
    data = blocks(history)
    print(
        f"history: {len(history.series)} series, {samples} samples, 14 d x 1 min "
        f"(blocks ready in {time.perf_counter() - started:.1f} s)"
    )
    with running_prometheus(data) as url:
        ours = _run_child("advisor", url, END)
        loop = _run_child("krr", url, END)
    print(
        f"advisor : {ours['queries']:.0f} queries, {ours['seconds']:.2f} s queries+decision "
        f"({ours['process_seconds']:.2f} s whole process, {ours['import_seconds']:.2f} s "
        f"imports), peak RSS {ours['peak_mb']:.1f} MB, {ours['recommendations']:.0f} "
        "recommendations"
    )
    print(
        f"KRR loop: {loop['queries']:.0f} queries ({loop['queries_without_job_pods']:.0f} "
        f"without job pods, {loop['discovery_queries']:.0f} of them pod discovery), "
        f"{loop['seconds']:.2f} s queries ({loop['process_seconds']:.2f} s whole process), "
        f"peak RSS {loop['peak_mb']:.1f} MB"
    )
    print(
        f"queries: {loop['queries'] / ours['queries']:.1f}x fewer "
        f"({loop['queries_without_job_pods'] / ours['queries']:.1f}x counting AWX's own pods only)"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child = advisor_child if sys.argv[2] == "advisor" else krr_child
        print(json.dumps(child(sys.argv[3], float(sys.argv[4]))))
        sys.exit(0)
    sys.exit(main())
