"""Each example stack's configuration yields rules promtool accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.config import validate_stack_config
from components.monitoring.targets import MonitoringTargets, monitoring_targets
from components.settings.monitoring import Slo
from tests.harness import PROJECT, STACKS, stack_config, with_value
from tests.rules.promtool import check_rules, write_rules


def _targets_and_slos(config: dict[str, object]) -> tuple[MonitoringTargets, list[Slo]]:
    # The secrets section holds encrypted values the validator cannot read; rules need none.
    raw = {
        key.removeprefix(f"{PROJECT}:"): value
        for key, value in config.items()
        if key.startswith(f"{PROJECT}:") and key != f"{PROJECT}:secrets"
    }
    stack = validate_stack_config(raw)
    return monitoring_targets(stack), list(stack.monitoring.slos)


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
