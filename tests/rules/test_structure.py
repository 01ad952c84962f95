"""What every consumer of the rules relies on: the issue's alert names and groups, the
annotations on-call needs, runbook sections that exist, the recording names the dashboards
query, and which alerts depend on optional parts of the deployment."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from components.monitoring.rules import RUNBOOK_BASE, rule_groups
from components.settings.monitoring import Slo
from tests.harness import ROOT
from tests.rules.promtool import TARGETS, check_rules, write_rules

REQUIRED_ALERTS = {
    "AWXBackupFailed",
    "AWXBackupMissing",
    "AWXPendingJobsHigh",
    "AWXTaskCapacityExhausted",
    "AWXHpaMaxedOut",
    "AWXWebDown",
    "AWXDatabaseDown",
    "AWXRedisDown",
    "AWXJobFailureRateHigh",
    "AWXApiErrorRateHigh",
    "AWXApiLatencyHigh",
    "AWXPodCrashLooping",
    "AWXPvcAlmostFull",
    "AWXForkEnforcerFailing",
    "AWXMetricsAbsent",
}
ALERT_GROUPS = {"awx-jobs", "awx-queue-capacity", "awx-api", "awx-infrastructure", "awx-backups"}
DASHBOARD_RECORDINGS = {
    "awx:pending_jobs:max",
    "awx:running_jobs:max",
    "awx:task_capacity_used:ratio",
    "awx:job_failure:ratio_rate1h",
    "awx:api_request_errors:ratio_rate5m",
    "awx:api_request_duration_seconds:p95_rate5m",
    "awx:backup_age_seconds",
}
SLO_RECORDINGS = {
    *(f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d")),
    "slo:error_budget_remaining:ratio",
}
RUNBOOKS = ROOT / "docs" / "runbooks.md"


def _rules(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [rule for group in groups for rule in group["rules"]]


def _alerts(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [rule for rule in _rules(groups) if "alert" in rule]


def test_issue_alerts_exist_in_five_groups() -> None:
    groups = rule_groups(TARGETS, [])
    by_group = {g["name"]: {r["alert"] for r in g["rules"] if "alert" in r} for g in groups}
    assert by_group.keys() >= ALERT_GROUPS
    assert all(by_group[name] for name in ALERT_GROUPS)
    in_groups = set().union(*(by_group[name] for name in ALERT_GROUPS))
    assert in_groups >= REQUIRED_ALERTS
    assert len(in_groups) >= 15


def test_every_alert_has_severity_for_annotations_and_a_runbook_section() -> None:
    anchors = {heading.lower() for heading in re.findall(r"^## (\w+)$", RUNBOOKS.read_text(), re.M)}
    for rule in _alerts(rule_groups(TARGETS, [])):
        name = rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, name
        assert rule["for"], name
        assert re.fullmatch(r"(\d+d)?(\d+h)?(\d+m)?(\d+s)?", rule["for"]), name
        annotations = rule["annotations"]
        assert annotations["summary"], name
        assert "{{ $" in annotations["description"], name
        assert annotations["runbook_url"] == f"{RUNBOOK_BASE}#{name.lower()}"
        assert name.lower() in anchors, f"docs/runbooks.md has no section ## {name}"


def test_runbooks_describe_only_alerts_that_exist() -> None:
    headings = set(re.findall(r"^## (AWX\w+)$", RUNBOOKS.read_text(), re.M))
    assert headings == {rule["alert"] for rule in _alerts(rule_groups(TARGETS, []))}


def test_recording_names_the_dashboards_and_slos_use_exist() -> None:
    records = {rule["record"] for rule in _rules(rule_groups(TARGETS, [])) if "record" in rule}
    assert records >= DASHBOARD_RECORDINGS | SLO_RECORDINGS


def test_every_recorded_slo_series_is_labelled_with_its_slo() -> None:
    for group in rule_groups(TARGETS, []):
        for rule in group["rules"]:
            if rule.get("record", "").startswith("slo:"):
                assert rule["labels"]["slo"] == rule["labels"]["sloth_slo"]
                assert group["name"] == f"awx-slo-{rule['labels']['slo']}"


def test_alerts_of_parts_that_are_off_are_left_out(tmp_path: Path) -> None:
    bare = replace(
        TARGETS,
        hpa_name=None,
        backup_interval_seconds=None,
        enforcer_enabled=False,
        rightsizing_enabled=False,
    )
    groups = rule_groups(bare, [])
    names = {rule["alert"] for rule in _alerts(groups)}
    gone = {"AWXHpaMaxedOut", "AWXForkEnforcerFailing", "AWXForkLimitsDrifting"}
    assert not names & (gone | {"AWXBackupFailed", "AWXBackupMissing", "AWXRestoreFailed"})
    assert "awx-slo-awx-backup-success" not in {g["name"] for g in groups}
    absent = next(r for r in _alerts(groups) if r["alert"] == "AWXMetricsAbsent")
    assert "awx-fork-enforcer" not in absent["expr"]
    check_rules(write_rules(tmp_path, bare))


@pytest.mark.parametrize("window", ["30d", "28d", "1d"])
def test_configured_slos_replace_the_defaults(tmp_path: Path, window: str) -> None:
    slo = Slo(
        name="awx-web-requests",
        objective=99.9,
        window=window,
        error_query='rate(nginx_requests_total{status=~"5.."}[{{.window}}])',
        total_query="rate(nginx_requests_total[{{.window}}])",
    )
    groups = rule_groups(TARGETS, [slo])
    assert [g["name"] for g in groups if g["name"].startswith("awx-slo-")] == [
        "awx-slo-awx-web-requests"
    ]
    records = [r["record"] for r in _rules(groups) if r.get("record", "").startswith("slo:")]
    assert len(records) == len(set(records)), "a window must be recorded once"
    assert f"slo:sli_error:ratio_rate{window}" in records
    check_rules(write_rules(tmp_path, TARGETS, [slo]))


def test_an_slo_query_without_the_window_placeholder_is_refused() -> None:
    slo = Slo(
        name="fixed-range",
        objective=99,
        error_query='rate(http_requests_total{code="500"}[5m])',
        total_query="rate(http_requests_total[{{.window}}])",
    )
    with pytest.raises(ValueError, match=r"monitoring.slos \(fixed-range\).error_query"):
        rule_groups(TARGETS, [slo])
