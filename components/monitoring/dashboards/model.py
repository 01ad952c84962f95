"""Typed building blocks of a Grafana dashboard, rendered to Grafana's classic JSON model.

Dashboards are described with these small frozen values and turned into JSON by `render`, so
every panel gets the same datasource wiring, unit, description and layout rules instead of
each hand-written blob drifting on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from components.monitoring.dashboards.layout import Box, pack

SCHEMA_VERSION = 41
"""Grafana 12's classic schema. Nothing here uses what migrations 40-43 rewrite (non-string
`refresh`, `timepicker.time_options`, `hideFrom` overrides, `formatTime`), so Grafana 11.3 and
later load these dashboards as they are."""

DATASOURCE_VARIABLE = "datasource"
DATASOURCE_REF: dict[str, str] = {"type": "prometheus", "uid": "${" + DATASOURCE_VARIABLE + "}"}
"""What every panel and every query points at: the dashboard's `datasource` variable."""

PanelKind = Literal["timeseries", "stat"]
DrawStyle = Literal["line", "bars"]


@dataclass(frozen=True)
class Query:
    """One PromQL target of a panel."""

    expr: str
    legend: str = ""
    """Legend template, e.g. `{{status}}`; empty lets Grafana print the series labels."""


@dataclass(frozen=True)
class Step:
    """A threshold step: from `value` upwards (None = from minus infinity) the panel is `color`."""

    color: str
    value: float | None = None


@dataclass(frozen=True)
class ValueText:
    """Shows `text` instead of the number `value` (e.g. 1 -> Healthy)."""

    value: float
    text: str
    color: str


@dataclass(frozen=True)
class Panel:
    title: str
    description: str
    """What the panel shows and what to do about it; Grafana shows it as the (i) tooltip."""
    unit: str
    """A Grafana unit id: s, bytes, percentunit, short, reqps, opm, ..."""
    queries: tuple[Query, ...]
    kind: PanelKind = "timeseries"
    width: int = 12
    height: int = 8
    steps: tuple[Step, ...] = (Step("green"),)
    threshold_lines: bool = False
    """Draw the threshold steps as dashed lines on a time series."""
    value_texts: tuple[ValueText, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    draw: DrawStyle = "line"
    stacked: bool = False

    def __post_init__(self) -> None:
        if not self.queries:
            raise ValueError(f"panel {self.title!r} has no query")
        if not self.description.strip():
            raise ValueError(f"panel {self.title!r} has no description")
        if not self.unit:
            raise ValueError(f"panel {self.title!r} has no unit")


@dataclass(frozen=True)
class Row:
    """A titled band of panels, laid out left to right and wrapped at Grafana's 24 columns."""

    title: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True)
class CustomVariable:
    """A variable with fixed choices (the SLO names), multi-select with an `All` entry."""

    name: str
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    description: str
    tags: tuple[str, ...]
    rows: tuple[Row, ...]
    variables: tuple[CustomVariable, ...] = field(default=())
    time_from: str = "now-6h"


def render(dashboard: Dashboard) -> dict[str, Any]:
    """The dashboard as Grafana's JSON model (a plain dict, ready for json.dumps)."""
    panels: list[dict[str, Any]] = []
    boxes: list[Box] = []
    for row in dashboard.rows:
        boxes.append(Box(24, 1, new_line=True))
        boxes.extend(Box(panel.width, panel.height) for panel in row.panels)
    positions = iter(pack(boxes))
    panel_id = 0
    for row in dashboard.rows:
        panel_id += 1
        panels.append(_row_json(row, panel_id, next(positions)))
        for panel in row.panels:
            panel_id += 1
            panels.append(_panel_json(panel, panel_id, next(positions)))
    return {
        "uid": dashboard.uid,
        "title": dashboard.title,
        "description": dashboard.description,
        "tags": list(dashboard.tags),
        "editable": False,
        "graphTooltip": 1,
        "refresh": "1m",
        "schemaVersion": SCHEMA_VERSION,
        "time": {"from": dashboard.time_from, "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "version": 1,
        "links": [
            {
                "type": "dashboards",
                "title": "AWX dashboards",
                "tags": ["awx-platform"],
                "asDropdown": True,
                "includeVars": True,
                "keepTime": True,
            }
        ],
        "annotations": {"list": []},
        "templating": {
            "list": [
                _datasource_variable(),
                *(_custom_variable(variable) for variable in dashboard.variables),
            ]
        },
        "panels": panels,
    }


def _grid(box: tuple[int, int, int, int]) -> dict[str, int]:
    x, y, w, h = box
    return {"x": x, "y": y, "w": w, "h": h}


def _row_json(row: Row, panel_id: int, box: tuple[int, int, int, int]) -> dict[str, Any]:
    # Expanded rows keep their panels at the top level of `panels`: Grafana nests them only
    # when a row is collapsed.
    return {
        "id": panel_id,
        "type": "row",
        "title": row.title,
        "collapsed": False,
        "gridPos": _grid(box),
        "panels": [],
    }


def _panel_json(panel: Panel, panel_id: int, box: tuple[int, int, int, int]) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "unit": panel.unit,
        "color": {"mode": "thresholds" if panel.kind == "stat" else "palette-classic"},
        "thresholds": {
            "mode": "absolute",
            "steps": [{"color": step.color, "value": step.value} for step in panel.steps],
        },
        "mappings": _mappings(panel.value_texts),
    }
    if panel.minimum is not None:
        defaults["min"] = panel.minimum
    if panel.maximum is not None:
        defaults["max"] = panel.maximum
    if panel.kind == "timeseries":
        defaults["custom"] = {
            "drawStyle": panel.draw,
            "lineWidth": 1,
            "fillOpacity": 80 if panel.draw == "bars" else 10,
            "showPoints": "never",
            "spanNulls": False,
            "stacking": {"mode": "normal" if panel.stacked else "none", "group": "A"},
            "thresholdsStyle": {"mode": "dashed" if panel.threshold_lines else "off"},
        }
    return {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": dict(DATASOURCE_REF),
        "gridPos": _grid(box),
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": _options(panel),
        "targets": [_target(query, index) for index, query in enumerate(panel.queries)],
    }


def _target(query: Query, index: int) -> dict[str, Any]:
    return {
        "refId": _ref_id(index),
        "datasource": dict(DATASOURCE_REF),
        "expr": query.expr,
        "legendFormat": query.legend or "__auto",
        "range": True,
        "instant": False,
        "editorMode": "code",
    }


def _ref_id(index: int) -> str:
    # A..Z is plenty: no panel here has more than a handful of queries.
    if index >= 26:
        raise ValueError("a panel has more than 26 queries")
    return chr(ord("A") + index)


def _options(panel: Panel) -> dict[str, Any]:
    if panel.kind == "stat":
        return {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "background",
            "graphMode": "none",
            "justifyMode": "auto",
            "textMode": "auto",
            "orientation": "auto",
        }
    return {
        "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }


def _mappings(value_texts: Sequence[ValueText]) -> list[dict[str, Any]]:
    if not value_texts:
        return []
    return [
        {
            "type": "value",
            "options": {
                _number_key(item.value): {"text": item.text, "color": item.color, "index": index}
                for index, item in enumerate(value_texts)
            },
        }
    ]


def _number_key(value: float) -> str:
    # Grafana matches value mappings by the displayed string: 1.0 must be written "1".
    return str(int(value)) if float(value).is_integer() else str(value)


def _datasource_variable() -> dict[str, Any]:
    return {
        "name": DATASOURCE_VARIABLE,
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "hide": 0,
        "includeAll": False,
        "multi": False,
        "options": [],
        "refresh": 1,
        "regex": "",
    }


def _custom_variable(variable: CustomVariable) -> dict[str, Any]:
    options = [
        {"text": value, "value": value, "selected": index == 0}
        for index, value in enumerate(variable.values)
    ]
    first = variable.values[0] if variable.values else ""
    return {
        "name": variable.name,
        "label": variable.label,
        "type": "custom",
        "query": ",".join(variable.values),
        "current": {"text": [first], "value": [first], "selected": True},
        "hide": 0,
        "includeAll": True,
        "multi": True,
        "options": options,
    }
