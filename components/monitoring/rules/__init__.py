"""Prometheus rules for AWX: recording rules, alerts in five groups, and SLO burn-rate rules.

`rule_groups` returns the `spec.groups` of the PrometheusRule the monitoring component
creates; `default_slos` are the objectives used when the stack configures none. Every alert
links to its section of docs/runbooks.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.monitoring.rules.alert import RUNBOOK_BASE
from components.monitoring.rules.api import api_alerts
from components.monitoring.rules.backups import backup_alerts
from components.monitoring.rules.capacity import capacity_alerts
from components.monitoring.rules.defaults import default_slos
from components.monitoring.rules.infrastructure import infrastructure_alerts
from components.monitoring.rules.jobs import job_alerts
from components.monitoring.rules.recording import recording_rules
from components.monitoring.rules.slo import slo_group
from components.monitoring.targets import MonitoringTargets
from components.settings.monitoring import Slo

__all__ = ["RUNBOOK_BASE", "default_slos", "rule_groups"]


def rule_groups(targets: MonitoringTargets, slos: Sequence[Slo]) -> list[dict[str, Any]]:
    """Rule groups for one AWX deployment; `slos` empty means `default_slos(targets)`.

    Alerts whose source is switched off (backups, the HPA, the fork enforcer) are left out
    rather than left to fire on absent series."""
    groups = [
        recording_rules(targets),
        job_alerts(targets),
        capacity_alerts(targets),
        api_alerts(targets),
        infrastructure_alerts(targets),
    ]
    backups = backup_alerts(targets)
    if backups is not None:
        groups.append(backups)
    groups += [slo_group(slo, targets) for slo in (slos or default_slos(targets))]
    return groups
