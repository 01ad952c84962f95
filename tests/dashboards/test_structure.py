"""Lint of the generated dashboards: structure, uids, datasource wiring, units, layout, windows."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from itertools import combinations
from typing import Any

import pytest

from components.monitoring.dashboards import MAX_UID_LENGTH, dashboard_uid, dashboards
from components.monitoring.dashboards.layout import Box, pack
from components.monitoring.dashboards.model import SCHEMA_VERSION, Panel, Query
from tests.dashboards.samples import (
    FULL,
    MINIMAL,
    SLO_NAMES,
    SLO_OBJECTIVES,
    all_models,
    data_panels,
    panels,
)

MODELS = all_models()
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
GRAFANA_UNITS = {"none", "short", "percentunit", "s", "bytes", "reqps", "opm", "cores"}
"""Grafana unit ids the dashboards may use (plus `suffix:<text>` custom units)."""
RANGE_SELECTOR = re.compile(r"\[([^\]]*)\]")
COUNTER_FUNCTION = re.compile(r"\b(rate|irate|increase)\(")


def _kinds(models: dict[str, dict[str, Any]]) -> set[str]:
    return {file.rsplit("-", 1)[0] for file in models}


def test_which_dashboards_exist_follows_the_deployment() -> None:
    assert _kinds(dashboards(FULL, SLO_NAMES, SLO_OBJECTIVES)) == {
        "awx-overview",
        "awx-backups",
        "awx-slos",
        "awx-fork-enforcer",
    }
    assert _kinds(dashboards(MINIMAL, ())) == {"awx-overview"}
    assert _kinds(dashboards(MINIMAL, ("awx-api-availability",))) == {
        "awx-overview",
        "awx-slos",
    }


def test_models_are_plain_json_with_the_current_schema() -> None:
    for file, model in MODELS.items():
        assert json.loads(json.dumps(model)) == model, file
        assert model["schemaVersion"] == SCHEMA_VERSION == 41
        assert file == f"{model['uid']}.json"
        assert model["title"] and model["description"], file
        assert {"awx", "awx-platform"} <= set(model["tags"]), file


def test_uids_are_short_unique_and_stable() -> None:
    uids = [model["uid"] for model in MODELS.values()]
    assert len(uids) == len(set(uids)) == 6
    for uid in uids:
        assert len(uid) <= MAX_UID_LENGTH
        assert re.fullmatch(r"[a-z0-9-]+", uid), uid
    # Same input, same JSON byte for byte: a redeploy never creates a second dashboard.
    again = all_models()
    assert json.dumps(again, sort_keys=True) == json.dumps(MODELS, sort_keys=True)
    # Pinned: a changed uid orphans bookmarks and links, so changing it must be deliberate.
    assert dashboard_uid("awx-overview", FULL) == "awx-overview-0084f09147"
    assert dashboard_uid("awx-fork-enforcer", FULL) == "awx-fork-enforcer-0084f09147"


def test_uid_digest_separates_deployments_and_fits_long_names() -> None:
    long = replace(FULL, namespace="n" * 63, instance="i" * 63)
    uid = dashboard_uid("awx-fork-enforcer", long)
    assert len(uid) <= MAX_UID_LENGTH
    assert uid != dashboard_uid("awx-fork-enforcer", FULL)
    other = replace(FULL, namespace="awx-staging")
    assert dashboard_uid("awx-overview", other) != dashboard_uid("awx-overview", FULL)


def test_datasource_variable_is_declared_once() -> None:
    for file, model in MODELS.items():
        variables = [v for v in model["templating"]["list"] if v["type"] == "datasource"]
        assert len(variables) == 1, file
        (variable,) = variables
        assert variable["name"] == "datasource"
        assert variable["query"] == "prometheus"


def test_every_panel_and_query_uses_the_datasource_variable() -> None:
    for file, model in MODELS.items():
        for panel in data_panels(model):
            where = f"{file}: {panel['title']}"
            assert panel["datasource"] == DATASOURCE, where
            assert panel["targets"], f"{where} has no query"
            for target in panel["targets"]:
                assert target["datasource"] == DATASOURCE, where
                assert target["expr"].strip(), where
            ref_ids = [target["refId"] for target in panel["targets"]]
            assert len(ref_ids) == len(set(ref_ids)), where


def test_rows_only_group_panels() -> None:
    for file, model in MODELS.items():
        rows = [panel for panel in panels(model) if panel["type"] == "row"]
        assert rows, file
        for row in rows:
            assert not row["collapsed"] and row["panels"] == [], f"{file}: {row['title']}"
            assert "targets" not in row


def test_every_panel_has_a_unit_and_a_description() -> None:
    for file, model in MODELS.items():
        for panel in data_panels(model):
            where = f"{file}: {panel['title']}"
            unit = panel["fieldConfig"]["defaults"]["unit"]
            assert unit in GRAFANA_UNITS or unit.startswith("suffix:"), where
            assert len(panel["description"]) >= 40, where


def _counter_windows(expr: str) -> list[tuple[str, str]]:
    """(function, range) of every rate/irate/increase call in expr."""
    found = []
    for match in COUNTER_FUNCTION.finditer(expr):
        depth, index = 1, match.end()
        while depth:
            if expr[index] == '"':
                # Skip a quoted label value: its parentheses are not PromQL's.
                index = expr.index('"', index + 1)
            depth += {"(": 1, ")": -1}.get(expr[index], 0)
            index += 1
        argument = expr[match.end() : index - 1]
        ranges = RANGE_SELECTOR.findall(argument)
        assert len(ranges) == 1, f"{match.group(1)} without one range selector in {expr}"
        found.append((match.group(1), ranges[0]))
    return found


def test_rates_use_grafana_windows() -> None:
    whole_range = []
    for file, model in MODELS.items():
        for panel in data_panels(model):
            for target in panel["targets"]:
                expr = target["expr"]
                windows = _counter_windows(expr)
                # No range selector outside rate/increase (no hard-coded lookbacks).
                assert len(RANGE_SELECTOR.findall(expr)) == len(windows), expr
                for function, window in windows:
                    if window == "$__range":
                        # Only a stat's whole-range total may look at the whole range.
                        assert function == "increase" and panel["type"] == "stat", expr
                        whole_range.append(panel["title"])
                    else:
                        assert window == "$__rate_interval", f"{file}: {expr}"
    assert sorted(set(whole_range)) == ["Backup success rate", "Restore drill success rate"]


def test_rate_window_check_catches_fixed_windows() -> None:
    assert _counter_windows('sum(rate(x[5m])) / increase(y{a="("}[$__range])') == [
        ("rate", "5m"),
        ("increase", "$__range"),
    ]


def test_grid_has_no_overlaps_and_fits_24_columns() -> None:
    for file, model in MODELS.items():
        boxes = []
        ids = []
        for panel in panels(model):
            grid = panel["gridPos"]
            assert grid["w"] >= 1 and grid["h"] >= 1, file
            assert grid["x"] >= 0 and grid["y"] >= 0 and grid["x"] + grid["w"] <= 24, file
            if panel["type"] == "row":
                assert (grid["x"], grid["w"], grid["h"]) == (0, 24, 1), file
            boxes.append((panel["title"], grid))
            ids.append(panel["id"])
        assert len(ids) == len(set(ids)), file
        for (first, a), (second, b) in combinations(boxes, 2):
            overlap = (
                a["x"] < b["x"] + b["w"]
                and b["x"] < a["x"] + a["w"]
                and a["y"] < b["y"] + b["h"]
                and b["y"] < a["y"] + a["h"]
            )
            assert not overlap, f"{file}: {first!r} overlaps {second!r}"


def test_packing_wraps_and_starts_rows_on_a_new_line() -> None:
    placed = pack([Box(24, 1, new_line=True), Box(16, 8), Box(16, 5), Box(24, 1, new_line=True)])
    assert placed == [(0, 0, 24, 1), (0, 1, 16, 8), (0, 9, 16, 5), (0, 14, 24, 1)]
    with pytest.raises(ValueError, match="width 25"):
        Box(25, 1)


def test_panels_refuse_missing_units_descriptions_and_queries() -> None:
    query = (Query("up"),)
    with pytest.raises(ValueError, match="'p' has no description"):
        Panel("p", " ", "s", query)
    with pytest.raises(ValueError, match="'p' has no unit"):
        Panel("p", "what it shows", "", query)
    with pytest.raises(ValueError, match="'p' has no query"):
        Panel("p", "what it shows", "s", ())


def _exprs(model: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in data_panels(model) for target in panel["targets"]]


def _model(targets: Any, kind: str, *args: Any) -> dict[str, Any]:
    return dashboards(targets, *args)[f"{dashboard_uid(kind, targets)}.json"]


def test_histograms_have_p50_p95_p99() -> None:
    for kind, metric in (
        ("awx-overview", "awx_api_request_duration_seconds_bucket"),
        ("awx-fork-enforcer", "awx_reconciliation_duration_seconds_bucket"),
    ):
        exprs = [expr for expr in _exprs(_model(FULL, kind, ())) if metric in expr]
        for quantile in ("0.5", "0.95", "0.99"):
            assert any(f"histogram_quantile({quantile}," in expr for expr in exprs), kind


def test_task_replicas_panel_shows_hpa_bounds_only_with_an_hpa() -> None:
    def replicas(targets: Any) -> list[str]:
        (panel,) = (
            panel
            for panel in data_panels(_model(targets, "awx-overview", ()))
            if panel["title"] == "Task replicas vs autoscaler bounds"
        )
        return [target["legendFormat"] for target in panel["targets"]]

    assert replicas(FULL) == [
        "task replicas",
        "task available",
        "HPA desired",
        "HPA min",
        "HPA max",
    ]
    assert replicas(MINIMAL) == ["task replicas", "task available"]
    hpa_exprs = [e for e in _exprs(_model(FULL, "awx-overview", ())) if "horizontalpod" in e]
    assert all('horizontalpodautoscaler="awx-task"' in expr for expr in hpa_exprs)


def test_selectors_pick_this_deployment() -> None:
    for expr in _exprs(_model(MINIMAL, "awx-overview", ())):
        assert 'namespace="tower"' in expr, expr
        if "awx_deployment_status" in expr or "awx_pod_status" in expr:
            assert 'job="awx-platform-exporter"' in expr and 'name="prod"' in expr
    for expr in _exprs(_model(FULL, "awx-backups", ())):
        assert 'namespace="awx"' in expr, expr
        # Recording rules are only known to keep `namespace`; raw series also carry `name`.
        assert "awx:" in expr or 'name="awx"' in expr, expr
        # honorLabels keeps the pusher's job (awx-backup, ...): a job matcher would match none.
        assert "job=" not in expr, expr


def test_slo_dashboard_selects_by_variable() -> None:
    model = _model(FULL, "awx-slos", SLO_NAMES, SLO_OBJECTIVES)
    (variable,) = [v for v in model["templating"]["list"] if v["name"] == "slo"]
    assert variable["type"] == "custom" and variable["multi"] and variable["includeAll"]
    assert [option["value"] for option in variable["options"]] == list(SLO_NAMES)
    for expr in _exprs(model):
        assert 'namespace="awx", slo=~"$slo"' in expr, expr
    titles = [panel["title"] for panel in data_panels(model)]
    assert "Burn rate: page windows (1h/5m, 6h/30m)" in titles
    assert "Burn rate: ticket windows (1d/2h, 3d/6h)" in titles


def test_slo_dashboard_without_objectives_has_no_burn_rates() -> None:
    model = _model(FULL, "awx-slos", SLO_NAMES)
    titles = [panel["title"] for panel in data_panels(model)]
    assert not [title for title in titles if title.startswith("Burn rate")]
    assert "Error budget remaining" in titles
