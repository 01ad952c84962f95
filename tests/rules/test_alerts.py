"""Every alert the program generates fires after its `for` on failing series, and stays
silent before it and on healthy series: the real `promtool test rules` on the real rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.monitoring.rules import rule_groups
from tests.rules.cases import SCENARIOS, Scenario
from tests.rules.promtool import TARGETS, run_tests, write_rules


def _alerts() -> list[dict[str, Any]]:
    return [
        rule for group in rule_groups(TARGETS, []) for rule in group["rules"] if "alert" in rule
    ]


def _expected(scenario: Scenario) -> list[dict[str, Any]]:
    rules = [rule for rule in _alerts() if rule["alert"] == scenario.alert]
    summaries = {rule["annotations"]["summary"] for rule in rules}
    summary = scenario.summary or summaries.pop()
    (rule,) = [rule for rule in rules if rule["annotations"]["summary"] == summary]
    return [
        {
            "exp_labels": {**rule["labels"], **labels},
            "exp_annotations": {
                "summary": summary,
                "description": description,
                "runbook_url": rule["annotations"]["runbook_url"],
            },
        }
        for labels, description in [(scenario.labels, scenario.description), *scenario.others]
    ]


def _case(series: list[dict[str, str]], scenario: Scenario, checks: list[Any]) -> dict[str, Any]:
    return {
        "interval": scenario.interval,
        "input_series": series,
        "alert_rule_test": [
            {"eval_time": time, "alertname": scenario.alert, "exp_alerts": alerts}
            for time, alerts in checks
        ],
    }


def test_every_alert_has_a_scenario() -> None:
    assert {rule["alert"] for rule in _alerts()} - {"AWXSloErrorBudgetBurn"} == {
        scenario.alert for scenario in SCENARIOS
    }


@pytest.mark.parametrize(
    "scenario", SCENARIOS, ids=[f"{each.alert}: {each.title}" for each in SCENARIOS]
)
def test_alert_fires_after_for_and_only_when_failing(tmp_path: Path, scenario: Scenario) -> None:
    rules = write_rules(tmp_path)
    failing = _case(
        scenario.failing, scenario, [(scenario.before, []), (scenario.after, _expected(scenario))]
    )
    healthy = _case(scenario.healthy, scenario, [(scenario.before, []), (scenario.after, [])])
    run_tests(rules, [failing, healthy], interval=scenario.interval)
