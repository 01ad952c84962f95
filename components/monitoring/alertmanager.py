"""Alertmanager routing: critical pages PagerDuty, warnings go to Slack, info goes nowhere.

The configuration is built from plain values here and turned into a Secret by the stack
component, so the routing key and webhook URL only ever travel inside Pulumi secrets. A
receiver whose secret is not configured is left out and its alerts fall back: critical to
Slack, then to the null receiver, so a stack without keys still gets a valid configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from components.settings.monitoring import AlertingSettings

GROUP_BY = ["alertname", "namespace", "severity"]
NULL_RECEIVER = "null"
PAGERDUTY_RECEIVER = "pagerduty-critical"
SLACK_RECEIVER = "slack-warning"
CONFIG_KEY = "alertmanager.yaml"
"""The key kube-prometheus-stack's Alertmanager reads its configuration from."""


@dataclass(frozen=True)
class Destinations:
    """Decrypted notification targets; None when the stack configures none."""

    pagerduty_routing_key: str | None
    slack_webhook_url: str | None


def alertmanager_config(alerting: AlertingSettings, destinations: Destinations) -> dict[str, Any]:
    receivers: list[dict[str, Any]] = [{"name": NULL_RECEIVER}]
    warning = NULL_RECEIVER
    if destinations.slack_webhook_url is not None:
        slack: dict[str, Any] = {
            "api_url": destinations.slack_webhook_url,
            "send_resolved": True,
            "title": "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} "
            "({{ .CommonLabels.namespace }})",
            "text": "{{ range .Alerts }}{{ .Annotations.summary }}\n"
            "{{ .Annotations.description }}\n{{ .Annotations.runbook_url }}\n{{ end }}",
        }
        if alerting.slack_channel is not None:
            slack["channel"] = alerting.slack_channel
        receivers.append({"name": SLACK_RECEIVER, "slack_configs": [slack]})
        warning = SLACK_RECEIVER
    critical = warning
    if destinations.pagerduty_routing_key is not None:
        receivers.append(
            {
                "name": PAGERDUTY_RECEIVER,
                "pagerduty_configs": [
                    {
                        "routing_key": destinations.pagerduty_routing_key,
                        "send_resolved": True,
                        "severity": "critical",
                        "description": "{{ .CommonLabels.alertname }}: "
                        "{{ .CommonAnnotations.summary }}",
                    }
                ],
            }
        )
        critical = PAGERDUTY_RECEIVER
    return {
        "route": {
            "receiver": NULL_RECEIVER,
            "group_by": GROUP_BY,
            "group_wait": alerting.group_wait,
            "group_interval": "5m",
            "repeat_interval": alerting.repeat_interval,
            "routes": [
                {"receiver": critical, "matchers": ['severity="critical"']},
                {"receiver": warning, "matchers": ['severity="warning"']},
                # Info alerts are for dashboards and silences only; nobody is notified.
                {"receiver": NULL_RECEIVER, "matchers": ['severity="info"']},
            ],
        },
        "inhibit_rules": [
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity="warning"'],
                "equal": ["alertname", "namespace"],
            }
        ],
        "receivers": receivers,
    }


def render(alerting: AlertingSettings, destinations: Destinations) -> str:
    """The configuration as alertmanager.yaml text."""
    return yaml.safe_dump(alertmanager_config(alerting, destinations), sort_keys=False)
