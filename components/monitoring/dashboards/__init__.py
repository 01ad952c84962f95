"""Grafana dashboards of one AWX deployment, generated from typed builders (docs/dashboards.md).

`dashboards(targets, slo_names)` returns file name -> Grafana dashboard JSON model; the
monitoring component puts each into a ConfigMap the Grafana sidecar loads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from components.monitoring.dashboards.backups import backup_rows
from components.monitoring.dashboards.enforcer import enforcer_rows
from components.monitoring.dashboards.model import CustomVariable, Dashboard, Row, render
from components.monitoring.dashboards.overview import overview_rows
from components.monitoring.dashboards.promql import Scope
from components.monitoring.dashboards.slos import SLO_VARIABLE, slo_rows
from components.monitoring.targets import MonitoringTargets

MAX_UID_LENGTH = 40
"""Grafana refuses longer dashboard uids."""
TAGS = ("awx", "awx-platform")


def dashboard_uid(kind: str, targets: MonitoringTargets) -> str:
    """`<kind>-<hash of namespace/instance>`: stable across runs, distinct per AWX deployment.

    Two AWX deployments may share one Grafana (attach mode), so the uid cannot be the kind
    alone; a namespace and name of up to 63 characters each would not fit 40, hence a digest.
    """
    digest = hashlib.sha256(f"{targets.namespace}/{targets.instance}".encode()).hexdigest()
    uid = f"{kind}-{digest[:10]}"
    if len(uid) > MAX_UID_LENGTH:
        raise ValueError(f"dashboard uid {uid!r} is longer than {MAX_UID_LENGTH} characters")
    return uid


def dashboards(
    targets: MonitoringTargets,
    slo_names: Sequence[str],
    slo_objectives: Mapping[str, float] | None = None,
) -> dict[str, dict[str, Any]]:
    """File name (`<uid>.json`) -> dashboard JSON model.

    awx-overview always; awx-backups when backups are scheduled (targets.backup_interval_seconds);
    awx-slos when there are SLOs, with burn-rate panels for those whose objective (percent) is in
    `slo_objectives`; awx-fork-enforcer when the enforcer runs.
    """
    scope = Scope(targets)
    where = f"{targets.namespace}/{targets.instance}"
    built = [
        _dashboard(
            "awx-overview",
            f"AWX overview ({where})",
            "Health, jobs, capacity, task scaling and API latency of one AWX deployment.",
            targets=targets,
            rows=overview_rows(scope),
        )
    ]
    if targets.backup_interval_seconds is not None:
        built.append(
            _dashboard(
                "awx-backups",
                f"AWX backups ({where})",
                "Scheduled backups, restores and restore drills of one AWX deployment.",
                targets=targets,
                rows=backup_rows(scope, targets.backup_interval_seconds),
                time_from="now-7d",
            )
        )
    if slo_names:
        built.append(
            _dashboard(
                "awx-slos",
                f"AWX SLOs ({where})",
                "Error budgets and multi-window burn rates of the AWX service level objectives.",
                targets=targets,
                rows=slo_rows(slo_names, slo_objectives or {}, scope.namespace),
                variables=(CustomVariable(SLO_VARIABLE, "SLO", tuple(slo_names)),),
                time_from="now-7d",
            )
        )
    if targets.enforcer_enabled:
        built.append(
            _dashboard(
                "awx-fork-enforcer",
                f"AWX fork enforcer ({where})",
                "Reconciliations, drift corrections, errors and durations of the fork enforcer.",
                targets=targets,
                rows=enforcer_rows(scope),
            )
        )
    return {f"{model['uid']}.json": model for model in (render(each) for each in built)}


def _dashboard(
    kind: str,
    title: str,
    description: str,
    *,
    targets: MonitoringTargets,
    rows: tuple[Row, ...],
    variables: tuple[CustomVariable, ...] = (),
    time_from: str = "now-6h",
) -> Dashboard:
    return Dashboard(
        uid=dashboard_uid(kind, targets),
        title=title,
        description=description,
        tags=(*TAGS, kind),
        rows=rows,
        variables=variables,
        time_from=time_from,
    )


__all__ = ["dashboard_uid", "dashboards"]
