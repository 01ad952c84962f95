"""The SLO rules: error ratios per window, budget left, and the burn-rate alerts: a fast burn
pages (critical), a slow burn makes a ticket (warning) and never pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from components.monitoring.rules import default_slos
from components.monitoring.rules.alert import runbook_url
from components.monitoring.rules.slo import BURN_ALERT
from tests.rules.cases import EXPORTER, PUSHED, s
from tests.rules.promtool import TARGETS, run_tests, write_rules

DESCRIPTIONS = {slo.name: slo.description for slo in default_slos(TARGETS)}


def _requests(ok_per_minute: int, errors_per_minute: int) -> list[dict[str, str]]:
    labels = f'{EXPORTER},endpoint="/api/v2/ping/"'
    return [
        s(f'awx_api_requests_total{{{labels},code="200"}}', f"0+{ok_per_minute}x2000"),
        s(f'awx_api_requests_total{{{labels},code="500"}}', f"0+{errors_per_minute}x2000"),
    ]


def _burn(slo: str, severity: str, ratio: str) -> dict[str, Any]:
    labels = {
        "severity": severity,
        "sloth_service": "awx",
        "sloth_slo": slo,
        "slo": slo,
        "namespace": "awx",
        "burn": "fast" if severity == "critical" else "slow",
    }
    what = f"SLO {slo} in namespace awx ({DESCRIPTIONS[slo]}) has an error ratio of {ratio}: "
    if severity == "critical":
        what += (
            "at this rate the 30d error budget is gone in a small part of the window "
            "(1h/5m above 14.4x or 6h/30m above 6x the budget)."
        )
        summary = f"SLO {slo} burns its error budget fast"
    else:
        what += (
            "the 30d error budget will not last the window (1d/2h above 3x or 3d/6h above "
            "1x the budget)."
        )
        summary = f"SLO {slo} burns its error budget"
    return {
        "exp_labels": labels,
        "exp_annotations": {
            "summary": summary,
            "description": what,
            "runbook_url": runbook_url(BURN_ALERT),
        },
    }


def _alerts(*checks: tuple[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [
        {"eval_time": time, "alertname": BURN_ALERT, "exp_alerts": alerts}
        for time, alerts in checks
    ]


def _value(metric: str, time: str, value: float, slo: str) -> dict[str, Any]:
    """`metric` at `time`, to three decimals (rates carry float noise like 0.09999...)."""
    labels = f'{{namespace="awx", slo="{slo}", sloth_service="awx", sloth_slo="{slo}"}}'
    return {
        "expr": f"round({metric}, 0.001)",
        "eval_time": time,
        "exp_samples": [{"labels": labels, "value": value}],
    }


API = "awx-api-availability"


def test_fast_burn_pages_first_and_tickets_later(tmp_path: Path) -> None:
    # 10% of probes fail: 20x the 0.5% budget, above the 14.4x page threshold.
    run_tests(
        write_rules(tmp_path),
        [
            {
                "interval": "1m",
                "input_series": _requests(9, 1),
                "alert_rule_test": _alerts(
                    ("1m", []),  # the page waits its 2m `for`
                    ("10m", [_burn(API, "critical", "10%")]),  # the ticket waits 15m
                    ("30m", [_burn(API, "critical", "10%"), _burn(API, "warning", "10%")]),
                ),
                "promql_expr_test": [
                    _value("slo:sli_error:ratio_rate5m", "30m", 0.1, API),
                    _value("slo:error_budget_remaining:ratio", "30m", -19, API),
                ],
            }
        ],
    )


def test_slow_burn_makes_a_ticket_and_never_pages(tmp_path: Path) -> None:
    # 2% of probes fail: 4x the budget, above the 3x ticket threshold, below the 6x page one.
    run_tests(
        write_rules(tmp_path),
        [
            {
                "interval": "1m",
                "input_series": _requests(49, 1),
                "alert_rule_test": _alerts(
                    ("10m", []),
                    ("30m", [_burn(API, "warning", "2%")]),
                    ("7h", [_burn(API, "warning", "2%")]),
                ),
                "promql_expr_test": [_value("slo:sli_error:ratio_rate1h", "2h", 0.02, API)],
            }
        ],
    )


def test_no_errors_burn_nothing_and_leave_the_whole_budget(tmp_path: Path) -> None:
    run_tests(
        write_rules(tmp_path),
        [
            {
                "interval": "1m",
                "input_series": _requests(10, 0),
                "alert_rule_test": _alerts(("30m", []), ("7h", [])),
                "promql_expr_test": [
                    _value("slo:sli_error:ratio_rate5m", "30m", 0, API),
                    _value("slo:error_budget_remaining:ratio", "30m", 1, API),
                ],
            }
        ],
    )


def test_job_success_slo_pages_when_most_jobs_fail(tmp_path: Path) -> None:
    slo = "awx-job-success"
    series = [
        s(f'awx_status_total{{job="awx-api",namespace="awx",status="{status}"}}', values)
        for status, values in (("successful", "0+1x600"), ("failed", "0+4x600"))
    ]
    run_tests(
        write_rules(tmp_path),
        [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": _alerts(("10m", [_burn(slo, "critical", "80%")])),
            }
        ],
    )


def test_one_failed_daily_backup_makes_a_ticket_not_a_page(tmp_path: Path) -> None:
    slo = "awx-backup-success"
    series = [
        s(f'awx_backup_total{{{PUSHED},status="success"}}', "0x600"),
        s(f'awx_backup_total{{{PUSHED},status="failure"}}', "0x60 1x600"),
    ]
    run_tests(
        write_rules(tmp_path),
        [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": _alerts(("70m", []), ("90m", [_burn(slo, "warning", "100%")])),
            }
        ],
    )
