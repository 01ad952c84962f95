"""Every dashboard expression parses with the real promtool, and key ones compute the right thing.

`promtool check rules` parses each expression as a recording rule; `promtool test rules`
evaluates a few against series shaped like the real ones (labels as the scrape jobs set them),
which catches selectors and joins that parse but match nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from components.monitoring.dashboards import dashboard_uid, dashboards
from tests.dashboards.promtool import promtool, substitute, write_rules, write_test
from tests.dashboards.samples import FULL, SLO_NAMES, SLO_OBJECTIVES, data_panels, expressions

ALL_SLOS = "(" + "|".join(SLO_NAMES) + ")"
"""What Grafana sends for a multi-value variable set to All."""


def test_every_expression_parses(tmp_path: Path) -> None:
    found = expressions()
    assert len(found) > 50
    rules = write_rules(tmp_path / "dashboards.yml", [substitute(e, ALL_SLOS) for *_, e in found])
    result = promtool("check", "rules", rules)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"SUCCESS: {len(found)} rules found" in output


def test_promtool_rejects_a_broken_expression(tmp_path: Path) -> None:
    # Guards the check above: promtool must parse the expressions, not just read the YAML.
    rules = write_rules(tmp_path / "broken.yml", ["sum(rate(up[1m])", "up"])
    result = promtool("check", "rules", rules)
    assert result.returncode != 0
    assert "check:expr_0" in result.stdout + result.stderr or "parse" in result.stderr


def _expr(kind: str, title: str, legend: str | None = None, window: str = "5m") -> str:
    model = dashboards(FULL, SLO_NAMES, SLO_OBJECTIVES)[f"{dashboard_uid(kind, FULL)}.json"]
    (panel,) = (panel for panel in data_panels(model) if panel["title"] == title)
    targets = [t for t in panel["targets"] if legend is None or t["legendFormat"] == legend]
    expr = str(targets[0]["expr"]).replace("$__rate_interval", window)
    return substitute(expr, ALL_SLOS)


def _evaluate(
    tmp_path: Path, series: list[dict[str, str]], cases: list[dict[str, Any]], at: str = "10m"
) -> None:
    rules = write_rules(tmp_path / "empty.yml", [])
    tests = [
        {
            "interval": "1m",
            "input_series": series,
            "promql_expr_test": [{"eval_time": at, **case} for case in cases],
        }
    ]
    result = promtool("test", "rules", write_test(tmp_path / "test.yml", rules, tests))
    assert result.returncode == 0, result.stdout + result.stderr


EXPORTER = 'job="awx-platform-exporter", namespace="awx", name="awx"'


def test_api_latency_percentiles_come_from_this_deployments_histogram(tmp_path: Path) -> None:
    def bucket(le: str, per_minute: int, labels: str = EXPORTER) -> dict[str, str]:
        return {
            "series": f"awx_api_request_duration_seconds_bucket{{{labels}, "
            f'endpoint="/api/v2/ping/", le="{le}"}}',
            "values": f"0+{per_minute}x20",
        }

    # Half the requests within 0.1 s, the other half within 0.25 s.
    series = [bucket("0.1", 10), bucket("0.25", 20), bucket("+Inf", 20)]
    # Another AWX deployment's slow API must not leak in.
    other = 'job="awx-platform-exporter", namespace="other", name="awx"'
    series += [bucket("0.1", 0, other), bucket("5.0", 50, other), bucket("+Inf", 50, other)]
    title = "API latency P50 / P95 / P99"
    _evaluate(
        tmp_path,
        series,
        [
            {
                "expr": _expr("awx-overview", title, f"p{round(q * 100)}"),
                "exp_samples": [{"value": _quantile(q, [(0.1, 10), (0.25, 20)], 20)}],
            }
            for q in (0.5, 0.95, 0.99)
        ],
    )


def _quantile(q: float, buckets: list[tuple[float, int]], total: int) -> float:
    """histogram_quantile's linear interpolation, in Prometheus' floating-point steps.

    promtool compares values exactly, so the expectation repeats its arithmetic: over a 5m
    window of per-minute samples a counter growing by n a minute has rate(5 n / 300).
    """

    def rate(per_minute: int) -> float:
        return 5 * per_minute * (300.0 / 300.0) / 300.0

    rank = q * rate(total)
    start, previous = 0.0, 0.0
    for bound, per_minute in buckets:
        count = rate(per_minute)
        if count >= rank:
            return start + (bound - start) * ((rank - previous) / (count - previous))
        start, previous = bound, count
    raise AssertionError("quantile beyond the last finite bucket")


def test_burn_rate_divides_by_each_slos_budget(tmp_path: Path) -> None:
    ratios = {"awx-api-availability": "0.05", "awx-job-success": "0.01", "awx-backup": "0.0005"}
    series = [
        {
            "series": f'slo:sli_error:ratio_rate1h{{slo="{name}", namespace="{namespace}"}}',
            "values": f"{v}x20",
        }
        for name, v in ratios.items()
        # The same SLO names of another AWX deployment must stay out.
        for namespace in ("awx", "other")
    ]
    expr = _expr("awx-slos", "Burn rate: page windows (1h/5m, 6h/30m)")
    expected = {"awx-api-availability": 10, "awx-job-success": 1, "awx-backup": 0.5}
    _evaluate(
        tmp_path,
        series,
        [
            {
                "expr": expr,
                "exp_samples": [
                    {"labels": f'{{slo="{name}", namespace="awx"}}', "value": value}
                    for name, value in expected.items()
                ],
            }
        ],
    )


def test_backup_panels_read_pushed_series(tmp_path: Path) -> None:
    # As scraped from the Pushgateway with honorLabels: the pusher's job label survives.
    pushed = 'job="awx-backup", namespace="awx", name="awx", instance="pushgateway:9091"'
    series = [
        {"series": f'awx_backup_total{{{pushed}, status="success"}}', "values": "0x30 1x30"},
        {"series": f'awx_backup_total{{{pushed}, status="failure"}}', "values": "0x40 1x20"},
        {
            "series": f'awx_backup_size_bytes{{{pushed}, backup_name="awx-20261128T0400Z"}}',
            "values": "73000000x60",
        },
        {"series": f"awx_backup_duration_seconds{{{pushed}}}", "values": "8x60"},
    ]
    success_rate = _expr("awx-backups", "Backup success rate").replace("$__range", "1h")
    _evaluate(
        tmp_path,
        series,
        [
            {"expr": success_rate, "exp_samples": [{"value": 0.5}]},
            {
                "expr": _expr("awx-backups", "Newest backup size"),
                "exp_samples": [{"value": 73000000}],
            },
            {
                "expr": _expr("awx-backups", "Last backup duration"),
                "exp_samples": [{"value": 8}],
            },
        ],
        at="59m",
    )


def test_task_replicas_and_hpa_bounds_match_kube_state_metrics_labels(tmp_path: Path) -> None:
    ksm = 'job="kube-state-metrics", namespace="awx"'
    hpa = f'{ksm}, horizontalpodautoscaler="awx-task"'
    series = [
        {
            "series": f'kube_deployment_status_replicas{{{ksm}, deployment="awx-task"}}',
            "values": "3x20",
        },
        {
            "series": f'kube_deployment_status_replicas{{{ksm}, deployment="awx-web"}}',
            "values": "2x20",
        },
        {"series": f"kube_horizontalpodautoscaler_spec_min_replicas{{{hpa}}}", "values": "2x20"},
        {"series": f"kube_horizontalpodautoscaler_spec_max_replicas{{{hpa}}}", "values": "8x20"},
    ]
    title = "Task replicas vs autoscaler bounds"
    _evaluate(
        tmp_path,
        series,
        [
            {"expr": _expr("awx-overview", title, "task replicas"), "exp_samples": [{"value": 3}]},
            {"expr": _expr("awx-overview", title, "HPA min"), "exp_samples": [{"value": 2}]},
            {"expr": _expr("awx-overview", title, "HPA max"), "exp_samples": [{"value": 8}]},
        ],
    )


def test_enforcer_counts_are_per_minute(tmp_path: Path) -> None:
    enforcer = 'job="awx-fork-enforcer", namespace="awx", name="awx"'
    series = [
        {
            "series": f'awx_reconciliation_total{{{enforcer}, event_type="pass"}}',
            "values": "0+1x20",
        },
        {
            "series": f'awx_reconciliation_errors_total{{{enforcer}, error_type="auth"}}',
            "values": "0+2x20",
        },
    ]
    _evaluate(
        tmp_path,
        series,
        [
            {
                "expr": _expr("awx-fork-enforcer", "Reconciliation passes"),
                "exp_samples": [{"labels": '{event_type="pass"}', "value": 1}],
            },
            {
                "expr": _expr("awx-fork-enforcer", "Errors by type"),
                "exp_samples": [{"labels": '{error_type="auth"}', "value": 2}],
            },
        ],
    )


def test_objective_stat_shows_only_selected_slos_with_budget_series(tmp_path: Path) -> None:
    series = [
        {
            "series": f'slo:error_budget_remaining:ratio{{slo="{name}", namespace="{namespace}"}}',
            "values": "0.5x20",
        }
        for name, namespace in (
            ("awx-api-availability", "awx"),
            ("awx-backup", "awx"),
            ("awx-job-success", "other"),
        )
    ]
    expr = _expr("awx-slos", "Objective")
    only_api = expr.replace(ALL_SLOS, "awx-api-availability")
    _evaluate(
        tmp_path,
        series,
        [
            {
                "expr": expr,
                "exp_samples": [
                    {"labels": '{slo="awx-api-availability"}', "value": 0.995},
                    {"labels": '{slo="awx-backup"}', "value": 0.999},
                ],
            },
            {
                "expr": only_api,
                "exp_samples": [{"labels": '{slo="awx-api-availability"}', "value": 0.995}],
            },
        ],
    )
