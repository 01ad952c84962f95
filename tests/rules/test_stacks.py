"""Each example stack's configuration yields rules promtool accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.config import validate_stack_config
from components.monitoring.targets import MonitoringTargets
from components.settings.monitoring import Slo
from tests.harness import PROJECT, STACKS, stack_config, with_value
from tests.rules.promtool import check_rules, write_rules

DAY = 86400


def _targets_and_slos(config: dict[str, object]) -> tuple[MonitoringTargets, list[Slo]]:
    # The secrets section holds encrypted values the validator cannot read; rules need none.
    raw = {
        key.removeprefix(f"{PROJECT}:"): value
        for key, value in config.items()
        if key.startswith(f"{PROJECT}:") and key != f"{PROJECT}:secrets"
    }
    stack = validate_stack_config(raw)
    awx = stack.awx
    scaling = stack.autoscaling
    # The monitoring component derives the interval from backup.schedule; every example
    # stack backs up daily, which is all the rules need here.
    targets = MonitoringTargets(
        namespace=awx.namespace,
        instance=awx.name,
        jobs_namespace=scaling.job_pod.namespace_for(awx.namespace),
        task_deployment=f"{awx.name}-task",
        web_deployment=f"{awx.name}-web",
        hpa_name=f"{awx.name}-task" if scaling.enabled and not scaling.queue_metric else None,
        backup_interval_seconds=DAY if stack.backup.enabled else None,
        enforcer_enabled=scaling.enforcer.enabled,
    )
    return targets, list(stack.monitoring.slos)


@pytest.mark.parametrize("stack", STACKS)
def test_stack_config_yields_valid_rules(tmp_path: Path, stack: str) -> None:
    targets, slos = _targets_and_slos(stack_config(stack))
    check_rules(write_rules(tmp_path, targets, slos))


def test_slos_from_stack_config_yield_valid_rules(tmp_path: Path) -> None:
    slo = {
        "name": "awx-ui-availability",
        "objective": 99.9,
        "window": "28d",
        "error_query": 'sum(rate(nginx_http_requests_total{status=~"5.."}[{{.window}}]))',
        "total_query": "sum(rate(nginx_http_requests_total[{{.window}}]))",
    }
    config = with_value(stack_config("prod-aws"), "monitoring.slos", [slo])
    targets, slos = _targets_and_slos(config)
    assert [each.name for each in slos] == ["awx-ui-availability"]
    check_rules(write_rules(tmp_path, targets, slos))
