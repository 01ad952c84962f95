"""PLACEHOLDER on branch mon-stack only: the real module comes from branch mon-rules.

It keeps the monitoring component testable before the merge; the coordinator takes
mon-rules' version of this file. Same signatures as the monitoring contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.monitoring.targets import JOB_EXPORTER, MonitoringTargets
from components.settings.monitoring import Slo

RUNBOOK_BASE = "https://github.com/awx-platform/awx-platform/blob/main/docs/runbooks.md"


def default_slos(targets: MonitoringTargets) -> list[Slo]:
    return []


def rule_groups(targets: MonitoringTargets, slos: Sequence[Slo]) -> list[dict[str, Any]]:
    return [
        {
            "name": "awx-placeholder",
            "rules": [
                {
                    "alert": "AWXMetricsAbsent",
                    "expr": f'absent(up{{job="{JOB_EXPORTER}"}})',
                    "for": "10m",
                    "labels": {"severity": "warning"},
                    "annotations": {
                        "summary": "placeholder",
                        "description": "placeholder",
                        "runbook_url": RUNBOOK_BASE + "#awxmetricsabsent",
                    },
                }
            ],
        }
    ]
