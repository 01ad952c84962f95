"""The MonitoringTargets a stack file yields, for tests that compare against the modules."""

from components.config import validate_stack_config
from components.monitoring.targets import MonitoringTargets
from components.monitoring.wiring import monitoring_targets
from tests.harness import stack_config


def stack_targets(stack: str) -> MonitoringTargets:
    # The secrets section is left out: it holds encrypted values the targets never need.
    raw = {
        key.split(":", 1)[1]: value
        for key, value in stack_config(stack).items()
        if key.startswith("awx-platform:") and key != "awx-platform:secrets"
    }
    return monitoring_targets(validate_stack_config(raw))
