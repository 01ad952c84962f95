"""PLACEHOLDER on branch mon-stack only: the real module comes from branch mon-dashboards.

It keeps the monitoring component testable before the merge; the coordinator takes
mon-dashboards' version of this file. Same signature as the monitoring contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.monitoring.targets import MonitoringTargets


def dashboards(targets: MonitoringTargets, slo_names: Sequence[str]) -> dict[str, dict[str, Any]]:
    return {"awx-overview.json": {"uid": "awx-overview", "title": "AWX overview", "panels": []}}
