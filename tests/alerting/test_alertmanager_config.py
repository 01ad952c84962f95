"""The generated Alertmanager configuration, checked and routed by the real amtool."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from components.monitoring.alertmanager import (
    NULL_RECEIVER,
    PAGERDUTY_RECEIVER,
    SLACK_RECEIVER,
    Destinations,
    alertmanager_config,
    render,
)
from components.settings.monitoring import AlertingSettings

ROUTING_KEY = "0123456789abcdef0123456789abcdef"
WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"
BOTH = Destinations(pagerduty_routing_key=ROUTING_KEY, slack_webhook_url=WEBHOOK)
ALERTING = AlertingSettings(slack_channel="#awx-alerts")


def write(tmp_path: Path, destinations: Destinations) -> Path:
    path = tmp_path / "alertmanager.yaml"
    path.write_text(render(ALERTING, destinations))
    return path


def amtool(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["amtool", *arguments], capture_output=True, text=True, check=False)


def route(config: Path, *labels: str) -> str:
    result = amtool("config", "routes", "test", f"--config.file={config}", *labels)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    "destinations",
    [BOTH, Destinations(None, WEBHOOK), Destinations(ROUTING_KEY, None), Destinations(None, None)],
    ids=["both", "slack-only", "pagerduty-only", "none"],
)
def test_amtool_accepts_the_config(tmp_path: Path, destinations: Destinations) -> None:
    result = amtool("check-config", str(write(tmp_path, destinations)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_severity_decides_the_receiver(tmp_path: Path) -> None:
    config = write(tmp_path, BOTH)
    common = ("alertname=AWXWebDown", "namespace=awx")
    assert route(config, *common, "severity=critical") == PAGERDUTY_RECEIVER
    assert route(config, *common, "severity=warning") == SLACK_RECEIVER
    assert route(config, *common, "severity=info") == NULL_RECEIVER
    assert route(config, *common) == NULL_RECEIVER


def test_missing_destinations_fall_back(tmp_path: Path) -> None:
    slack_only = write(tmp_path, Destinations(None, WEBHOOK))
    assert route(slack_only, "severity=critical") == SLACK_RECEIVER
    nothing = write(tmp_path, Destinations(None, None))
    assert route(nothing, "severity=critical") == NULL_RECEIVER
    assert route(nothing, "severity=warning") == NULL_RECEIVER


def test_grouping_and_inhibition() -> None:
    config = alertmanager_config(ALERTING, BOTH)
    assert config["route"]["group_by"] == ["alertname", "namespace", "severity"]
    assert config["inhibit_rules"] == [
        {
            "source_matchers": ['severity="critical"'],
            "target_matchers": ['severity="warning"'],
            "equal": ["alertname", "namespace"],
        }
    ]


def test_secrets_land_only_in_their_receivers(tmp_path: Path) -> None:
    document = yaml.safe_load(write(tmp_path, BOTH).read_text())
    receivers = {r["name"]: r for r in document["receivers"]}
    assert receivers[PAGERDUTY_RECEIVER]["pagerduty_configs"][0]["routing_key"] == ROUTING_KEY
    slack = receivers[SLACK_RECEIVER]["slack_configs"][0]
    assert slack["api_url"] == WEBHOOK
    assert slack["channel"] == "#awx-alerts"
    assert set(receivers[NULL_RECEIVER]) == {"name"}
