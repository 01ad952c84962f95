"""What a stack file yields for monitoring, for tests that compare against the modules."""

from typing import Any

from components.config import StackConfig, validate_stack_config
from components.monitoring.awx_monitoring import provisioned_dashboards
from components.monitoring.targets import MonitoringTargets, monitoring_targets
from tests.harness import stack_config


def stack_settings(stack: str) -> StackConfig:
    # The secrets section is left out: it holds encrypted values monitoring never reads here.
    raw = {
        key.split(":", 1)[1]: value
        for key, value in stack_config(stack).items()
        if key.startswith("awx-platform:") and key != "awx-platform:secrets"
    }
    return validate_stack_config(raw)


def stack_targets(stack: str) -> MonitoringTargets:
    return monitoring_targets(stack_settings(stack))


def stack_dashboards(stack: str) -> dict[str, dict[str, Any]]:
    """File name -> dashboard model the stack provisions as ConfigMaps."""
    return provisioned_dashboards(stack_settings(stack).monitoring, stack_targets(stack))
