"""The queue-aware scaling queries do what docs/autoscaling.md says, evaluated by promtool.

AWX serves the same DB-wide instance metrics from every web pod, so each series is scraped
twice here (two `instance` labels); the queries must not count an instance twice.
"""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.autoscaling.scalers import TaskTarget, queue_queries
from components.settings.autoscaling import AutoscalingSettings
from components.settings.awx import AwxResources

TARGET = TaskTarget(namespace="awx", deployment="awx-task")
WEB_PODS = ("10.0.0.1:8052", "10.0.0.2:8052")
PROMTOOL = shutil.which("promtool")


def _queries() -> dict[str, str]:
    settings = AutoscalingSettings(scale_up_threshold=80, scale_down_threshold=30)
    return {name: query for name, query, _ in queue_queries(settings, AwxResources(), TARGET)}


def _series(metric: str, hostname: str, value: float) -> list[dict[str, str]]:
    return [
        {
            "series": f'{metric}{{namespace="awx",node_type="control",hostname="{hostname}",'
            f'instance="{pod}"}}',
            "values": f"{value}x5",
        }
        for pod in WEB_PODS
    ]


def _control(capacities: dict[str, tuple[float, float]]) -> list[dict[str, str]]:
    series = []
    for hostname, (total, consumed) in capacities.items():
        series += _series("awx_instance_capacity", hostname, total)
        series += _series("awx_instance_consumed_capacity", hostname, consumed)
    return series


# Two task pods of capacity 100 each; use is consumed / total in percent.
CAPACITY_CASES = [
    ({"awx-task-a": (100, 90), "awx-task-b": (100, 90)}, 2 * 90 / 80),  # above: add pods
    ({"awx-task-a": (100, 60), "awx-task-b": (100, 40)}, 2),  # 50% is inside the band: hold
    ({"awx-task-a": (100, 80), "awx-task-b": (100, 80)}, 2),  # exactly up: 2 x 80 / 80
    ({"awx-task-a": (100, 30), "awx-task-b": (100, 10)}, 2 * 20 / 80),  # below down: remove
]


def _promtool_test(
    tmp_path: Path, input_series: list[dict[str, str]], expr: str, value: float
) -> None:
    assert PROMTOOL is not None, "promtool is needed (Debian package prometheus)"
    (tmp_path / "rules.yaml").write_text("groups: []\n")
    test: dict[str, Any] = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": input_series,
                "promql_expr_test": [
                    {
                        "expr": expr,
                        "eval_time": "2m",
                        "exp_samples": [{"labels": "{}", "value": value}],
                    }
                ],
            }
        ],
    }
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(test))
    result = subprocess.run(
        [PROMTOOL, "test", "rules", "test.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("capacities", "pods"), CAPACITY_CASES)
def test_control_capacity_asks_for_pods_only_outside_the_band(
    tmp_path: Path, capacities: dict[str, tuple[float, float]], pods: float
) -> None:
    _promtool_test(tmp_path, _control(capacities), _queries()["control-capacity"], pods)


def test_pending_jobs_are_not_double_counted_across_web_pods(tmp_path: Path) -> None:
    series = [
        {"series": f'awx_pending_jobs_total{{namespace="awx",instance="{pod}"}}', "values": "12x5"}
        for pod in WEB_PODS
    ]
    _promtool_test(tmp_path, series, _queries()["pending-jobs"], 12)


def test_task_pod_usage_sums_only_the_task_pods(tmp_path: Path) -> None:
    metric = "container_memory_working_set_bytes"
    samples = [
        ("awx-task-5d8f9c-x2x9q", "awx-task", 1000),
        ("awx-task-5d8f9c-k8d7w", "redis", 500),
        ("awx-web-6c7d8-abcde", "awx-web", 9000),  # not a task pod
        ("awx-task-5d8f9c-x2x9q", "", 1500),  # the pod-level cgroup series, not a container
    ]
    series = [
        {
            "series": f'{metric}{{namespace="awx",pod="{pod}",container="{name}"}}',
            "values": f"{v}x5",
        }
        for pod, name, v in samples
    ]
    _promtool_test(tmp_path, series, _queries()["memory"], 1500)
