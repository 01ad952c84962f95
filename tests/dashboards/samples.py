"""Deployments the dashboard tests render: every switch that changes which panels exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from components.monitoring.dashboards import dashboards
from tests.monitoring_targets import FULL, MINIMAL

SLO_OBJECTIVES = {"awx-api-availability": 99.5, "awx-job-success": 99.0, "awx-backup": 99.9}
SLO_NAMES = tuple(SLO_OBJECTIVES)


def all_models() -> dict[str, dict[str, Any]]:
    """Every dashboard of both samples (with SLO objectives for FULL, names only for MINIMAL)."""
    return {
        **dashboards(FULL, SLO_NAMES, SLO_OBJECTIVES),
        **dashboards(MINIMAL, SLO_NAMES[:1]),
    }


def panels(model: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, rows included, also those nested in collapsed rows."""
    for panel in model["panels"]:
        yield panel
        yield from panel.get("panels", [])


def data_panels(model: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return (panel for panel in panels(model) if panel["type"] != "row")


def expressions() -> list[tuple[str, str, str]]:
    """(dashboard file, panel title, expr) of every query of every sample dashboard."""
    return [
        (file, panel["title"], target["expr"])
        for file, model in all_models().items()
        for panel in data_panels(model)
        for target in panel["targets"]
    ]
