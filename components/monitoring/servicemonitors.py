"""ServiceMonitor specs; each rewrites `job` to its JOB_* constant (monitoring/targets.py).

Rules and dashboards select by those constants, so a renamed Service or a chart's naming
scheme never breaks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

API_VERSION = "monitoring.coreos.com/v1"


@dataclass(frozen=True)
class Scrape:
    """One scrape target: the Service (by labels) and how to scrape it."""

    job: str
    """The JOB_* value `job` is rewritten to."""
    selector: Mapping[str, pulumi.Input[str]]
    """Labels of the Service to scrape."""
    port: str
    """Name of the Service port."""
    path: str = "/metrics"
    honor_labels: bool = False
    """Keep the scraped series' own job/instance labels (the Pushgateway's pushed groups)."""
    bearer_token_secret: pulumi.Input[str] | None = None
    """Secret (key `token`) in the ServiceMonitor's namespace with a bearer token."""
    interval: str = "30s"


def service_monitor_spec(scrape: Scrape) -> dict[str, Any]:
    endpoint: dict[str, Any] = {
        "port": scrape.port,
        "path": scrape.path,
        "interval": scrape.interval,
        "scrapeTimeout": "10s",
        "relabelings": [{"action": "replace", "targetLabel": "job", "replacement": scrape.job}],
    }
    if scrape.honor_labels:
        endpoint["honorLabels"] = True
    if scrape.bearer_token_secret is not None:
        endpoint["authorization"] = {
            "type": "Bearer",
            "credentials": {"name": scrape.bearer_token_secret, "key": "token"},
        }
    return {"selector": {"matchLabels": dict(scrape.selector)}, "endpoints": [endpoint]}
